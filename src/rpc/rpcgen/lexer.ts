// Tokens of the RPC language (RFC 4506 §6.2–6.4, RFC 5531 §12): identifiers, keywords, integer and
// string constants, punctuation, `/* */` comments. Every token carries file, line and column.

import { SyntaxError_ } from '../../core/errors.js';
import type { Preprocessed } from './preprocess.js';

export type TokenKind = 'ident' | 'number' | 'string' | 'punct' | 'eof';

export interface Pos {
  file: string;
  line: number;
  column: number;
}

export interface Token extends Pos {
  kind: TokenKind;
  text: string;
}

/** RFC 4506 §6.4 keywords plus RFC 5531's program/version: never identifiers. */
export const KEYWORDS = new Set([
  'bool',
  'case',
  'const',
  'default',
  'double',
  'quadruple',
  'enum',
  'float',
  'hyper',
  'int',
  'opaque',
  'string',
  'struct',
  'switch',
  'typedef',
  'union',
  'unsigned',
  'void',
  'program',
  'version',
]);

const PUNCT = new Set(['{', '}', '(', ')', '[', ']', '<', '>', ';', ',', ':', '=', '*', '-']);
const MAX_MACRO_DEPTH = 32;

export function lex(pre: Preprocessed): Token[] {
  const tokens: Token[] = [];
  let commentStart: Pos | undefined;
  for (const src of pre.lines) {
    const s = src.text;
    let i = 0;
    const at = (col: number): Pos => ({ file: src.file, line: src.line, column: col + 1 });
    while (i < s.length) {
      if (commentStart) {
        const end = s.indexOf('*/', i);
        if (end < 0) {
          i = s.length;
          break;
        }
        commentStart = undefined;
        i = end + 2;
        continue;
      }
      const c = s[i]!;
      if (c === ' ' || c === '\t' || c === '\f' || c === '\v' || c === '\r') {
        i++;
        continue;
      }
      if (s.startsWith('/*', i)) {
        commentStart = at(i);
        i += 2;
        continue;
      }
      if (s.startsWith('//', i)) {
        // rpcgen rejects C++ comments too; say so clearly instead of "unexpected '/'".
        throw new SyntaxError_(
          src.file,
          src.line,
          i + 1,
          "'//' comments are not part of the RPC language; use /* */",
        );
      }
      const start = i;
      if (/[A-Za-z_]/.test(c)) {
        while (i < s.length && /[A-Za-z0-9_]/.test(s[i]!)) i++;
        tokens.push({ kind: 'ident', text: s.slice(start, i), ...at(start) });
        continue;
      }
      if (/[0-9]/.test(c)) {
        while (i < s.length && /[A-Za-z0-9_]/.test(s[i]!)) i++;
        tokens.push({ kind: 'number', text: s.slice(start, i), ...at(start) });
        continue;
      }
      if (c === '"') {
        i++;
        while (i < s.length && s[i] !== '"') i += s[i] === '\\' ? 2 : 1;
        if (i >= s.length)
          throw new SyntaxError_(src.file, src.line, start + 1, 'unterminated string constant');
        i++;
        tokens.push({ kind: 'string', text: s.slice(start, i), ...at(start) });
        continue;
      }
      if (PUNCT.has(c)) {
        tokens.push({ kind: 'punct', text: c, ...at(start) });
        i++;
        continue;
      }
      throw new SyntaxError_(src.file, src.line, i + 1, `unexpected character '${c}'`);
    }
  }
  if (commentStart) {
    throw new SyntaxError_(commentStart.file, commentStart.line, commentStart.column, 'unterminated comment');
  }
  const last = pre.lines[pre.lines.length - 1];
  const eof: Token = {
    kind: 'eof',
    text: '<end of file>',
    file: last?.file ?? '<input>',
    line: (last?.line ?? 0) + 1,
    column: 1,
  };
  return pre.defines.size ? expandMacros(tokens, pre, eof) : [...tokens, eof];
}

/** Replaces identifiers that name a #define by the tokens of its value (positions of the use). */
function expandMacros(tokens: Token[], pre: Preprocessed, eof: Token): Token[] {
  const out: Token[] = [];
  const expand = (t: Token, depth: number, active: Set<string>) => {
    const d = t.kind === 'ident' ? pre.defines.get(t.text) : undefined;
    if (!d || active.has(t.text)) {
      out.push(t);
      return;
    }
    if (depth > MAX_MACRO_DEPTH)
      throw new SyntaxError_(t.file, t.line, t.column, `macro '${t.text}' nests too deep`);
    const inner = lex({ lines: [{ file: t.file, line: t.line, text: d.value }], defines: new Map() });
    const next = new Set(active).add(t.text);
    for (const x of inner) {
      if (x.kind === 'eof') continue;
      expand({ ...x, file: t.file, line: t.line, column: t.column }, depth + 1, next);
    }
  };
  for (const t of tokens) expand(t, 0, new Set());
  out.push(eof);
  return out;
}
