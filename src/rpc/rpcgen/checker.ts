// Semantic checks for a parsed .x file — strict where rpcgen is lax (RFC 4506 §6.4, RFC 5531
// §12.3): duplicate or undefined names, duplicate program/version/procedure numbers, constants out
// of range, bad union discriminants and case labels, types that contain themselves. Every error is
// a SyntaxError_ with file, line and column.

import { SyntaxError_ } from '../../core/errors.js';
import type { Declaration, Definition, MaybeVoid, TypeSpec, Value } from './ast.js';
import { isVoid } from './ast.js';
import type { Pos } from './lexer.js';

/** Types and constants real .x files take from C headers (<rpc/xdr.h>, <rpc/types.h>, <rpc/auth.h>, <rpc/auth_des.h>). */
export const EXTERNALS = `
struct netobj { opaque n_bytes<1024>; };
struct netbuf { unsigned int maxlen; opaque buf<>; };
typedef opaque des_block[8];
const MAXNETNAMELEN = 255;
`;

export type ConstValue = { kind: 'number'; value: bigint } | { kind: 'string'; text: string };

export interface ProcedureInfo {
  name: string;
  number: number;
  result: TypeSpec | 'void';
  args: TypeSpec[];
  pos: Pos;
}
export interface VersionInfo {
  name: string;
  number: number;
  procedures: ProcedureInfo[];
}
export interface ProgramInfo {
  name: string;
  number: number;
  versions: VersionInfo[];
}

export type TypeDef = Exclude<Definition, { kind: 'const' } | { kind: 'program' }>;

export interface Checked {
  definitions: Definition[];
  /** Every constant by name (const, enum member, program, version, procedure names), resolved. */
  constants: Map<string, ConstValue>;
  /** Named types (typedef, enum, struct, union), including the externals actually used. */
  types: Map<string, TypeDef>;
  /** Names of the external types the file uses (emitted too). */
  externals: Set<string>;
  /** Names of the external constants the file uses (emitted too). */
  externalConstants: Set<string>;
  programs: ProgramInfo[];
  /** Resolves a Value to a bigint (after check, never throws for values in the file). */
  valueOf(v: Value): bigint;
}

const U32 = 0xffffffffn;
const I32_MIN = -0x80000000n;

export function check(definitions: Definition[], externals: Definition[] = []): Checked {
  const err = (p: Pos, msg: string): never => {
    throw new SyntaxError_(p.file, p.line, p.column, msg);
  };
  const where = (p: Pos) => `${p.file}:${p.line}:${p.column}`;

  // ---- one global namespace (RFC 5531 §12.3: program identifiers share it with constants and types)
  interface NameEntry {
    what: string;
    pos: Pos;
    value?: Value | { kind: 'string'; text: string; pos: Pos };
    /** procedure names may repeat across versions with the same number, as rpcb_prot.x does */
    procedure?: boolean;
  }
  const names = new Map<string, NameEntry>();
  const types = new Map<string, TypeDef>();
  const declare = (name: string, e: NameEntry) => {
    const prev = names.get(name);
    if (prev && !(prev.procedure && e.procedure)) {
      err(e.pos, `'${name}' is already defined as ${prev.what} at ${where(prev.pos)}`);
    }
    if (!prev) names.set(name, e);
    return prev;
  };
  const repeatedProcs: { name: string; value: Value; pos: Pos }[] = [];

  for (const d of definitions) {
    switch (d.kind) {
      case 'const':
        declare(d.name, { what: 'a constant', pos: d.pos, value: d.value });
        break;
      case 'enum':
        declare(d.name, { what: 'an enum type', pos: d.pos });
        types.set(d.name, d);
        for (const m of d.members)
          declare(m.name, { what: `a member of enum '${d.name}'`, pos: m.pos, value: m.value });
        break;
      case 'struct':
      case 'union':
      case 'typedef':
        declare(d.name, { what: `a ${d.kind === 'typedef' ? 'typedef' : `${d.kind} type`}`, pos: d.pos });
        types.set(d.name, d);
        break;
      case 'program': {
        declare(d.name, { what: 'a program', pos: d.pos, value: d.number });
        const vnames = new Map<string, Pos>();
        for (const v of d.versions) {
          const pv = vnames.get(v.name);
          if (pv)
            err(v.pos, `version '${v.name}' appears twice in program '${d.name}' (first at ${where(pv)})`);
          vnames.set(v.name, v.pos);
          declare(v.name, { what: `a version of program '${d.name}'`, pos: v.pos, value: v.number });
          const pnames = new Map<string, Pos>();
          for (const p of v.procedures) {
            const pp = pnames.get(p.name);
            if (pp)
              err(
                p.pos,
                `procedure '${p.name}' appears twice in version '${v.name}' (first at ${where(pp)})`,
              );
            pnames.set(p.name, p.pos);
            const prev = declare(p.name, {
              what: 'a procedure',
              pos: p.pos,
              value: p.number,
              procedure: true,
            });
            if (prev) repeatedProcs.push({ name: p.name, value: p.number, pos: p.pos });
          }
        }
        break;
      }
    }
  }
  // Externals: only where the file does not define the name itself.
  const externalTypes = new Map<string, TypeDef>();
  const externalConsts = new Map<string, NameEntry>();
  const usedExternalConsts = new Set<string>();
  for (const d of externals) {
    if (names.has(d.name)) continue;
    if (d.kind === 'const')
      externalConsts.set(d.name, { what: 'a constant from the C headers', pos: d.pos, value: d.value });
    else if (d.kind !== 'program') {
      externalTypes.set(d.name, d);
      names.set(d.name, { what: 'a type from the C headers', pos: d.pos });
    }
  }

  // ---- constants
  const constants = new Map<string, ConstValue>();
  const resolving = new Set<string>();
  const evalValue = (v: Value): bigint => {
    if (v.kind === 'number') return v.value;
    const c = resolveName(v.name, v.pos);
    if (c.kind !== 'number') return err(v.pos, `'${v.name}' is a string constant; a number is needed here`);
    return c.value + (v.offset ?? 0n);
  };
  const resolveName = (name: string, at: Pos): ConstValue => {
    const done = constants.get(name);
    if (done) return done;
    if (name === 'TRUE') return { kind: 'number', value: 1n };
    if (name === 'FALSE') return { kind: 'number', value: 0n };
    let e = names.get(name);
    if (!e && externalConsts.has(name)) {
      e = externalConsts.get(name)!;
      usedExternalConsts.add(name);
    }
    if (!e) return err(at, `undefined constant '${name}'`);
    if (!e.value) return err(at, `'${name}' is ${e.what} (defined at ${where(e.pos)}), not a constant`);
    if (resolving.has(name)) return err(at, `constant '${name}' is defined in terms of itself`);
    resolving.add(name);
    const ev = e.value;
    const c: ConstValue =
      ev.kind === 'string' ? { kind: 'string', text: ev.text } : { kind: 'number', value: evalValue(ev) };
    resolving.delete(name);
    constants.set(name, c);
    return c;
  };
  for (const [name, e] of names) if (e.value) resolveName(name, e.pos);
  for (const r of repeatedProcs) {
    const a = constants.get(r.name);
    const b = evalValue(r.value);
    if (a?.kind === 'number' && a.value !== b) {
      err(r.pos, `procedure '${r.name}' is ${b} here but ${a.value} in another version`);
    }
  }
  const u32 = (v: Value, what: string): number => {
    const n = evalValue(v);
    if (n < 0n || n > U32) err(v.pos, `${what} must be an unsigned 32-bit number, got ${n}`);
    return Number(n);
  };
  const i32 = (v: Value, what: string): number => {
    const n = evalValue(v);
    if (n < I32_MIN || n > U32) err(v.pos, `${what} must fit in 32 bits, got ${n}`);
    return Number(n > 0x7fffffffn ? n - 0x100000000n : n);
  };

  // ---- types
  const usedExternals = new Set<string>();
  const lookupType = (spec: TypeSpec & { kind: 'named' }): TypeDef => {
    const t = types.get(spec.name) ?? externalTypes.get(spec.name);
    if (!t) {
      const e = names.get(spec.name);
      return err(spec.pos, e ? `'${spec.name}' is ${e.what}, not a type` : `undefined type '${spec.name}'`);
    }
    if (spec.tag && spec.tag !== t.kind && !(t.kind === 'typedef')) {
      err(spec.pos, `'${spec.tag} ${spec.name}' names a ${t.kind}`);
    }
    if (externalTypes.has(spec.name) && !types.has(spec.name)) {
      usedExternals.add(spec.name);
      types.set(spec.name, t);
      checkDef(t);
    }
    return t;
  };
  /** The type a typedef chain ends at (a primitive, enum, struct or union). */
  const underlying = (spec: TypeSpec, seen = new Set<string>()): TypeSpec | TypeDef => {
    if (spec.kind !== 'named') return spec;
    const t = lookupType(spec);
    if (t.kind !== 'typedef') return t;
    if (seen.has(t.name)) return err(t.pos, `typedef '${t.name}' is defined in terms of itself`);
    seen.add(t.name);
    if (t.decl.shape.kind !== 'plain') return t;
    return underlying(t.decl.type, seen);
  };
  const checkDecl = (d: Declaration, inProcedure = false) => {
    if (d.type.kind === 'named') lookupType(d.type);
    const s = d.shape;
    if (s.kind === 'fixed') u32(s.size, `the size of '${d.name}'`);
    if (s.kind === 'variable' && s.max) u32(s.max, `the maximum size of '${d.name}'`);
    if (d.type.kind === 'string' && s.kind !== 'variable' && !inProcedure) {
      err(d.pos, `string '${d.name}' needs <n> or <>`);
    }
  };
  const checked = new Set<TypeDef>();
  const checkDef = (d: TypeDef) => {
    if (checked.has(d)) return;
    checked.add(d);
    switch (d.kind) {
      case 'typedef':
        checkDecl(d.decl);
        break;
      case 'enum':
        for (const m of d.members) i32(m.value, `enum value '${m.name}'`);
        break;
      case 'struct': {
        const seen = new Map<string, Pos>();
        for (const m of d.members) {
          const prev = seen.get(m.name);
          if (prev)
            err(m.pos, `member '${m.name}' appears twice in struct '${d.name}' (first at ${where(prev)})`);
          seen.set(m.name, m.pos);
          checkDecl(m);
        }
        break;
      }
      case 'union': {
        checkDecl(d.discriminant);
        const disc = d.discriminant.shape.kind === 'plain' ? underlying(d.discriminant.type) : undefined;
        let allowed: Set<bigint> | 'int' | 'unsigned' | undefined;
        if (disc && 'prim' in disc && (disc.prim === 'int' || disc.prim === 'unsigned')) allowed = disc.prim;
        else if (disc && 'prim' in disc && disc.prim === 'bool') allowed = new Set([0n, 1n]);
        else if (disc && disc.kind === 'enum') allowed = new Set(disc.members.map((m) => evalValue(m.value)));
        if (!allowed) {
          err(
            d.discriminant.pos,
            `union '${d.name}' discriminant must be int, unsigned int, an enum or bool`,
          );
        }
        const seen = new Map<bigint, Pos>();
        const armNames = new Map<string, Pos>();
        const arm = (a: MaybeVoid) => {
          if (isVoid(a)) return;
          checkDecl(a);
        };
        for (const c of d.cases) {
          for (const v of c.values) {
            const n = evalValue(v);
            if (allowed === 'unsigned' && (n < 0n || n > U32))
              err(v.pos, `case ${n} does not fit an unsigned int`);
            if (allowed === 'int' && (n < I32_MIN || n > 0x7fffffffn))
              err(v.pos, `case ${n} does not fit an int`);
            if (allowed instanceof Set && !allowed.has(n)) {
              err(v.pos, `case ${v.kind === 'name' ? v.name : n} is not a value of the discriminant's type`);
            }
            const prev = seen.get(n);
            if (prev)
              err(v.pos, `case value ${n} appears twice in union '${d.name}' (first at ${where(prev)})`);
            seen.set(n, v.pos);
          }
          arm(c.arm);
          if (!isVoid(c.arm)) {
            const prev = armNames.get(c.arm.name);
            // rpcgen emits one C union member per arm name; the same name with two types cannot work.
            if (prev)
              err(
                c.arm.pos,
                `arm name '${c.arm.name}' appears twice in union '${d.name}' (first at ${where(prev)})`,
              );
            armNames.set(c.arm.name, c.arm.pos);
          }
        }
        if (d.defaultArm) arm(d.defaultArm);
        break;
      }
    }
  };
  for (const t of [...types.values()]) checkDef(t);

  // A struct or union that contains itself without optional data or a variable array is infinite.
  const visiting = new Set<string>();
  const finite = new Set<string>();
  const containment = (name: string, at: Pos) => {
    if (finite.has(name)) return;
    if (visiting.has(name)) err(at, `type '${name}' contains itself (use optional data: '${name} *next')`);
    const t = types.get(name);
    if (!t) return;
    visiting.add(name);
    const through = (d: MaybeVoid) => {
      if (isVoid(d)) return;
      if (d.type.kind !== 'named') return;
      if (d.shape.kind === 'optional' || d.shape.kind === 'variable') return;
      containment(d.type.name, d.pos);
    };
    if (t.kind === 'typedef') through(t.decl);
    if (t.kind === 'struct') t.members.forEach(through);
    if (t.kind === 'union') {
      for (const c of t.cases) through(c.arm);
      if (t.defaultArm) through(t.defaultArm);
    }
    visiting.delete(name);
    finite.add(name);
  };
  for (const [name, t] of types) containment(name, t.pos);

  // ---- programs
  const programs: ProgramInfo[] = [];
  const progNumbers = new Map<number, Pos>();
  const procType = (s: TypeSpec | 'void', what: string) => {
    if (s === 'void') return;
    if (s.kind === 'opaque') err(s.pos, `${what}: bare 'opaque' needs a typedef with a size`);
    if (s.kind === 'named') lookupType(s);
  };
  for (const d of definitions) {
    if (d.kind !== 'program') continue;
    const number = u32(d.number, `program number of '${d.name}'`);
    const prevP = progNumbers.get(number);
    if (prevP) err(d.number.pos, `program number ${number} is already used at ${where(prevP)}`);
    progNumbers.set(number, d.number.pos);
    const versions: VersionInfo[] = [];
    const vnums = new Map<number, Pos>();
    for (const v of d.versions) {
      const vn = u32(v.number, `version number of '${v.name}'`);
      const pv = vnums.get(vn);
      if (pv)
        err(
          v.number.pos,
          `version number ${vn} appears twice in program '${d.name}' (first at ${where(pv)})`,
        );
      vnums.set(vn, v.number.pos);
      const procedures: ProcedureInfo[] = [];
      const pnums = new Map<number, Pos>();
      for (const p of v.procedures) {
        const pn = u32(p.number, `procedure number of '${p.name}'`);
        const pp = pnums.get(pn);
        if (pp)
          err(
            p.number.pos,
            `procedure number ${pn} appears twice in version '${v.name}' (first at ${where(pp)})`,
          );
        pnums.set(pn, p.number.pos);
        procType(p.result, `result of '${p.name}'`);
        for (const a of p.args) procType(a, `argument of '${p.name}'`);
        procedures.push({ name: p.name, number: pn, result: p.result, args: p.args, pos: p.pos });
      }
      versions.push({ name: v.name, number: vn, procedures });
    }
    programs.push({ name: d.name, number, versions });
  }

  // Constants that are never sizes may still be 64-bit (NFSv4), but must fit in 64 bits signed or unsigned.
  for (const [name, c] of constants) {
    if (c.kind === 'number' && (c.value < -(1n << 63n) || c.value > 0xffffffffffffffffn)) {
      const e = names.get(name)!;
      err(e.pos, `constant '${name}' does not fit in 64 bits`);
    }
  }

  return {
    definitions,
    constants,
    types,
    externals: usedExternals,
    externalConstants: usedExternalConsts,
    programs,
    valueOf: evalValue,
  };
}
