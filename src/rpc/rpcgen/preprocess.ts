// A small C preprocessor for .x files (rpcgen runs cpp first): #define/#undef, #ifdef/#ifndef/#if/
// #elif/#else/#endif, #include with a search path and a cycle guard, `%` passthrough lines kept.
// Every output line remembers the file and line it came from, so errors point at the source.

import { SyntaxError_ } from '../../core/errors.js';

/** One line of preprocessed input: text for the lexer (blank when excluded), or a `%` passthrough. */
export interface SourceLine {
  file: string;
  line: number;
  text: string;
  /** The line started with `%` (text after it): rpcgen copies it into its C output. */
  passthrough?: string;
}

export interface PreprocessOptions {
  /** Names defined before the file starts (`-D NAME[=VALUE]`). rpcgen defines RPC_HDR etc. per output. */
  defines?: Record<string, string>;
  /** Folders searched for `#include` after the including file's own folder. */
  includeDirs?: string[];
  /** Reads a file; returns undefined when it does not exist. */
  readFile: (path: string) => string | undefined;
  /** Joins a folder and a name (node:path in the CLI, a stub in tests). */
  resolve: (dir: string, name: string) => string;
  dirname: (path: string) => string;
  /** Nesting limit for #include (default 16). */
  maxIncludeDepth?: number;
}

export interface Preprocessed {
  lines: SourceLine[];
  /** Object-like macros still defined at the end, applied by the lexer to identifiers. */
  defines: Map<string, { value: string; file: string; line: number }>;
}

interface Frame {
  /** Whether the enclosing branches are all active. */
  parentActive: boolean;
  /** Whether this branch is active now. */
  active: boolean;
  /** Whether some branch of this #if group has been taken. */
  taken: boolean;
  sawElse: boolean;
  line: number;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function preprocess(file: string, text: string, opts: PreprocessOptions): Preprocessed {
  const defines = new Map<string, { value: string; file: string; line: number }>();
  for (const [k, v] of Object.entries(opts.defines ?? {})) {
    defines.set(k, { value: v, file: '<command line>', line: 0 });
  }
  const out: SourceLine[] = [];
  const maxDepth = opts.maxIncludeDepth ?? 16;

  const run = (path: string, source: string, stack: string[]): void => {
    const raw = source.split(/\r?\n/);
    // Join backslash-continued directive lines; keep the line count by emitting blanks.
    const frames: Frame[] = [];
    const active = () => frames.length === 0 || frames[frames.length - 1]!.active;
    let inComment = false;
    for (let i = 0; i < raw.length; i++) {
      const lineNo = i + 1;
      const textLine = raw[i]!;
      const trimmed = textLine.trimStart();
      if (!inComment && trimmed.startsWith('#')) {
        let directive = trimmed;
        let extra = 0;
        while (directive.endsWith('\\') && i + 1 + extra < raw.length) {
          directive = `${directive.slice(0, -1)} ${raw[i + 1 + extra]!}`;
          extra++;
        }
        handleDirective(
          path,
          lineNo,
          textLine.length - trimmed.length + 1,
          directive,
          frames,
          active(),
          stack,
        );
        out.push({ file: path, line: lineNo, text: '' });
        for (let k = 0; k < extra; k++) out.push({ file: path, line: lineNo + k + 1, text: '' });
        i += extra;
        continue;
      }
      if (!active()) {
        out.push({ file: path, line: lineNo, text: '' });
        continue;
      }
      if (!inComment && textLine.startsWith('%')) {
        // A backslash-newline joins lines before anything else (C translation phase 2).
        let body = textLine.slice(1);
        let extra = 0;
        while (body.endsWith('\\') && i + 1 + extra < raw.length) {
          body = `${body.slice(0, -1)} ${raw[i + 1 + extra]!}`;
          extra++;
        }
        out.push({ file: path, line: lineNo, text: '', passthrough: body });
        for (let k = 0; k < extra; k++) out.push({ file: path, line: lineNo + k + 1, text: '' });
        i += extra;
        continue;
      }
      // Track block comments so a '#' or '%' inside one is not taken for a directive.
      inComment = scanComment(textLine, inComment);
      out.push({ file: path, line: lineNo, text: textLine });
    }
    if (frames.length > 0) {
      const f = frames[frames.length - 1]!;
      throw new SyntaxError_(path, f.line, 1, 'unterminated #if/#ifdef (missing #endif)');
    }
  };

  const handleDirective = (
    path: string,
    line: number,
    col: number,
    directive: string,
    frames: Frame[],
    isActive: boolean,
    stack: string[],
  ): void => {
    const m = /^#\s*([a-z]*)\s*(.*)$/.exec(directive);
    const name = m?.[1] ?? '';
    const rest = stripComments(m?.[2] ?? '').trim();
    const err = (msg: string) => new SyntaxError_(path, line, col, msg);
    switch (name) {
      case 'ifdef':
      case 'ifndef': {
        if (!IDENT.test(rest)) throw err(`#${name} needs one identifier, got '${rest}'`);
        const cond = defines.has(rest) === (name === 'ifdef');
        frames.push({ parentActive: isActive, active: isActive && cond, taken: cond, sawElse: false, line });
        return;
      }
      case 'if': {
        const cond = isActive ? evalCondition(rest, err) : false;
        frames.push({ parentActive: isActive, active: isActive && cond, taken: cond, sawElse: false, line });
        return;
      }
      case 'elif': {
        const f = frames[frames.length - 1];
        if (!f) throw err('#elif without #if');
        if (f.sawElse) throw err('#elif after #else');
        const cond = f.parentActive && !f.taken ? evalCondition(rest, err) : false;
        f.active = f.parentActive && !f.taken && cond;
        f.taken ||= cond;
        return;
      }
      case 'else': {
        const f = frames[frames.length - 1];
        if (!f) throw err('#else without #if');
        if (f.sawElse) throw err('second #else for one #if');
        f.sawElse = true;
        f.active = f.parentActive && !f.taken;
        f.taken = true;
        return;
      }
      case 'endif': {
        if (!frames.pop()) throw err('#endif without #if');
        return;
      }
      default:
        break;
    }
    if (!isActive) return;
    switch (name) {
      case 'define': {
        const d = /^([A-Za-z_][A-Za-z0-9_]*)(\(?)\s*(.*)$/.exec(rest);
        if (!d) throw err(`#define needs a name, got '${rest}'`);
        if (d[2] === '(') throw err(`function-like macro '${d[1]}' is not supported in .x files`);
        defines.set(d[1]!, { value: d[3] ?? '', file: path, line });
        return;
      }
      case 'undef':
        if (!IDENT.test(rest)) throw err(`#undef needs one identifier, got '${rest}'`);
        defines.delete(rest);
        return;
      case 'include': {
        const inc = /^(?:"([^"]+)"|<([^>]+)>)$/.exec(rest);
        if (!inc) throw err(`#include needs "file" or <file>, got '${rest}'`);
        const wanted = (inc[1] ?? inc[2])!;
        const dirs =
          inc[1] !== undefined ? [opts.dirname(path), ...(opts.includeDirs ?? [])] : (opts.includeDirs ?? []);
        for (const dir of dirs) {
          const candidate = opts.resolve(dir, wanted);
          const text = opts.readFile(candidate);
          if (text === undefined) continue;
          if (stack.includes(candidate)) {
            throw err(`#include cycle: ${[...stack, candidate].join(' -> ')}`);
          }
          if (stack.length >= maxDepth) throw err(`#include nested deeper than ${maxDepth}`);
          run(candidate, text, [...stack, candidate]);
          return;
        }
        throw err(`#include file '${wanted}' not found (searched ${dirs.join(', ') || 'nothing'})`);
      }
      case 'error':
        throw err(`#error ${rest}`);
      case 'pragma':
      case 'line':
      case 'ident':
      case '':
        return;
      default:
        throw err(`unknown preprocessor directive '#${name}'`);
    }
  };

  /** `#if` expressions: integers, names (defined → its value, else 0), defined(X), !, &&, ||, ==, !=, (). */
  const evalCondition = (expr: string, err: (m: string) => SyntaxError_): boolean => {
    const toks = expr.match(/defined|[A-Za-z_][A-Za-z0-9_]*|\d+|&&|\|\||==|!=|[!()]|\S/g) ?? [];
    let i = 0;
    const peek = () => toks[i];
    const primary = (): bigint => {
      const t = toks[i++];
      if (t === undefined) throw err(`#if expression ends early: '${expr}'`);
      if (t === '!') return primary() === 0n ? 1n : 0n;
      if (t === '(') {
        const v = orExpr();
        if (toks[i++] !== ')') throw err(`#if expression: missing ')' in '${expr}'`);
        return v;
      }
      if (t === 'defined') {
        const paren = peek() === '(';
        if (paren) i++;
        const n = toks[i++];
        if (!n || !IDENT.test(n)) throw err(`#if defined needs a name in '${expr}'`);
        if (paren && toks[i++] !== ')') throw err(`#if expression: missing ')' in '${expr}'`);
        return defines.has(n) ? 1n : 0n;
      }
      if (/^\d+$/.test(t)) return BigInt(t);
      if (IDENT.test(t)) {
        const d = defines.get(t);
        if (!d) return 0n;
        const v = d.value.trim();
        return v === '' ? 1n : /^\d+$/.test(v) ? BigInt(v) : 1n;
      }
      throw err(`#if expression: unexpected '${t}' in '${expr}'`);
    };
    const eqExpr = (): bigint => {
      let v = primary();
      while (peek() === '==' || peek() === '!=') {
        const op = toks[i++];
        const r = primary();
        v = (op === '==' ? v === r : v !== r) ? 1n : 0n;
      }
      return v;
    };
    const andExpr = (): bigint => {
      let v = eqExpr();
      while (peek() === '&&') {
        i++;
        const r = eqExpr();
        v = v !== 0n && r !== 0n ? 1n : 0n;
      }
      return v;
    };
    const orExpr = (): bigint => {
      let v = andExpr();
      while (peek() === '||') {
        i++;
        const r = andExpr();
        v = v !== 0n || r !== 0n ? 1n : 0n;
      }
      return v;
    };
    if (toks.length === 0) throw err('#if needs an expression');
    const v = orExpr();
    if (i !== toks.length) throw err(`#if expression: unexpected '${toks[i]}' in '${expr}'`);
    return v !== 0n;
  };

  run(file, text, [file]);
  return { lines: out, defines };
}

/** Returns whether a block comment is still open at the end of `line`. */
function scanComment(line: string, open: boolean): boolean {
  let i = 0;
  let inComment = open;
  let inString = false;
  while (i < line.length) {
    if (inComment) {
      const end = line.indexOf('*/', i);
      if (end < 0) return true;
      inComment = false;
      i = end + 2;
    } else if (inString) {
      if (line[i] === '\\') i += 2;
      else {
        if (line[i] === '"') inString = false;
        i++;
      }
    } else if (line[i] === '"') {
      inString = true;
      i++;
    } else if (line.startsWith('/*', i)) {
      inComment = true;
      i += 2;
    } else i++;
  }
  return inComment;
}

function stripComments(s: string): string {
  return s.replace(/\/\*.*?(\*\/|$)/g, ' ').replace(/\/\/.*$/, '');
}
