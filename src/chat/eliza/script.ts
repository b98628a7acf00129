// Reader for ELIZA scripts in the 1966 S-expression format (Weizenbaum, CACM 9(1) 1966, appendix):
// a greeting list, the word START, keyword rules, and `()`. Malformed text throws SyntaxError_ (line:col).

import { SyntaxError_ } from '../../core/errors.js';

// ---------------------------------------------------------------- the script model

/** One element of a decomposition pattern. */
export type PatternElement =
  /** `0`: any number of words, possibly none. */
  | { kind: 'any' }
  /** `n` (n > 0): exactly n words. */
  | { kind: 'count'; n: number }
  /** A literal word. */
  | { kind: 'word'; word: string }
  /** `(*A B C)`: one word equal to one of these. */
  | { kind: 'choice'; words: string[] }
  /** `(/T1 T2)`: one word carrying any of these DLIST tags. */
  | { kind: 'tags'; tags: string[] };

/** A word of a reassembly, or (a number) the index of a decomposition component, 1-based. */
export type ReassemblyPart = string | number;

export type Reassembly =
  /** A word list: the reply. */
  | { kind: 'text'; parts: ReassemblyPart[]; line: number }
  /** `(=KEY)`: try rule KEY with the same text. */
  | { kind: 'link'; key: string; line: number }
  /** `(NEWKEY)`: go on with the next keyword on the keystack. */
  | { kind: 'newkey'; line: number }
  /** `(PRE (words) (=KEY))`: reassemble into a new text, then try rule KEY on it. */
  | { kind: 'pre'; parts: ReassemblyPart[]; key: string; line: number };

export interface Transformation {
  decomposition: PatternElement[];
  reassemblies: Reassembly[];
  /** Script line of the decomposition. */
  line: number;
}

export interface KeywordRule {
  key: string;
  /** `KEY = SUBST`: the word that replaces KEY in the text during the scan. */
  substitution?: string;
  precedence: number;
  /** DLIST tags carried by KEY (without the slash). */
  tags: string[];
  transformations: Transformation[];
  /** Rule-level `(=LINK)`: used when no decomposition matches. */
  link?: string;
  line: number;
}

export interface MemoryTransformation {
  decomposition: PatternElement[];
  reassembly: ReassemblyPart[];
  line: number;
}

/** `(MEMORY KEY (decomposition = reassembly) ×4)`. */
export interface MemoryRule {
  keyword: string;
  transformations: MemoryTransformation[];
  line: number;
}

export interface ParsedScript {
  /** File name used in error messages and traces. */
  file: string;
  greeting: string[];
  /** Every rule except NONE, by key. A rule is a keyword only if `isKeyword(rule)`. */
  rules: ReadonlyMap<string, KeywordRule>;
  /** The NONE rule, kept apart so that a user typing "NONE" does not trigger it. */
  none: KeywordRule;
  memory: MemoryRule | undefined;
  /** DLIST tag → the keys that carry it (FAMILY → MOTHER MOM DAD FATHER …). */
  tagMap: ReadonlyMap<string, ReadonlySet<string>>;
}

/** The MEMORY rule has exactly this many transformations: the 2-bit HASH chooses one. */
export const MEMORY_FORMS = 4;

/** A word goes on the keystack only if its rule can transform the text (CACM p.39). */
export function isKeyword(rule: KeywordRule): boolean {
  return rule.transformations.length > 0 || rule.link !== undefined;
}

// ---------------------------------------------------------------- tokens and lists

interface Atom {
  type: 'atom';
  text: string;
  line: number;
  col: number;
}
interface List {
  type: 'list';
  items: Node[];
  line: number;
  col: number;
}
type Node = Atom | List;

const isNumber = (s: string) => /^[0-9]+$/.test(s);

/** Splits the text into `(`, `)`, `=` and words, dropping `;` comments; builds the nested lists. */
function readLists(text: string, file: string): Node[] {
  const top: Node[] = [];
  const stack: List[] = [];
  let line = 1;
  let lineStart = 0;
  const push = (n: Node) => {
    const open = stack[stack.length - 1];
    if (open) open.items.push(n);
    else top.push(n);
  };
  let i = 0;
  const len = text.length;
  while (i < len) {
    const c = text[i]!;
    if (c === '\n') {
      line++;
      i++;
      lineStart = i;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v') {
      i++;
      continue;
    }
    const col = i - lineStart + 1;
    if (c === ';') {
      while (i < len && text[i] !== '\n') i++;
      continue;
    }
    if (c === '(') {
      const l: List = { type: 'list', items: [], line, col };
      push(l);
      stack.push(l);
      i++;
      continue;
    }
    if (c === ')') {
      if (!stack.pop()) throw new SyntaxError_(file, line, col, "')' without a matching '('");
      i++;
      continue;
    }
    if (c === '=') {
      push({ type: 'atom', text: '=', line, col });
      i++;
      continue;
    }
    const start = i;
    while (i < len) {
      const d = text[i]!;
      if (
        d === ' ' ||
        d === '\t' ||
        d === '\n' ||
        d === '\r' ||
        d === '\f' ||
        d === '\v' ||
        d === '(' ||
        d === ')' ||
        d === '=' ||
        d === ';'
      )
        break;
      i++;
    }
    push({ type: 'atom', text: text.slice(start, i), line, col });
  }
  const open = stack[stack.length - 1];
  if (open) throw new SyntaxError_(file, open.line, open.col, "'(' is never closed");
  return top;
}

// ---------------------------------------------------------------- the reader

class Reader {
  readonly file: string;
  readonly links: Atom[] = [];
  constructor(file: string) {
    this.file = file;
  }

  fail(at: { line: number; col: number }, message: string): never {
    throw new SyntaxError_(this.file, at.line, at.col, message);
  }

  word(n: Node | undefined, what: string, after: { line: number; col: number }): Atom {
    if (!n) this.fail(after, `expected ${what}`);
    if (n.type !== 'atom' || n.text === '=') this.fail(n, `expected ${what}`);
    return n;
  }

  decomposition(items: Node[], at: List): PatternElement[] {
    if (items.length === 0) this.fail(at, 'a decomposition pattern cannot be empty');
    return items.map((n) => this.element(n));
  }

  element(n: Node): PatternElement {
    if (n.type === 'atom') {
      if (n.text === '=') this.fail(n, "'=' cannot appear in a decomposition pattern");
      if (isNumber(n.text)) {
        const v = Number(n.text);
        return v === 0 ? { kind: 'any' } : { kind: 'count', n: v };
      }
      return { kind: 'word', word: n.text };
    }
    const words: string[] = [];
    for (const m of n.items) {
      if (m.type !== 'atom' || m.text === '=') this.fail(m, 'expected a word in (*…) or (/…)');
      words.push(m.text);
    }
    const first = words[0];
    if (first === undefined || (first[0] !== '*' && first[0] !== '/'))
      this.fail(n, 'a list in a decomposition must be (*WORD …) or (/TAG …)');
    const rest = [first.slice(1), ...words.slice(1)].filter((w) => w.length > 0);
    if (rest.length === 0) this.fail(n, `(${first[0]}…) needs at least one word`);
    return first[0] === '*' ? { kind: 'choice', words: rest } : { kind: 'tags', tags: rest };
  }

  /** A word list with component indexes, checked against the decomposition's length. */
  textParts(items: Node[], decomposition: PatternElement[]): ReassemblyPart[] {
    const parts: ReassemblyPart[] = [];
    for (const n of items) {
      if (n.type !== 'atom') this.fail(n, 'a reassembly cannot contain a nested list');
      if (isNumber(n.text)) {
        const v = Number(n.text);
        if (v < 1 || v > decomposition.length)
          this.fail(
            n,
            `reassembly index ${n.text} is out of range 1..${decomposition.length} for decomposition (${formatPattern(decomposition)})`,
          );
        parts.push(v);
      } else {
        parts.push(n.text);
      }
    }
    return parts;
  }

  linkList(n: Node | undefined, after: { line: number; col: number }): Atom {
    if (n?.type !== 'list') this.fail(n ?? after, 'expected (=KEY)');
    const [eq, key, extra] = n.items;
    if (eq?.type !== 'atom' || eq.text !== '=') this.fail(n, 'expected (=KEY)');
    const k = this.word(key, 'a keyword after =', eq);
    if (extra) this.fail(extra, 'expected ) after (=KEY');
    this.links.push(k);
    return k;
  }

  reassembly(n: Node, decomposition: PatternElement[]): Reassembly {
    if (n.type !== 'list') this.fail(n, 'expected a reassembly list');
    const [first, second] = n.items;
    const line = n.line;
    if (first?.type === 'atom' && first.text === '=') {
      return { kind: 'link', key: this.linkList(n, n).text, line };
    }
    if (first?.type === 'atom' && first.text === 'NEWKEY' && n.items.length === 1) {
      return { kind: 'newkey', line };
    }
    if (first?.type === 'atom' && first.text === 'PRE' && second?.type === 'list') {
      if (n.items.length !== 3) this.fail(n, 'expected (PRE (words) (=KEY))');
      const parts = this.textParts(second.items, decomposition);
      const key = this.linkList(n.items[2], second);
      return { kind: 'pre', parts, key: key.text, line };
    }
    return { kind: 'text', parts: this.textParts(n.items, decomposition), line };
  }

  transformation(n: List): Transformation {
    const [d, ...rs] = n.items;
    if (d?.type !== 'list') this.fail(n, 'expected a decomposition list');
    const decomposition = this.decomposition(d.items, d);
    if (rs.length === 0) this.fail(n, 'a transformation needs at least one reassembly');
    return { decomposition, reassemblies: rs.map((r) => this.reassembly(r, decomposition)), line: d.line };
  }

  keywordRule(n: List, keyAtom: Atom): KeywordRule {
    const rule: KeywordRule = {
      key: keyAtom.text,
      precedence: 0,
      tags: [],
      transformations: [],
      line: n.line,
    };
    const items = n.items;
    if (items.length === 1) this.fail(keyAtom, `the rule for ${keyAtom.text} has no body`);
    let sawPrecedence = false;
    for (let i = 1; i < items.length; i++) {
      const it = items[i]!;
      if (it.type === 'atom') {
        if (it.text === '=') {
          if (rule.substitution !== undefined) this.fail(it, `${rule.key} has two substitutions`);
          rule.substitution = this.word(items[++i], 'a word after =', it).text;
        } else if (isNumber(it.text)) {
          if (sawPrecedence) this.fail(it, `${rule.key} has two precedences`);
          sawPrecedence = true;
          rule.precedence = Number(it.text);
        } else if (it.text === 'DLIST') {
          const l = items[++i];
          if (l?.type !== 'list') this.fail(l ?? it, 'expected (/TAG …) after DLIST');
          const words = l.items.map((m) => {
            if (m.type !== 'atom' || m.text === '=') this.fail(m, 'expected a tag in DLIST');
            return m.text;
          });
          if (!words[0]?.startsWith('/'))
            this.fail(l, 'DLIST tags must start with /, as in DLIST(/NOUN FAMILY)');
          const tags = [words[0].slice(1), ...words.slice(1)].filter((w) => w.length > 0);
          if (tags.length === 0) this.fail(l, 'DLIST(/) names no tag');
          rule.tags.push(...tags);
        } else {
          this.fail(it, `unexpected word ${it.text} in the rule for ${rule.key}`);
        }
      } else {
        const head = it.items[0];
        if (head?.type === 'atom' && head.text === '=') {
          if (rule.link !== undefined) this.fail(it, `${rule.key} has two rule-level links`);
          rule.link = this.linkList(it, it).text;
        } else {
          rule.transformations.push(this.transformation(it));
        }
      }
    }
    return rule;
  }

  memoryRule(n: List): MemoryRule {
    const key = this.word(n.items[1], 'the memory keyword after MEMORY', n.items[0]!);
    const forms = n.items.slice(2);
    const transformations: MemoryTransformation[] = [];
    for (const f of forms) {
      if (f.type !== 'list') this.fail(f, 'expected (decomposition = reassembly) in MEMORY');
      const eq = f.items.findIndex((m) => m.type === 'atom' && m.text === '=');
      if (eq < 0) this.fail(f, "expected '=' between decomposition and reassembly in MEMORY");
      const decomposition = this.decomposition(f.items.slice(0, eq), f);
      const right = f.items.slice(eq + 1);
      if (right.length === 0) this.fail(f.items[eq]!, 'the MEMORY reassembly cannot be empty');
      transformations.push({ decomposition, reassembly: this.textParts(right, decomposition), line: f.line });
    }
    if (transformations.length !== MEMORY_FORMS)
      this.fail(n, `MEMORY needs exactly ${MEMORY_FORMS} transformations, found ${transformations.length}`);
    return { keyword: key.text, transformations, line: n.line };
  }
}

/** Parses the text of a 1966-format ELIZA script. `file` names it in error messages. */
export function parseScript(text: string, file = '<script>'): ParsedScript {
  const r: Reader = new Reader(file);
  const top = readLists(text, file);
  const start = { line: 1, col: 1 };
  const [greetingNode, startNode, ...rest] = top;
  if (greetingNode?.type !== 'list')
    r.fail(
      greetingNode ?? start,
      'expected the greeting list, as in (HOW DO YOU DO. PLEASE TELL ME YOUR PROBLEM)',
    );
  const greeting = greetingNode.items.map((n) => {
    if (n.type !== 'atom') r.fail(n, 'the greeting is a list of words');
    return n.text;
  });
  if (startNode?.type !== 'atom' || startNode.text !== 'START')
    r.fail(startNode ?? greetingNode, 'expected START after the greeting list');

  const rules = new Map<string, KeywordRule>();
  let none: KeywordRule | undefined;
  let memory: MemoryRule | undefined;
  let memoryKey: Atom | undefined;
  let end: List | undefined;
  for (const n of rest) {
    if (end) r.fail(n, 'unexpected text after the closing () of the script');
    if (n.type !== 'list') r.fail(n, `expected a rule list, found ${n.text}`);
    if (n.items.length === 0) {
      end = n;
      continue;
    }
    const keyAtom = r.word(n.items[0], 'a keyword', n);
    if (isNumber(keyAtom.text)) r.fail(keyAtom, `a keyword cannot be a number (${keyAtom.text})`);
    if (keyAtom.text === 'MEMORY') {
      if (memory) r.fail(keyAtom, 'the script has two MEMORY rules');
      memory = r.memoryRule(n);
      memoryKey = n.items[1] as Atom;
      continue;
    }
    const rule = r.keywordRule(n, keyAtom);
    if (keyAtom.text === 'NONE') {
      if (none) r.fail(keyAtom, 'the script has two NONE rules');
      if (rule.transformations.length === 0)
        r.fail(keyAtom, 'the NONE rule needs a transformation, as in ((0) …)');
      none = rule;
      continue;
    }
    if (rules.has(rule.key)) r.fail(keyAtom, `the script has two rules for ${rule.key}`);
    rules.set(rule.key, rule);
  }
  if (!end) {
    const last = top[top.length - 1]!;
    r.fail(last, 'the script must end with ()');
  }
  if (!none) r.fail(end, 'the script has no NONE rule (CACM p.41: it "must be part of any script")');
  for (const l of r.links) {
    const target = rules.get(l.text);
    if (!target) r.fail(l, `=${l.text} links to a keyword that has no rule`);
    if (!isKeyword(target)) r.fail(l, `=${l.text} links to a rule with no transformation`);
  }
  if (memory && memoryKey && !rules.has(memory.keyword))
    r.fail(memoryKey, `the MEMORY keyword ${memory.keyword} has no rule of its own`);

  const tagMap = new Map<string, Set<string>>();
  for (const rule of rules.values()) {
    for (const t of rule.tags) {
      let s = tagMap.get(t);
      if (!s) {
        s = new Set();
        tagMap.set(t, s);
      }
      s.add(rule.key);
    }
  }
  return { file, greeting, rules, none, memory, tagMap };
}

// ---------------------------------------------------------------- printing (traces, messages)

function formatElement(e: PatternElement): string {
  if (e.kind === 'any') return '0';
  if (e.kind === 'count') return String(e.n);
  if (e.kind === 'word') return e.word;
  if (e.kind === 'choice') return `(*${e.words.join(' ')})`;
  return `(/${e.tags.join(' ')})`;
}

export function formatPattern(p: PatternElement[]): string {
  return p.map(formatElement).join(' ');
}

export function formatReassembly(r: Reassembly): string {
  switch (r.kind) {
    case 'text':
      return `(${r.parts.join(' ')})`;
    case 'link':
      return `(=${r.key})`;
    case 'newkey':
      return '(NEWKEY)';
    case 'pre':
      return `(PRE (${r.parts.join(' ')}) (=${r.key}))`;
  }
}
