// netkit rpcgen: .x file (RFC 4506 §6, RFC 5531 §12, rpcgen dialect) → one TypeScript module.
// Pipeline: preprocess → lex → parse → check → emit. File access is passed in (no node:fs here).

import { SyntaxError_ } from '../../core/errors.js';
import type { Definition } from './ast.js';
import { type Checked, check, EXTERNALS } from './checker.js';
import { emitTypeScript } from './emit-ts.js';
import { lex } from './lexer.js';
import { parse } from './parser.js';
import { type PreprocessOptions, preprocess } from './preprocess.js';

export type { Checked } from './checker.js';
export { tsName } from './emit-ts.js';

export interface CompileOptions extends Omit<PreprocessOptions, 'defines'> {
  /**
   * `-D NAME[=VALUE]`. RPC_HDR is defined unless given here as undefined (`{ RPC_HDR: undefined }`):
   * the TypeScript module plays the role of rpcgen's header (types and constants).
   */
  defines?: Record<string, string | undefined>;
  /** See EmitOptions.runtime: `netkit` (default) or a relative path to netkit's src folder. */
  runtime?: string;
  /** Name shown in the generated header (default: the file name). */
  sourceName?: string;
}

let externalDefs: Definition[] | undefined;
function externals(): Definition[] {
  externalDefs ??= parse(
    lex({
      lines: EXTERNALS.split('\n').map((text, i) => ({ file: '<C headers>', line: i + 1, text })),
      defines: new Map(),
    }),
  );
  return externalDefs;
}

/**
 * Parses a file and what its `%` lines pull in (rpcgen dialect):
 * - `%#define NAME 123` is a C macro rpcgen passes through and sizes may use (nlm_prot.x): a constant.
 * - `%#include <rpcsvc/foo.h>` / `"foo.h"` names the header rpcgen makes from foo.x (nis_callback.x):
 *   when foo.x is found on the search path, its constants and types (not its programs) are taken in.
 */
function parseWithHeaders(file: string, text: string, opts: CompileOptions, stack: string[]): Definition[] {
  const defines: Record<string, string> = {};
  for (const [k, v] of Object.entries({ RPC_HDR: '1', ...opts.defines })) if (v !== undefined) defines[k] = v;
  const pre = preprocess(file, text, { ...opts, defines });
  const defs = parse(lex(pre));
  const defined = new Set(defs.map((d) => d.name));
  const extra: Definition[] = [];
  const macros = new Map<string, bigint>();
  for (const d of defs)
    if (d.kind === 'const' && d.value.kind === 'number') macros.set(d.name, d.value.value);
  for (const l of pre.lines) {
    if (l.passthrough === undefined) continue;
    const def = /^\s*#\s*define\s+([A-Za-z_][A-Za-z0-9_]*)\s+([^(].*)$/.exec(l.passthrough);
    if (def) {
      const v = defined.has(def[1]!) ? undefined : evalMacro(def[2]!.replace(/\/\*.*?\*\//g, ' '), macros);
      if (v !== undefined) {
        const p = { file: l.file, line: l.line, column: 1 };
        extra.push({ kind: 'const', name: def[1]!, pos: p, value: { kind: 'number', value: v, pos: p } });
        defined.add(def[1]!);
        macros.set(def[1]!, v);
      }
      continue;
    }
    const inc = /^\s*#\s*include\s+[<"]([^>"]+)\.h[>"]/.exec(l.passthrough);
    if (!inc) continue;
    const want = `${inc[1]}.x`;
    const base = want.split('/').pop()!;
    const dirs = [opts.dirname(file), ...(opts.includeDirs ?? [])];
    for (const dir of dirs) {
      let found: string | undefined;
      let body: string | undefined;
      for (const cand of [opts.resolve(dir, want), opts.resolve(dir, base)]) {
        body = opts.readFile(cand);
        if (body !== undefined) {
          found = cand;
          break;
        }
      }
      if (found === undefined || body === undefined) continue;
      if (stack.includes(found)) break; // a header including its includer: already being read
      if (stack.length > 16)
        throw new SyntaxError_(l.file, l.line, 1, 'header includes nested deeper than 16');
      for (const d of parseWithHeaders(found, body, opts, [...stack, found])) {
        if (d.kind !== 'program' && !defined.has(d.name)) {
          extra.push(d);
          defined.add(d.name);
        }
      }
      break;
    }
  }
  return [...extra, ...defs];
}

/** Parses and checks a .x file; throws SyntaxError_ with file, line and column. */
export function analyze(file: string, text: string, opts: CompileOptions): Checked {
  return check(parseWithHeaders(file, text, opts, [file]), externals());
}

/** Compiles a .x file to the text of one TypeScript module. */
export function compile(file: string, text: string, opts: CompileOptions): { ts: string; model: Checked } {
  const model = analyze(file, text, opts);
  const ts = emitTypeScript(model, {
    source: opts.sourceName ?? file.split('/').pop()!,
    runtime: opts.runtime,
  });
  return { ts, model };
}

/**
 * Value of a passed-through C macro body when it is an integer expression over numbers and known
 * names (`LM_MAXSTRLEN+1`, `(NIS_READ_ACC << 8)`); undefined for anything else (pointers, calls…).
 */
function evalMacro(body: string, known: Map<string, bigint>): bigint | undefined {
  const toks = body.match(/0[xX][0-9a-fA-F]+|\d+|[A-Za-z_]\w*|<<|>>|\S/g) ?? [];
  let i = 0;
  const prec: Record<string, number> = { '|': 1, '&': 2, '<<': 3, '>>': 3, '+': 4, '-': 4, '*': 5 };
  const primary = (): bigint | undefined => {
    const t = toks[i++];
    if (t === undefined) return undefined;
    if (t === '(') {
      const v = expr(0);
      return toks[i++] === ')' ? v : undefined;
    }
    if (t === '-') {
      const v = primary();
      return v === undefined ? undefined : -v;
    }
    if (/^0[xX]/.test(t)) return BigInt(t);
    if (/^0[0-7]+$/.test(t)) return BigInt(`0o${t.slice(1)}`);
    if (/^\d+$/.test(t)) return BigInt(t);
    return known.get(t);
  };
  const expr = (min: number): bigint | undefined => {
    let left = primary();
    for (;;) {
      const op = toks[i];
      const p = op === undefined ? undefined : prec[op];
      if (left === undefined || p === undefined || p <= min) return left;
      i++;
      const right = expr(p);
      if (right === undefined) return undefined;
      if (op === '|') left |= right;
      else if (op === '&') left &= right;
      else if (op === '<<') left <<= right;
      else if (op === '>>') left >>= right;
      else if (op === '+') left += right;
      else if (op === '-') left -= right;
      else left *= right;
    }
  };
  if (toks.length === 0) return undefined;
  const v = expr(0);
  return i === toks.length ? v : undefined;
}
