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

  // ---------------------------------------------------------------- codecs, in dependency order
  const done = new Set<string>();
  const visiting = new Set<string>();
  const ref = (name: string): string => (done.has(name) ? `xdr_${name}` : `xdr.lazy(() => xdr_${name})`);
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
        return `xdr.optional(${b})`;
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
  for (const name of model.externals) visit(name);
  for (const d of model.definitions) {
    if (d.kind === 'const' || d.kind === 'program') continue;
    visit(d.name);
  }
  for (const p of model.programs) emitProgram(p, out, baseType, declCodec);
  return `${out.join('\n').trimEnd()}\n`;
}

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
