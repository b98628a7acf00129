// Test helpers for rpcgen: compile .x files with node:fs, type-check generated modules with the
// TypeScript compiler API, and build fast-check arbitraries for any type of a checked model.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import fc from 'fast-check';
import ts from 'typescript';
import type { Declaration, MaybeVoid, TypeSpec } from '../../../src/rpc/rpcgen/ast.js';
import { isVoid } from '../../../src/rpc/rpcgen/ast.js';
import type { Checked } from '../../../src/rpc/rpcgen/checker.js';
import { type CompileOptions, compile } from '../../../src/rpc/rpcgen/index.js';

export const repoRoot = resolve(new URL('../../..', import.meta.url).pathname);
export const generatedDir = join(repoRoot, 'test/rpc/generated');

export const fsOptions = (includeDirs: string[] = []): CompileOptions => ({
  readFile: (p) => (existsSync(p) ? readFileSync(p, 'utf8') : undefined),
  resolve,
  dirname,
  includeDirs,
});

/** Compiles a .x file into test/rpc/generated/<sub>/<name>.ts; returns the path and the model. */
export function generate(
  file: string,
  sub: string,
  includeDirs: string[] = [],
): { path: string; model: Checked } {
  const dir = join(generatedDir, sub);
  mkdirSync(dir, { recursive: true });
  const { ts: text, model } = compile(file, readFileSync(file, 'utf8'), fsOptions(includeDirs));
  const path = join(dir, `${basename(file, '.x')}.ts`);
  writeFileSync(path, text);
  return { path, model };
}

/** Type-checks files with the repo's tsconfig options; returns the diagnostics as text lines. */
export function typeCheck(files: string[]): string[] {
  const cfg = ts.readConfigFile(join(repoRoot, 'tsconfig.json'), ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(cfg.config, ts.sys, repoRoot);
  const program = ts.createProgram(files, { ...parsed.options, noEmit: true });
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
    const msg = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    return `${d.file?.fileName ?? ''}:${where ? where.line + 1 : 0}: ${msg}`;
  });
}

/** A fast-check arbitrary for every value of a named type in the model (lists cut short by depth). */
export function arbitraryFor(model: Checked, typeName: string): fc.Arbitrary<unknown> {
  const num = (v: Parameters<Checked['valueOf']>[0]) => Number(model.valueOf(v));
  const ascii = (max: number) =>
    fc.string({ unit: fc.constantFrom(...'abcxyz/._-019'), maxLength: Math.min(max, 6) });
  const base = (t: TypeSpec, depth: number): fc.Arbitrary<unknown> => {
    switch (t.kind) {
      case 'prim':
        switch (t.prim) {
          case 'int':
            return fc.integer({ min: -0x80000000, max: 0x7fffffff });
          case 'unsigned':
            return fc.integer({ min: 0, max: 0xffffffff });
          case 'hyper':
            return fc.bigInt(-(1n << 63n), (1n << 63n) - 1n);
          case 'uhyper':
            return fc.bigInt(0n, (1n << 64n) - 1n);
          case 'float':
            return fc.float();
          case 'double':
            return fc.double();
          case 'quadruple':
            return fc.uint8Array({ minLength: 16, maxLength: 16 });
          case 'bool':
            return fc.boolean();
        }
        break;
      case 'string':
        return ascii(0xffffffff);
      case 'opaque':
        return fc.uint8Array({ maxLength: 8 });
      case 'named':
        return named(t.name, depth);
    }
  };
  const decl = (d: Declaration, depth: number): fc.Arbitrary<unknown> => {
    const s = d.shape;
    if (d.type.kind === 'opaque') {
      if (s.kind === 'fixed') {
        const n = num(s.size);
        return fc.uint8Array({ minLength: n, maxLength: n });
      }
      return fc.uint8Array({ maxLength: s.kind === 'variable' && s.max ? Math.min(num(s.max), 8) : 8 });
    }
    if (d.type.kind === 'string') return ascii(s.kind === 'variable' && s.max ? num(s.max) : 0xffffffff);
    switch (s.kind) {
      case 'plain':
        return base(d.type, depth);
      case 'optional':
        return depth > 2 ? fc.constant(null) : fc.option(base(d.type, depth + 1), { nil: null });
      case 'fixed': {
        const n = num(s.size);
        return fc.array(base(d.type, depth + 1), { minLength: n, maxLength: n });
      }
      case 'variable': {
        if (depth > 2) return fc.constant([]);
        return fc.array(base(d.type, depth + 1), { maxLength: Math.min(s.max ? num(s.max) : 3, 3) });
      }
    }
  };
  const named = (name: string, depth: number): fc.Arbitrary<unknown> => {
    const t = model.types.get(name);
    if (!t) throw new Error(`no type ${name}`);
    switch (t.kind) {
      case 'typedef':
        return decl(t.decl, depth);
      case 'enum':
        return fc.constantFrom(...t.members.map((m) => num(m.value)));
      case 'struct':
        return fc.record(Object.fromEntries(t.members.map((m) => [m.name, decl(m, depth)])), {
          noNullPrototype: true,
        });
      case 'union': {
        let dt: TypeSpec = t.discriminant.type;
        while (dt.kind === 'named') {
          const x = model.types.get(dt.name)!;
          if (x.kind !== 'typedef') break;
          dt = x.decl.type;
        }
        const isBool = dt.kind === 'prim' && dt.prim === 'bool';
        const tagOf = (n: bigint) => (isBool ? n !== 0n : Number(n));
        const arm = (a: MaybeVoid) => (isVoid(a) ? fc.constant(undefined) : decl(a, depth));
        const choices = t.cases.map((c) =>
          fc.record(
            { tag: fc.constantFrom(...c.values.map((v) => tagOf(model.valueOf(v)))), value: arm(c.arm) },
            { noNullPrototype: true },
          ),
        );
        if (t.defaultArm) {
          const listed = new Set(t.cases.flatMap((c) => c.values.map((v) => tagOf(model.valueOf(v)))));
          let others: fc.Arbitrary<unknown> | undefined;
          if (isBool) {
            const rest = [true, false].filter((b) => !listed.has(b));
            if (rest.length) others = fc.constantFrom(...rest);
          } else if (dt.kind === 'named') {
            const e = model.types.get(dt.name)!;
            const vals =
              e.kind === 'enum' ? e.members.map((m) => num(m.value)).filter((v) => !listed.has(v)) : [];
            if (vals.length) others = fc.constantFrom(...vals); // else every value has its case
          } else {
            const unsigned = dt.kind === 'prim' && dt.prim === 'unsigned';
            others = fc
              .integer(unsigned ? { min: 0, max: 0xffffffff } : { min: -0x80000000, max: 0x7fffffff })
              .filter((v) => !listed.has(v));
          }
          if (others) {
            const dflt = fc.record({ tag: others, value: arm(t.defaultArm) }, { noNullPrototype: true });
            choices.push(dflt as (typeof choices)[number]);
          }
        }
        return fc.oneof(...choices);
      }
    }
  };
  return named(typeName, 0);
}
