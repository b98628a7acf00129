// Parser for the RPC language: RFC 4506 §6.3 (XDR language) + RFC 5531 §12.2 (program/version/
// procedure), plus the rpcgen dialect of real .x files (C type aliases, `struct x` references,
// `typedef struct x *y;`, string constants, multi-argument procedures as with `rpcgen -N`).

import { SyntaxError_ } from '../../core/errors.js';
import type {
  Declaration,
  Definition,
  EnumMember,
  MaybeVoid,
  Primitive,
  ProcedureDef,
  Shape,
  TypeSpec,
  UnionCase,
  Value,
  VersionDef,
} from './ast.js';
import { KEYWORDS, type Pos, type Token } from './lexer.js';

/** Type names of the rpcgen dialect (C names rpcgen passes through to xdr_* routines), all 4 or 8 bytes. */
export const TYPE_ALIASES: Record<string, Primitive> = {
  long: 'int',
  short: 'int',
  char: 'int',
  u_int: 'unsigned',
  u_long: 'unsigned',
  u_short: 'unsigned',
  u_char: 'unsigned',
  bool_t: 'bool',
  enum_t: 'int',
  int32_t: 'int',
  uint32_t: 'unsigned',
  u_int32_t: 'unsigned',
  int64_t: 'hyper',
  uint64_t: 'uhyper',
  u_int64_t: 'uhyper',
  quad_t: 'hyper',
  u_quad_t: 'uhyper',
  longlong_t: 'hyper',
  u_longlong_t: 'uhyper',
  rpcprog_t: 'unsigned',
  rpcvers_t: 'unsigned',
  rpcproc_t: 'unsigned',
  rpcprot_t: 'unsigned',
  rpcport_t: 'unsigned',
};

const INTEGER = /^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/;

/** Parses a numeric constant token (decimal, 0x hex, 0 octal) as a bigint, or throws at its position. */
export function parseNumber(t: Token, negative: boolean): bigint {
  if (!INTEGER.test(t.text)) {
    throw new SyntaxError_(t.file, t.line, t.column, `bad constant '${t.text}' (decimal, 0x hex or 0 octal)`);
  }
  const isHex = /^0[xX]/.test(t.text);
  if (negative && (isHex || (t.text.length > 1 && t.text.startsWith('0')))) {
    throw new SyntaxError_(
      t.file,
      t.line,
      t.column,
      `bad constant '-${t.text}': only decimal constants may be negative`,
    );
  }
  const v = isHex
    ? BigInt(t.text)
    : t.text.length > 1 && t.text.startsWith('0')
      ? BigInt(`0o${t.text.slice(1)}`)
      : BigInt(t.text);
  if (v > 0xffffffffffffffffn) {
    throw new SyntaxError_(t.file, t.line, t.column, `constant '${t.text}' does not fit in 64 bits`);
  }
  return negative ? -v : v;
}

export function parse(tokens: Token[]): Definition[] {
  let i = 0;
  const defs: Definition[] = [];
  const peek = (k = 0): Token => tokens[Math.min(i + k, tokens.length - 1)]!;
  const next = (): Token => tokens[Math.min(i++, tokens.length - 1)]!;
  const pos = (t: Token): Pos => ({ file: t.file, line: t.line, column: t.column });
  const fail = (t: Token, msg: string): never => {
    throw new SyntaxError_(t.file, t.line, t.column, msg);
  };
  const describe = (t: Token) => (t.kind === 'eof' ? 'end of file' : `'${t.text}'`);
  const is = (text: string, k = 0) => {
    const t = peek(k);
    return (t.kind === 'punct' || t.kind === 'ident') && t.text === text;
  };
  const expect = (text: string, what?: string): Token => {
    const t = next();
    if ((t.kind !== 'punct' && t.kind !== 'ident') || t.text !== text) {
      fail(t, `expected '${text}'${what ? ` ${what}` : ''}, found ${describe(t)}`);
    }
    return t;
  };
  const identifier = (what: string): Token => {
    const t = next();
    if (t.kind !== 'ident') fail(t, `expected ${what}, found ${describe(t)}`);
    if (KEYWORDS.has(t.text)) fail(t, `'${t.text}' is a keyword and cannot be used as ${what}`);
    return t;
  };

  const value = (what: string): Value => {
    const t = peek();
    if (is('-')) {
      next();
      const n = next();
      if (n.kind !== 'number') fail(n, `expected a number after '-' in ${what}, found ${describe(n)}`);
      return { kind: 'number', value: parseNumber(n, true), pos: pos(t) };
    }
    if (t.kind === 'number') {
      next();
      return { kind: 'number', value: parseNumber(t, false), pos: pos(t) };
    }
    if (t.kind === 'ident' && !KEYWORDS.has(t.text)) {
      next();
      return { kind: 'name', name: t.text, pos: pos(t) };
    }
    return fail(t, `expected ${what} (a constant or a constant's name), found ${describe(t)}`);
  };

  /** Inline `struct {…}` / `enum {…}` / `union switch…` bodies become named definitions. */
  interface Pending {
    def: Definition;
    spec: TypeSpec & { kind: 'named' };
  }
  const hoist = (def: Definition, t: Token): Pending => {
    const spec = { kind: 'named' as const, name: def.name, pos: pos(t) };
    return { def, spec };
  };

  const typeSpec = (): { spec: TypeSpec; pending?: Pending } => {
    const t = next();
    const p = pos(t);
    if (t.kind !== 'ident') return fail(t, `expected a type, found ${describe(t)}`);
    switch (t.text) {
      case 'unsigned': {
        const n = peek();
        if (n.kind === 'ident' && ['int', 'long', 'short', 'char'].includes(n.text)) {
          next();
          if (n.text === 'long' && is('long')) {
            next(); // `unsigned long long`: 64 bits, as xdr_u_longlong_t
            return { spec: { kind: 'prim', prim: 'uhyper', pos: p } };
          }
          return { spec: { kind: 'prim', prim: 'unsigned', pos: p } };
        }
        if (n.kind === 'ident' && n.text === 'hyper') {
          next();
          return { spec: { kind: 'prim', prim: 'uhyper', pos: p } };
        }
        return { spec: { kind: 'prim', prim: 'unsigned', pos: p } };
      }
      case 'int':
      case 'float':
      case 'double':
      case 'quadruple':
      case 'bool':
      case 'hyper':
        return { spec: { kind: 'prim', prim: t.text as Primitive, pos: p } };
      case 'string':
        return { spec: { kind: 'string', pos: p } };
      case 'opaque':
        return { spec: { kind: 'opaque', pos: p } };
      case 'struct':
      case 'enum':
      case 'union': {
        const tag = t.text;
        if (is('{') || (tag === 'union' && is('switch'))) {
          const def =
            tag === 'struct' ? structBody('', t) : tag === 'enum' ? enumBody('', t) : unionBody('', t);
          return { spec: { kind: 'named', name: '', pos: p }, pending: hoist(def, t) };
        }
        const n = identifier(`a ${tag} name`);
        return { spec: { kind: 'named', name: n.text, tag, pos: pos(n) } };
      }
      case 'void':
        return fail(
          t,
          "'void' is only allowed as a union arm, a procedure result or a procedure's only argument",
        );
      default: {
        if (KEYWORDS.has(t.text)) return fail(t, `expected a type, found keyword '${t.text}'`);
        if (t.text === 'long' && is('long')) {
          next(); // `long long`: 64 bits, as xdr_longlong_t
          return { spec: { kind: 'prim', prim: 'hyper', pos: p } };
        }
        const alias = TYPE_ALIASES[t.text];
        if (alias) return { spec: { kind: 'prim', prim: alias, pos: p } };
        return { spec: { kind: 'named', name: t.text, pos: p } };
      }
    }
  };

  /** Parses one declaration; `nameHint(member)` names an inline struct/union/enum type. */
  const declaration = (allowVoid: boolean, nameHint: (member: string) => string): MaybeVoid => {
    if (is('void')) {
      const t = next();
      if (!allowVoid) fail(t, "'void' is only allowed as a union arm or in a procedure");
      return { kind: 'void', pos: pos(t) };
    }
    const { spec, pending } = typeSpec();
    let shape: Shape = { kind: 'plain' };
    if (is('*')) {
      next();
      shape = { kind: 'optional' };
    }
    const nameTok = identifier('a declaration name');
    if (shape.kind !== 'optional') {
      if (is('[')) {
        next();
        shape = { kind: 'fixed', size: value('an array size') };
        expect(']');
      } else if (is('<')) {
        next();
        shape = is('>') ? { kind: 'variable' } : { kind: 'variable', max: value('a maximum size') };
        expect('>');
      }
    }
    if (spec.kind === 'opaque' && shape.kind !== 'fixed' && shape.kind !== 'variable') {
      fail(
        nameTok,
        `opaque '${nameTok.text}' needs a size: opaque ${nameTok.text}[n] or opaque ${nameTok.text}<n>`,
      );
    }
    if (spec.kind === 'string' && shape.kind !== 'variable') {
      fail(
        nameTok,
        `string '${nameTok.text}' needs a maximum: string ${nameTok.text}<n> or string ${nameTok.text}<>`,
      );
    }
    if (pending) {
      const name = nameHint(nameTok.text);
      pending.def.name = name;
      pending.spec.name = name;
      defs.push(pending.def);
      return { name: nameTok.text, pos: pos(nameTok), type: pending.spec, shape };
    }
    return { name: nameTok.text, pos: pos(nameTok), type: spec, shape };
  };

  const enumBody = (name: string, at: Token): Definition => {
    expect('{', 'to open the enum body');
    const members: EnumMember[] = [];
    for (;;) {
      const n = identifier('an enum member name');
      if (is('=')) {
        next();
        members.push({ name: n.text, value: value('an enum value'), pos: pos(n) });
      } else {
        // rpcgen dialect (key_prot.x): C-style implicit values, the previous member's value + 1.
        const prev = members[members.length - 1];
        const v: Value = !prev
          ? { kind: 'number', value: 0n, pos: pos(n) }
          : prev.value.kind === 'number'
            ? { kind: 'number', value: prev.value.value + 1n, pos: pos(n) }
            : { kind: 'name', name: prev.value.name, offset: (prev.value.offset ?? 0n) + 1n, pos: pos(n) };
        members.push({ name: n.text, value: v, pos: pos(n) });
      }
      if (is(',')) {
        next();
        if (is('}')) break; // a trailing comma, as C allows
        continue;
      }
      break;
    }
    expect('}', 'to close the enum body');
    return { kind: 'enum', name, pos: pos(at), members };
  };

  const structBody = (name: string, at: Token): Definition => {
    expect('{', 'to open the struct body');
    const members: Declaration[] = [];
    const def: Definition = { kind: 'struct', name, pos: pos(at), members };
    do {
      const d = declaration(false, (m) => `${def.name}_${m}`) as Declaration;
      members.push(d);
      expect(';', `after member '${d.name}'`);
    } while (!is('}'));
    expect('}');
    return def;
  };

  const unionBody = (name: string, at: Token): Definition => {
    expect('switch', 'after union');
    expect('(');
    const disc = declaration(false, (m) => `${name}_${m}`) as Declaration;
    expect(')');
    expect('{', 'to open the union body');
    const cases: UnionCase[] = [];
    const def: Definition = { kind: 'union', name, pos: pos(at), discriminant: disc, cases };
    while (!is('}')) {
      if (is('default')) {
        const d = next();
        if (def.defaultArm) fail(d, 'a union has at most one default arm');
        expect(':');
        def.defaultArm = declaration(true, (m) => `${def.name}_${m}`);
        expect(';');
        continue;
      }
      const values: Value[] = [];
      if (!is('case'))
        fail(peek(), `expected 'case', 'default' or '}' in union body, found ${describe(peek())}`);
      while (is('case')) {
        next();
        values.push(value('a case value'));
        expect(':');
      }
      const arm = declaration(true, (m) => `${def.name}_${m}`);
      expect(';');
      cases.push({ values, arm });
    }
    expect('}');
    if (cases.length === 0) fail(peek(-1), 'a union needs at least one case');
    return def;
  };

  const procedure = (): ProcedureDef => {
    let result: TypeSpec | 'void';
    if (is('void')) {
      next();
      result = 'void';
    } else {
      const r = typeSpec();
      if (r.pending) fail(peek(-1), 'inline struct/union/enum types are not allowed as procedure results');
      result = r.spec;
    }
    const n = identifier('a procedure name');
    expect('(');
    const args: TypeSpec[] = [];
    if (is('void') && is(')', 1)) {
      next();
    } else {
      for (;;) {
        const a = typeSpec();
        if (a.pending) fail(n, 'inline struct/union/enum types are not allowed as procedure arguments');
        args.push(a.spec);
        if (!is(',')) break;
        next();
      }
    }
    expect(')');
    expect('=');
    const number = value('a procedure number');
    expect(';', `after procedure '${n.text}'`);
    return { name: n.text, pos: pos(n), result, args, number };
  };

  while (peek().kind !== 'eof') {
    const t = next();
    if (t.kind !== 'ident')
      fail(t, `expected a definition (const, typedef, enum, struct, union, program), found ${describe(t)}`);
    switch (t.text) {
      case 'const': {
        const n = identifier('a constant name');
        expect('=');
        const v = peek();
        if (v.kind === 'string') {
          next();
          defs.push({
            kind: 'const',
            name: n.text,
            pos: pos(n),
            value: { kind: 'string', text: v.text, pos: pos(v) },
          });
        } else {
          defs.push({ kind: 'const', name: n.text, pos: pos(n), value: value('a constant') });
        }
        expect(';', `after constant '${n.text}'`);
        break;
      }
      case 'typedef': {
        // `typedef struct x x;` restates a C tag as a type name: nothing to define in XDR.
        if (
          (is('struct') || is('union') || is('enum')) &&
          peek(1).kind === 'ident' &&
          is(peek(1).text, 2) &&
          is(';', 3)
        ) {
          i += 3;
          expect(';');
          break;
        }
        const d = declaration(false, (m) => m) as Declaration;
        const hoisted = defs[defs.length - 1];
        if (
          d.type.kind === 'named' &&
          hoisted &&
          hoisted.name === d.name &&
          d.shape.kind === 'plain' &&
          d.type.name === d.name
        ) {
          // `typedef struct {…} name;` — the hoisted definition already carries the name.
        } else {
          defs.push({ kind: 'typedef', name: d.name, pos: d.pos, decl: d });
        }
        expect(';', `after typedef '${d.name}'`);
        break;
      }
      case 'enum':
      case 'struct':
      case 'union': {
        const n = identifier(`a ${t.text} name`);
        const def =
          t.text === 'enum'
            ? enumBody(n.text, n)
            : t.text === 'struct'
              ? structBody(n.text, n)
              : unionBody(n.text, n);
        defs.push(def);
        expect(';', `after ${t.text} '${n.text}'`);
        break;
      }
      case 'program': {
        const n = identifier('a program name');
        expect('{');
        const versions: VersionDef[] = [];
        do {
          expect('version', 'to start a version');
          const vn = identifier('a version name');
          expect('{');
          const procedures: ProcedureDef[] = [];
          do procedures.push(procedure());
          while (!is('}'));
          expect('}');
          expect('=');
          const number = value('a version number');
          expect(';', `after version '${vn.text}'`);
          versions.push({ name: vn.text, pos: pos(vn), procedures, number });
        } while (!is('}'));
        expect('}');
        expect('=');
        const number = value('a program number');
        expect(';', `after program '${n.text}'`);
        defs.push({ kind: 'program', name: n.text, pos: pos(n), versions, number });
        break;
      }
      default:
        fail(t, `expected a definition (const, typedef, enum, struct, union, program), found ${describe(t)}`);
    }
  }
  return defs;
}
