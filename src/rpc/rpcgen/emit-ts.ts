// TypeScript output of netkit rpcgen: constants, enums as `as const` objects, types, XDR codecs
// (`xdr_NAME`, the same names rpcgen gives its C routines), and per program version a typed
// promise-based client and a server handler interface with a `register…` function.

import type { Declaration, MaybeVoid, TypeSpec, Value } from './ast.js';
import { isVoid } from './ast.js';
import type { Checked, TypeDef } from './checker.js';

export interface EmitOptions {
  /** Name of the .x file, for the header comment. */
  source: string;
  /**
   * Where the runtime lives: a package name (`netkit` → `netkit/rpc/xdr`, `netkit/rpc/oncrpc`) or a
   * relative path to netkit's `src` folder (`../../src` → `../../src/rpc/xdr/index.js`).
   */
  runtime?: string;
}

const TS_RESERVED = new Set(
  (
    'break case catch class const continue debugger default delete do else enum export extends false finally ' +
    'for function if import in instanceof new null return super switch this throw true try typeof var void ' +
    'while with as implements interface let package private protected public static yield any boolean ' +
    'number string symbol bigint object never unknown undefined type of await async declare keyof readonly ' +
    'infer is asserts unique global require module namespace abstract accessor constructor get set satisfies ' +
    'xdr rpc Uint8Array Promise Error Array Record Number BigInt Object'
  ).split(' '),
);

/** A .x identifier as a TypeScript identifier (reserved words and our own names get a trailing `_`). */
export function tsName(name: string): string {
  return TS_RESERVED.has(name) ? `${name}_` : name;
}

export function runtimeImports(runtime = 'netkit'): { xdr: string; oncrpc: string } {
  const rel = runtime.startsWith('.') || runtime.startsWith('/');
  return rel
    ? { xdr: `${runtime}/rpc/xdr/index.js`, oncrpc: `${runtime}/rpc/oncrpc/index.js` }
    : { xdr: `${runtime}/rpc/xdr`, oncrpc: `${runtime}/rpc/oncrpc` };
}

export function emitTypeScript(model: Checked, opts: EmitOptions): string {
  const out: string[] = [];
  const imports = runtimeImports(opts.runtime);
  const constNames = new Set<string>();
  for (const d of model.definitions) if (d.kind === 'const') constNames.add(d.name);

  const size = (v: Value): string => {
    if (v.kind === 'name' && constNames.has(v.name)) return tsName(v.name);
    return String(model.valueOf(v));
  };

  // ---------------------------------------------------------------- TypeScript types
  const baseType = (t: TypeSpec): string => {
    switch (t.kind) {
      case 'prim':
        return t.prim === 'hyper' || t.prim === 'uhyper'
          ? 'bigint'
          : t.prim === 'bool'
            ? 'boolean'
            : t.prim === 'quadruple'
              ? 'Uint8Array'
              : 'number';
      case 'string':
        return 'string';
      case 'opaque':
        return 'Uint8Array';
      case 'named':
        return tsName(t.name);
    }
  };
  const declType = (d: Declaration): string => {
    const b = baseType(d.type);
    switch (d.shape.kind) {
      case 'plain':
        return b;
      case 'optional':
        return `${b} | null`;
      case 'fixed':
      case 'variable':
        if (d.type.kind === 'opaque' || d.type.kind === 'string') return b;
        return /^[A-Za-z0-9_]+$/.test(b) ? `${b}[]` : `(${b})[]`;
    }
  };

  // ---------------------------------------------------------------- linked lists
  // `struct node { …; node *next; }` (or `list next;` with `typedef node *list;`) is a linked list
  // (RFC 4506 §4.19). Its optional-data chain is coded iteratively, so a long list (READDIR, rpcbind
  // DUMP) neither recurses per element nor hits the reader's nesting limit; values keep the .x shape.
  const chains = new Map<string, string>(); // struct name → its link member
  for (const t of model.types.values()) {
    if (t.kind !== 'struct' || t.members.length < 2) continue;
    const last = t.members[t.members.length - 1]!;
    if (last.type.kind !== 'named') continue;
    let target: string | undefined;
    if (last.shape.kind === 'optional') target = last.type.name;
    else if (last.shape.kind === 'plain') {
      const td = model.types.get(last.type.name);
      if (td?.kind === 'typedef' && td.decl.shape.kind === 'optional' && td.decl.type.kind === 'named') {
        target = td.decl.type.name;
      }
    }
    const others = t.members.slice(0, -1).some((m) => m.type.kind === 'named' && m.type.name === t.name);
    if (target === t.name && !others) chains.set(t.name, last.name);
  }

  // ---------------------------------------------------------------- codecs, in dependency order
  const done = new Set<string>();
  const visiting = new Set<string>();
  /** Inside a thunk (chain fields) every codec exists by the time it runs: no lazy needed. */
  let inThunk = false;
  const ref = (name: string): string =>
    done.has(name) || inThunk ? `xdr_${name}` : `xdr.lazy(() => xdr_${name})`;
  const baseCodec = (t: TypeSpec): string => {
    switch (t.kind) {
      case 'prim':
        return `xdr.${t.prim === 'unsigned' ? 'uint' : t.prim}`;
      case 'string':
        return 'xdr.string()';
      case 'opaque':
        return 'xdr.opaque()';
      case 'named':
        return ref(t.name);
    }
  };
  const declCodec = (d: Declaration): string => {
    const s = d.shape;
    if (d.type.kind === 'opaque') {
      return s.kind === 'fixed'
        ? `xdr.fixedOpaque(${size(s.size)})`
        : `xdr.opaque(${s.kind === 'variable' && s.max ? size(s.max) : ''})`;
    }
    if (d.type.kind === 'string') return `xdr.string(${s.kind === 'variable' && s.max ? size(s.max) : ''})`;
    const b = baseCodec(d.type);
    switch (s.kind) {
      case 'plain':
        return b;
      case 'optional':
        return d.type.kind === 'named' && chains.has(d.type.name)
          ? `xdrChain_${d.type.name}`
          : `xdr.optional(${b})`;
      case 'fixed':
        return `xdr.fixedArray(${b}, ${size(s.size)})`;
      case 'variable':
        return `xdr.array(${b}${s.max ? `, ${size(s.max)}` : ''})`;
    }
  };
  const depsOfSpec = (t: TypeSpec | 'void', acc: string[]) => {
    if (t !== 'void' && t.kind === 'named') acc.push(t.name);
  };
  const depsOf = (d: TypeDef): string[] => {
    const acc: string[] = [];
    const decl = (x: MaybeVoid) => {
      if (!isVoid(x)) depsOfSpec(x.type, acc);
    };
    if (d.kind === 'typedef') decl(d.decl);
    if (d.kind === 'struct') d.members.forEach(decl);
    if (d.kind === 'union') {
      decl(d.discriminant);
      for (const c of d.cases) decl(c.arm);
      if (d.defaultArm) decl(d.defaultArm);
    }
    return acc;
  };

  /** The TS type of a union's discriminant values and each case label as a TS literal type. */
  const discInfo = (d: TypeDef & { kind: 'union' }) => {
    let t: TypeSpec = d.discriminant.type;
    for (;;) {
      if (t.kind !== 'named') break;
      const def = model.types.get(t.name)!;
      if (def.kind === 'typedef' && def.decl.shape.kind === 'plain') t = def.decl.type;
      else break;
    }
    const enumDef = t.kind === 'named' ? (model.types.get(t.name) as TypeDef & { kind: 'enum' }) : undefined;
    const isBool = t.kind === 'prim' && t.prim === 'bool';
    const literal = (v: Value): string => {
      const n = model.valueOf(v);
      if (isBool) return n === 0n ? 'false' : 'true';
      if (enumDef && v.kind === 'name' && enumDef.members.some((m) => m.name === v.name)) {
        return `typeof ${tsName(enumDef.name)}.${v.name}`;
      }
      return String(n);
    };
    const runtimeValue = (v: Value): string => {
      const n = model.valueOf(v);
      return isBool ? (n === 0n ? 'false' : 'true') : String(n);
    };
    const discType = isBool ? 'boolean' : enumDef ? tsName(enumDef.name) : 'number';
    return { literal, runtimeValue, discType, isBool };
  };

  const emitDef = (d: TypeDef): void => {
    const name = tsName(d.name);
    const codec = `xdr_${d.name}`;
    switch (d.kind) {
      case 'enum': {
        const members = d.members.map((m) => `  ${m.name}: ${model.valueOf(m.value)},`).join('\n');
        out.push(`export const ${name} = {\n${members}\n} as const;`);
        out.push(`export type ${name} = (typeof ${name})[keyof typeof ${name}];`);
        out.push(`export const ${codec}: xdr.XdrType<${name}> = xdr.enumType<${name}>(${name});\n`);
        return;
      }
      case 'typedef':
        out.push(`export type ${name} = ${declType(d.decl)};`);
        out.push(`export const ${codec}: xdr.XdrType<${name}> = ${declCodec(d.decl)};\n`);
        return;
      case 'struct': {
        const fields = d.members.map((m) => `  ${m.name}: ${declType(m)};`).join('\n');
        out.push(`export interface ${name} {\n${fields}\n}`);
        const codecs = d.members.map((m) => `  ${m.name}: ${declCodec(m)},`).join('\n');
        out.push(`export const ${codec}: xdr.XdrType<${name}> = xdr.struct<${name}>({\n${codecs}\n});\n`);
        return;
      }
      case 'union': {
        const info = discInfo(d);
        const armType = (a: MaybeVoid) => (isVoid(a) ? 'value?: undefined' : `value: ${declType(a)}`);
        const armCodec = (a: MaybeVoid) => (isVoid(a) ? 'xdr.voidType' : declCodec(a));
        const variants = d.cases.map(
          (c) => `  | { tag: ${c.values.map(info.literal).join(' | ')}; ${armType(c.arm)} }`,
        );
        if (d.defaultArm) {
          const listed = d.cases.flatMap((c) => c.values.map(info.literal)).join(' | ');
          const tag = info.discType === 'number' ? 'number' : `Exclude<${info.discType}, ${listed}>`;
          variants.push(`  | { tag: ${tag}; ${armType(d.defaultArm)} }`);
        }
        out.push(`export type ${name} =\n${variants.join('\n')};`);
        const arms = d.cases
          .map((c) => `    [[${c.values.map(info.runtimeValue).join(', ')}], ${armCodec(c.arm)}],`)
          .join('\n');
        const dt = info.isBool ? 'boolean' : 'number';
        const disc = declCodec(d.discriminant);
        out.push(
          `export const ${codec}: xdr.XdrType<${name}> = xdr.union<${dt}>({\n` +
            `  disc: ${disc},\n  arms: [\n${arms}\n  ],\n` +
            (d.defaultArm ? `  defaultArm: ${armCodec(d.defaultArm)},\n` : '') +
            '}) as unknown as xdr.XdrType<' +
            `${name}>;\n`,
        );
        return;
      }
    }
  };
  const visit = (name: string) => {
    if (done.has(name) || visiting.has(name)) return;
    const d = model.types.get(name);
    if (!d) return;
    visiting.add(name);
    for (const dep of depsOf(d)) visit(dep);
    visiting.delete(name);
    emitDef(d);
    done.add(name);
  };

  // ---------------------------------------------------------------- the file
  out.push(`// Generated by netkit rpcgen from ${opts.source}. Do not edit: change the .x file and run`);
  out.push(`// \`netkit rpcgen ${opts.source}\` again.`);
  out.push('/* eslint-disable */');
  out.push(`import * as xdr from '${imports.xdr}';`);
  if (model.programs.length) out.push(`import type * as rpc from '${imports.oncrpc}';`);
  out.push('');

  for (const name of model.externalConstants) {
    const c = model.constants.get(name);
    if (c?.kind === 'number') out.push(`export const ${tsName(name)} = ${c.value};`);
    constNames.add(name);
  }
  for (const d of model.definitions) {
    if (d.kind === 'const') {
      const c = model.constants.get(d.name)!;
      const v =
        c.kind === 'string'
          ? c.text
          : c.value >= BigInt(Number.MIN_SAFE_INTEGER) && c.value <= BigInt(Number.MAX_SAFE_INTEGER)
            ? String(c.value)
            : `${c.value}n`;
      out.push(`export const ${tsName(d.name)} = ${v};`);
    }
  }
  if (constNames.size) out.push('');
  if (chains.size) {
    out.push(CHAIN_HELPER);
    for (const [name, link] of chains) {
      const def = model.types.get(name) as TypeDef & { kind: 'struct' };
      inThunk = true;
      const fields = def.members.slice(0, -1).map((m) => `['${m.name}', ${declCodec(m)}]`);
      inThunk = false;
      out.push(
        `/** \`${name} *\` lists, coded iteratively: ${fields.length} field(s) per element, then \`${link}\`. */`,
      );
      out.push(
        `const xdrChain_${name}: xdr.XdrType<${tsName(name)} | null> = xdrChain$(() => [${fields.join(', ')}], '${link}');`,
      );
    }
    out.push('');
  }
  for (const name of model.externals) visit(name);
  for (const d of model.definitions) {
    if (d.kind === 'const' || d.kind === 'program') continue;
    visit(d.name);
  }
  for (const p of model.programs) emitProgram(p, out, baseType, declCodec);
  return `${out.join('\n').trimEnd()}\n`;
}

const CHAIN_HELPER = `/** Linked-list codec (optional data chained through \`link\`): iterative both ways. */
function xdrChain$<T>(fields: () => [string, xdr.XdrType<unknown>][], link: string): xdr.XdrType<T | null> {
  let f: [string, xdr.XdrType<unknown>][] | undefined;
  return {
    min: 4,
    encode(w, v) {
      f ??= fields();
      type Node = Record<string, unknown> | null;
      let slow = v as Node;
      let i = 0;
      for (let n = v as Node; n; n = n[link] as Node) {
        w.uint(1);
        for (const [k, c] of f) c.encode(w, n[k]);
        // A cycle would never end: the slow pointer meets the fast one inside it (Floyd).
        if (++i % 2 === 0) slow = slow![link] as Node;
        if (slow === n[link] && slow) throw new xdr.XdrEncodeError(\`list through '\${link}' has a cycle\`);
      }
      w.uint(0);
    },
    decode(r) {
      f ??= fields();
      let head: Record<string, unknown> | null = null;
      let tail: Record<string, unknown> | null = null;
      while (r.bool()) {
        const o: Record<string, unknown> = {};
        for (const [k, c] of f) o[k] = c.decode(r);
        o[link] = null;
        if (tail) tail[link] = o;
        else head = o;
        tail = o;
      }
      return head as T | null;
    },
  };
}
`;

const BARE_STRING = 'const xdrString$: xdr.XdrType<string> = xdr.string();';

function emitProgram(
  p: Checked['programs'][number],
  out: string[],
  baseType: (t: TypeSpec) => string,
  declCodec: (d: Declaration) => string,
): void {
  const codecOf = (t: TypeSpec | 'void'): string => {
    if (t === 'void') return 'xdr.voidType';
    if (t.kind === 'string') return 'xdrString$';
    return declCodec({ name: '', pos: t.pos, type: t, shape: { kind: 'plain' } });
  };
  const typeOf = (t: TypeSpec | 'void') => (t === 'void' ? 'void' : baseType(t));
  out.push(`export const ${tsName(p.name)} = ${p.number};`);
  const bareString = p.versions.some((v) =>
    v.procedures.some((pr) => [pr.result, ...pr.args].some((t) => t !== 'void' && t.kind === 'string')),
  );
  // One codec for bare `string` arguments and results, not one per call.
  if (bareString && !out.includes(BARE_STRING)) out.push(BARE_STRING);
  for (const v of p.versions) {
    const id = `${p.name}_${v.number}`;
    out.push(`export const ${tsName(v.name)} = ${v.number};`);
    out.push(`/** Procedure numbers of ${p.name} version ${v.number}. */`);
    out.push(
      `export const ${id}_procedures = {\n${v.procedures.map((pr) => `  ${pr.name}: ${pr.number},`).join('\n')}\n} as const;\n`,
    );

    // Argument codecs: none (void), the one type, or -N style several packed one after another.
    const argCodec = new Map<string, string>();
    for (const pr of v.procedures) {
      if (pr.args.length <= 1) {
        argCodec.set(pr.name, codecOf(pr.args[0] ?? 'void'));
        continue;
      }
      const name = `${id}_${pr.name}_args`;
      const fields = pr.args.map((a, i) => `arg${i + 1}: ${typeOf(a)}`).join('; ');
      const codecs = pr.args.map((a, i) => `arg${i + 1}: ${codecOf(a)}`).join(', ');
      out.push(`/** The arguments of ${pr.name}, sent one after another (rpcgen -N). */`);
      out.push(`const ${name}: xdr.XdrType<{ ${fields} }> = xdr.struct({ ${codecs} });`);
      argCodec.set(pr.name, name);
    }
    const params = (pr: (typeof v.procedures)[number]) =>
      pr.args.length === 1
        ? [`arg: ${typeOf(pr.args[0]!)}`]
        : pr.args.map((a, i) => `arg${i + 1}: ${typeOf(a)}`);
    const argValue = (pr: (typeof v.procedures)[number]) =>
      pr.args.length === 0
        ? 'undefined'
        : pr.args.length === 1
          ? 'arg'
          : `{ ${pr.args.map((_, i) => `arg${i + 1}`).join(', ')} }`;
    const isNull = (pr: (typeof v.procedures)[number]) =>
      pr.number === 0 && pr.args.length === 0 && pr.result === 'void';

    // Client
    out.push(`/** A typed client for ${p.name} version ${v.number}: one method per procedure. */`);
    out.push(`export interface ${id}_Client {`);
    for (const pr of v.procedures) {
      out.push(
        `  ${pr.name}(${[...params(pr), 'opts?: rpc.CallOptions'].join(', ')}): Promise<${typeOf(pr.result)}>;`,
      );
    }
    out.push('}\n');
    out.push(
      `/** Wraps a connected client (\`tcpClient\`/\`udpClient\` from netkit's oncrpc) for ${p.name} v${v.number}. */`,
    );
    out.push(`export function ${id}_client(client: rpc.RpcClient): ${id}_Client {`);
    out.push('  return {');
    for (const pr of v.procedures) {
      out.push(`    ${pr.name}(${[...params(pr), 'opts?: rpc.CallOptions'].join(', ')}) {`);
      out.push(
        `      return client.call(${p.number}, ${v.number}, ${pr.number}, ${argCodec.get(pr.name)}, ${argValue(pr)}, ${codecOf(pr.result)}, opts);`,
      );
      out.push('    },');
    }
    out.push('  };\n}\n');

    // Server
    out.push(
      `/** What a server for ${p.name} version ${v.number} implements; \`call\` tells who is calling. */`,
    );
    out.push(`export interface ${id}_Handlers {`);
    for (const pr of v.procedures) {
      const ret = typeOf(pr.result);
      const opt = isNull(pr) ? '?' : '';
      out.push(
        `  ${pr.name}${opt}(${[...params(pr), 'call: rpc.CallInfo'].join(', ')}): ${ret} | Promise<${ret}>;`,
      );
    }
    out.push('}\n');
    out.push(
      `/** The program version for \`RpcDispatcher.add\` (a missing NULL handler answers with nothing). */`,
    );
    out.push(`export function ${id}_program(h: ${id}_Handlers): rpc.ProgramVersion {`);
    out.push('  return {');
    out.push(`    prog: ${p.number},`);
    out.push(`    vers: ${v.number},`);
    out.push(`    name: '${p.name}',`);
    out.push('    procs: {');
    for (const pr of v.procedures) {
      const a = pr.args.length === 1 ? 'arg' : pr.args.length === 0 ? '_arg' : 'a';
      const callArgs =
        pr.args.length === 0
          ? ['call']
          : pr.args.length === 1
            ? ['arg', 'call']
            : [...pr.args.map((_, i) => `a.arg${i + 1}`), 'call'];
      const body = isNull(pr)
        ? `h.${pr.name} ? h.${pr.name}(call) : undefined`
        : `h.${pr.name}(${callArgs.join(', ')})`;
      out.push(`      ${pr.number}: {`);
      out.push(`        name: '${pr.name}',`);
      out.push(`        arg: ${argCodec.get(pr.name)},`);
      out.push(`        res: ${codecOf(pr.result)},`);
      out.push(
        `        handler: (${a}: ${pr.args.length > 1 ? `xdr.XdrValue<typeof ${argCodec.get(pr.name)}>` : pr.args.length === 1 ? typeOf(pr.args[0]!) : 'void'}, call: rpc.CallInfo) => ${body},`,
      );
      out.push('      },');
    }
    out.push('    },');
    out.push('  };\n}\n');
    out.push(
      `/** Registers ${p.name} version ${v.number} with a dispatcher (serve it with listenRpcTcp / listenRpcUdp). */`,
    );
    out.push(
      `export function register_${id}(dispatcher: rpc.RpcDispatcher, h: ${id}_Handlers): rpc.RpcDispatcher {`,
    );
    out.push(`  return dispatcher.add(${id}_program(h));\n}\n`);
  }
}
