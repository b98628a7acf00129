// The 1966 ELIZA engine (Weizenbaum, CACM 9(1) 1966, pp.36-45; MAD-SLIP listing; anthay/ELIZA):
// one conversation's state and the reply procedure, with an optional trace of why it said what it said.

import type { Personality } from '../personality.js';
import { lastChunk, memoryFormFor } from './hash.js';
import {
  formatPattern,
  formatReassembly,
  isKeyword,
  type KeywordRule,
  type ParsedScript,
  type PatternElement,
  type Reassembly,
  type ReassemblyPart,
  type Transformation,
} from './script.js';

/** ELIZA's built-in messages for a keyword none of whose decompositions match, by LIMIT 1..4. */
export const NOMACH = ['PLEASE CONTINUE', 'HMMM', 'GO ON , PLEASE', 'I SEE'] as const;

/** Links, NEWKEY and PRE steps allowed for one reply; a script that loops longer gets NOMACH. */
export const MAX_STEPS = 100;
/** Words a PRE may build; a script whose PREs grow the text past this gets NOMACH. */
export const MAX_PRE_WORDS = 100_000;
/** Default bound on the memory queue: when it is full a new memory is not kept. */
export const DEFAULT_MAX_MEMORIES = 1000;

// ---------------------------------------------------------------- trace

/** One step of the reply procedure, as `respond()` reports it. */
export type TraceStep =
  /** The input after normalisation and splitting, and the LIMIT this reply runs with. */
  | { step: 'input'; limit: number; words: string[] }
  /** Words dropped up to and including a delimiter, because no keyword had been seen yet. */
  | { step: 'discard'; words: string[] }
  /** A delimiter after a keyword: it and everything after it are dropped. */
  | { step: 'cut'; words: string[] }
  /** The text after delimiting and substitution, and the keystack (top first). */
  | { step: 'scan'; text: string[]; keystack: string[] }
  /** No keyword and LIMIT 4: the oldest memory is the reply. */
  | { step: 'recall'; memory: string; left: number }
  /** The keyword popped from the keystack, and the text it works on. */
  | { step: 'keyword'; key: string; text: string[] }
  /**
   * The MEMORY keyword was popped: HASH of `chunk`, the last 6-character chunk of the text's last
   * `word`, chose form `form` (0..3), which made `memory` (undefined if the form did not match).
   */
  | { step: 'remember'; word: string; chunk: string; form: number; memory: string | undefined; kept: boolean }
  /** Decomposition `index` (1-based) of `key` matched. */
  | {
      step: 'decomposition';
      key: string;
      index: number;
      line: number;
      pattern: string;
      components: string[];
    }
  /** No decomposition of `key` matched; `link` is the rule-level link taken, if any. */
  | { step: 'no-decomposition'; key: string; link: string | undefined }
  /** Reassembly `index` of `of` (1-based) of decomposition `decomposition` of `key` was used. */
  | {
      step: 'reassembly';
      key: string;
      decomposition: number;
      index: number;
      of: number;
      line: number;
      form: string;
    }
  /** PRE rewrote the text. */
  | { step: 'pre'; text: string[] }
  /** NEWKEY: on to the next keyword on the stack (`empty` when there is none). */
  | { step: 'newkey'; empty: boolean }
  /** The built-in message chosen by LIMIT. */
  | { step: 'nomach'; limit: number; why: string }
  /** The NONE rule answers. */
  | { step: 'none'; why: string };

export interface ElizaResponse {
  reply: string;
  trace: TraceStep[];
}

/** Renders a trace as readable lines (what `netkit eliza --trace` prints). */
export function formatTrace(trace: TraceStep[]): string[] {
  const out: string[] = [];
  const w = (xs: string[]) => (xs.length ? xs.join(' ') : '(nothing)');
  for (const s of trace) {
    switch (s.step) {
      case 'input':
        out.push(`input: ${w(s.words)}  [LIMIT ${s.limit}]`);
        break;
      case 'discard':
        out.push(`  no keyword yet, dropped: ${w(s.words)}`);
        break;
      case 'cut':
        out.push(`  delimiter after a keyword, dropped: ${w(s.words)}`);
        break;
      case 'scan':
        out.push(`  text: ${w(s.text)}`);
        out.push(`  keystack: ${s.keystack.length ? s.keystack.join(' ') : '(empty)'}`);
        break;
      case 'recall':
        out.push(`  no keyword and LIMIT 4: recall the oldest memory (${s.left} left)`);
        break;
      case 'keyword':
        out.push(`keyword ${s.key}`);
        break;
      case 'remember':
        {
          const h = `HASH(${s.chunk === s.word ? s.word : `${s.chunk} of ${s.word}`}) = ${s.form}, form ${s.form + 1}`;
          out.push(
            s.memory === undefined
              ? `  MEMORY: ${h} does not match; nothing kept`
              : `  MEMORY: ${h}: ${s.memory}${s.kept ? '' : ' (queue full, not kept)'}`,
          );
        }
        break;
      case 'decomposition':
        out.push(
          `  decomposition ${s.index} (${s.pattern}) [line ${s.line}] matches: ${s.components.map((c) => `[${c}]`).join(' ')}`,
        );
        break;
      case 'no-decomposition':
        out.push(
          s.link === undefined
            ? '  no decomposition matches'
            : `  no decomposition matches; rule links to ${s.link}`,
        );
        break;
      case 'reassembly':
        out.push(`  reassembly ${s.index} of ${s.of} [line ${s.line}]: ${s.form}`);
        break;
      case 'pre':
        out.push(`  PRE: text is now ${w(s.text)}`);
        break;
      case 'newkey':
        out.push(s.empty ? '  NEWKEY: keystack empty' : '  NEWKEY: next keyword');
        break;
      case 'nomach':
        out.push(`  built-in message for LIMIT ${s.limit} (${s.why})`);
        break;
      case 'none':
        out.push(`NONE (${s.why})`);
        break;
    }
  }
  return out;
}

// ---------------------------------------------------------------- compiled script

const ANY = 0;
const COUNT = 1;
const WORD = 2;
const SET = 3;

interface CElem {
  k: number;
  n: number;
  word: string;
  set: ReadonlySet<string> | undefined;
}

const TEXT = 0;
const LINK = 1;
const NEWKEY = 2;
const PRE = 3;

interface CReassembly {
  k: number;
  /** Words, and component indexes as 0-based numbers. */
  parts: ReassemblyPart[];
  key: string;
  src: Reassembly;
}

interface CTrans {
  pattern: CElem[];
  reassemblies: CReassembly[];
  /** Index of this decomposition's next-reassembly counter in the conversation's state. */
  slot: number;
  src: Transformation;
}

interface CRule {
  key: string;
  precedence: number;
  keyword: boolean;
  subst: string | undefined;
  trans: CTrans[];
  link: string | undefined;
}

interface CMemoryForm {
  pattern: CElem[];
  parts: ReassemblyPart[];
}

interface Compiled {
  rules: Map<string, CRule>;
  none: CRule;
  memoryKey: string | undefined;
  memoryForms: CMemoryForm[];
  slots: number;
  greeting: string;
  /** Scratch for match results: [start, end) word indexes per pattern element. */
  comps: Int32Array;
}

const compiledCache = new WeakMap<ParsedScript, Compiled>();

function compile(script: ParsedScript): Compiled {
  const hit = compiledCache.get(script);
  if (hit) return hit;
  let slots = 0;
  let maxLen = 1;
  const elem = (e: PatternElement): CElem => {
    switch (e.kind) {
      case 'any':
        return { k: ANY, n: 0, word: '', set: undefined };
      case 'count':
        return { k: COUNT, n: e.n, word: '', set: undefined };
      case 'word':
        return { k: WORD, n: 1, word: e.word, set: undefined };
      case 'choice':
        return { k: SET, n: 1, word: '', set: new Set(e.words) };
      case 'tags': {
        const s = new Set<string>();
        for (const t of e.tags) for (const key of script.tagMap.get(t) ?? []) s.add(key);
        return { k: SET, n: 1, word: '', set: s };
      }
    }
  };
  const pattern = (p: PatternElement[]) => {
    maxLen = Math.max(maxLen, p.length);
    return p.map(elem);
  };
  const parts = (ps: ReassemblyPart[]) => ps.map((p) => (typeof p === 'number' ? p - 1 : p));
  const reassembly = (ra: Reassembly): CReassembly => {
    if (ra.kind === 'text') return { k: TEXT, parts: parts(ra.parts), key: '', src: ra };
    if (ra.kind === 'link') return { k: LINK, parts: [], key: ra.key, src: ra };
    if (ra.kind === 'newkey') return { k: NEWKEY, parts: [], key: '', src: ra };
    return { k: PRE, parts: parts(ra.parts), key: ra.key, src: ra };
  };
  const rule = (r: KeywordRule): CRule => ({
    key: r.key,
    precedence: r.precedence,
    keyword: isKeyword(r),
    subst: r.substitution,
    link: r.link,
    trans: r.transformations.map((t) => ({
      pattern: pattern(t.decomposition),
      slot: slots++,
      src: t,
      reassemblies: t.reassemblies.map(reassembly),
    })),
  });
  const rules = new Map<string, CRule>();
  for (const [k, r] of script.rules) rules.set(k, rule(r));
  const none = rule(script.none);
  const memoryForms = (script.memory?.transformations ?? []).map((t) => ({
    pattern: pattern(t.decomposition),
    parts: parts(t.reassembly),
  }));
  const c: Compiled = {
    rules,
    none,
    memoryKey: script.memory?.keyword,
    memoryForms,
    slots,
    greeting: script.greeting.join(' '),
    comps: new Int32Array(2 * maxLen),
  };
  compiledCache.set(script, c);
  return c;
}

// ---------------------------------------------------------------- input

/**
 * Upper-cases the input and splits it into words, with `.` and `,` as words of their own.
 * As anthay/ELIZA does: `?` and `!` become `.`; `:`, `;`, en and em dash become `,`; the
 * typographic apostrophe becomes `'`; quotation marks, backticks, `¡` and `¿` become spaces.
 * All ASCII white space separates words (anthay splits on the space character only).
 */
export function splitInput(input: string): string[] {
  let s = input.toUpperCase();
  if (s.indexOf('\u2019') >= 0) s = s.replaceAll('\u2019', "'");
  const out: string[] = [];
  let start = -1;
  const len = s.length;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    let kind: number; // 0 word, 1 space, 2 period, 3 comma
    switch (c) {
      case 0x20:
      case 0x09:
      case 0x0a:
      case 0x0b:
      case 0x0c:
      case 0x0d:
      case 0x22: // "
      case 0x60: // `
      case 0xa1: // ¡
      case 0xab: // «
      case 0xbb: // »
      case 0xbf: // ¿
      case 0x2018: // ‘
      case 0x201a: // ‚
      case 0x201b: // ‛
      case 0x201c: // “
      case 0x201d: // ”
      case 0x201e: // „
      case 0x201f: // ‟
      case 0x2039: // ‹
      case 0x203a: // ›
        kind = 1;
        break;
      case 0x2e: // .
      case 0x3f: // ?
      case 0x21: // !
        kind = 2;
        break;
      case 0x2c: // ,
      case 0x3a: // :
      case 0x3b: // ;
      case 0x2013: // –
      case 0x2014: // —
        kind = 3;
        break;
      default:
        kind = 0;
    }
    if (kind === 0) {
      if (start < 0) start = i;
      continue;
    }
    if (start >= 0) {
      out.push(s.slice(start, i));
      start = -1;
    }
    if (kind === 2) out.push('.');
    else if (kind === 3) out.push(',');
  }
  if (start >= 0) out.push(s.slice(start));
  return out;
}

// ---------------------------------------------------------------- matching

/**
 * Matches `words` against a decomposition pattern the way SLIP YMATCH does: the pattern is cut
 * into segments at each `0`; a segment's `0` takes the fewest words that let the segment's fixed
 * elements match (all the remaining words, for the last segment), and a segment once matched is
 * never revisited. The whole list must be consumed. On success `comps` holds [start, end) per element.
 */
function match(pat: CElem[], words: string[], comps: Int32Array): boolean {
  const nw = words.length;
  const np = pat.length;
  let w = 0;
  let p = 0;
  while (p < np) {
    const wild = pat[p]!.k === ANY;
    let q = wild ? p + 1 : p;
    let fixed = 0;
    while (q < np) {
      const e = pat[q]!;
      if (e.k === ANY) break;
      fixed += e.n;
      q++;
    }
    const room = nw - w - fixed;
    if (room < 0) return false;
    let len = 0;
    let last = 0;
    if (wild) {
      if (q === np) len = last = room;
      else last = room;
    }
    for (; ; len++) {
      let x = w + len;
      let i = wild ? p + 1 : p;
      for (; i < q; i++) {
        const e = pat[i]!;
        const k = e.k;
        if (k === COUNT) {
          comps[2 * i] = x;
          x += e.n;
          comps[2 * i + 1] = x;
          continue;
        }
        const word = words[x]!;
        if (k === WORD ? word !== e.word : !e.set!.has(word)) break;
        comps[2 * i] = x;
        comps[2 * i + 1] = ++x;
      }
      if (i === q) {
        if (wild) {
          comps[2 * p] = w;
          comps[2 * p + 1] = w + len;
        }
        w = x;
        break;
      }
      if (len >= last) return false;
    }
    p = q;
  }
  return w === nw;
}

function assembleWords(parts: ReassemblyPart[], words: string[], comps: Int32Array): string[] {
  const out: string[] = [];
  for (const p of parts) {
    if (typeof p === 'string') out.push(p);
    else for (let i = comps[2 * p]!, e = comps[2 * p + 1]!; i < e; i++) out.push(words[i]!);
  }
  return out;
}

function assembleText(parts: ReassemblyPart[], words: string[], comps: Int32Array): string {
  let out = '';
  for (const p of parts) {
    let piece: string;
    if (typeof p === 'string') piece = p;
    else {
      const a = comps[2 * p]!;
      const e = comps[2 * p + 1]!;
      if (a === e) continue;
      piece = e - a === 1 ? words[a]! : words.slice(a, e).join(' ');
    }
    out = out.length ? `${out} ${piece}` : piece;
  }
  return out;
}

function components(pat: CElem[], words: string[], comps: Int32Array): string[] {
  return pat.map((_, i) => words.slice(comps[2 * i]!, comps[2 * i + 1]!).join(' '));
}

// ---------------------------------------------------------------- a conversation

export interface ConversationOptions {
  /** Bound on the memory queue (default 1000); the 1966 program kept memories until storage ran out. */
  maxMemories?: number;
}

/**
 * One conversation with ELIZA: LIMIT, a next-reassembly counter for every decomposition, and the
 * memory queue. Make one per connection or session; the script itself is shared and never changed.
 */
export class ElizaConversation implements Personality {
  readonly script: ParsedScript;
  private readonly c: Compiled;
  private readonly counters: Uint32Array;
  private readonly memories: string[] = [];
  private readonly maxMemories: number;
  private limitValue = 1;

  constructor(script: ParsedScript, opts: ConversationOptions = {}) {
    this.script = script;
    this.c = compile(script);
    this.counters = new Uint32Array(this.c.slots);
    this.maxMemories = opts.maxMemories ?? DEFAULT_MAX_MEMORIES;
  }

  /** The script's greeting, words joined by single spaces. */
  greeting(): string {
    return this.c.greeting;
  }

  /** ELIZA's answer to one line. Never throws. */
  reply(text: string): string {
    return this.run(text, undefined);
  }

  /** The answer and the steps that produced it. */
  respond(text: string): ElizaResponse {
    const trace: TraceStep[] = [];
    const reply = this.run(text, trace);
    return { reply, trace };
  }

  /** LIMIT as the last reply used it (1..4; 1 before the first reply). */
  get limit(): number {
    return this.limitValue;
  }

  /** The memory queue, oldest first. */
  get pendingMemories(): readonly string[] {
    return this.memories;
  }

  private run(input: string, trace: TraceStep[] | undefined): string {
    const c = this.c;
    const words = splitInput(input);
    const limit = (this.limitValue % 4) + 1;
    this.limitValue = limit;
    if (trace) trace.push({ step: 'input', limit, words: [...words] });

    // Scan: delimiters, keystack, substitution (CACM p.37-39; M:000660-001100).
    let text: string[] = [];
    const stack: CRule[] = [];
    let top = 0;
    for (let i = 0; i < words.length; i++) {
      const word = words[i]!;
      if (word === '.' || word === ',' || word === 'BUT') {
        if (stack.length === 0) {
          if (trace) trace.push({ step: 'discard', words: [...text, word] });
          text = [];
          continue;
        }
        if (trace) trace.push({ step: 'cut', words: words.slice(i) });
        break;
      }
      const rule = c.rules.get(word);
      if (rule === undefined) {
        text.push(word);
        continue;
      }
      if (rule.keyword) {
        if (rule.precedence > top) {
          stack.unshift(rule);
          top = rule.precedence;
        } else {
          stack.push(rule);
        }
      }
      text.push(rule.subst ?? word);
    }
    if (trace)
      trace.push({ step: 'scan', text: [...text], keystack: stack.map((r) => `${r.key}(${r.precedence})`) });

    if (stack.length === 0 && limit === 4 && this.memories.length > 0) {
      const memory = this.memories.shift()!;
      if (trace) trace.push({ step: 'recall', memory, left: this.memories.length });
      return memory;
    }

    const comps = c.comps;
    let steps = 0;
    let noneWhy = 'no keyword';
    while (stack.length > 0) {
      if (++steps > MAX_STEPS) return this.nomach(limit, trace, `more than ${MAX_STEPS} steps`);
      const rule = stack.shift()!;
      if (trace) trace.push({ step: 'keyword', key: rule.key, text: [...text] });
      if (rule.key === c.memoryKey) this.remember(text, trace);

      let t: CTrans | undefined;
      let ti = 0;
      for (; ti < rule.trans.length; ti++) {
        if (match(rule.trans[ti]!.pattern, text, comps)) {
          t = rule.trans[ti];
          break;
        }
      }
      if (t === undefined) {
        if (trace) trace.push({ step: 'no-decomposition', key: rule.key, link: rule.link });
        const next = rule.link === undefined ? undefined : c.rules.get(rule.link);
        if (next === undefined) return this.nomach(limit, trace, `no decomposition of ${rule.key} matches`);
        stack.unshift(next);
        continue;
      }
      const n = this.counters[t.slot]!;
      const ra = t.reassemblies[n];
      // The reader guarantees a reassembly; a hand-built ParsedScript might not.
      if (ra === undefined) return this.nomach(limit, trace, `${rule.key} has no reassembly`);
      this.counters[t.slot] = n + 1 === t.reassemblies.length ? 0 : n + 1;
      if (trace) {
        trace.push({
          step: 'decomposition',
          key: rule.key,
          index: ti + 1,
          line: t.src.line,
          pattern: formatPattern(t.src.decomposition),
          components: components(t.pattern, text, comps),
        });
        trace.push({
          step: 'reassembly',
          key: rule.key,
          decomposition: ti + 1,
          index: n + 1,
          of: t.reassemblies.length,
          line: ra.src.line,
          form: formatReassembly(ra.src),
        });
      }
      if (ra.k === TEXT) return assembleText(ra.parts, text, comps);
      if (ra.k === NEWKEY) {
        if (trace) trace.push({ step: 'newkey', empty: stack.length === 0 });
        noneWhy = 'NEWKEY with an empty keystack';
        continue;
      }
      if (ra.k === PRE) {
        const next = assembleWords(ra.parts, text, comps);
        if (next.length > MAX_PRE_WORDS) return this.nomach(limit, trace, 'PRE text too long');
        text = next;
        if (trace) trace.push({ step: 'pre', text: [...text] });
      }
      const target = c.rules.get(ra.key);
      if (target === undefined) return this.nomach(limit, trace, `no rule for =${ra.key}`);
      stack.unshift(target);
    }

    // NONE (CACM p.41): its decomposition and next reassembly, cycling.
    if (trace) trace.push({ step: 'none', why: noneWhy });
    const none = c.none;
    for (let ti = 0; ti < none.trans.length; ti++) {
      const t = none.trans[ti]!;
      if (!match(t.pattern, text, comps)) continue;
      const slot = t.slot;
      const n = this.counters[slot]!;
      const ra = t.reassemblies[n];
      if (ra === undefined) break;
      this.counters[slot] = n + 1 === t.reassemblies.length ? 0 : n + 1;
      if (trace) {
        trace.push({
          step: 'reassembly',
          key: 'NONE',
          decomposition: ti + 1,
          index: n + 1,
          of: t.reassemblies.length,
          line: ra.src.line,
          form: formatReassembly(ra.src),
        });
      }
      if (ra.k === TEXT) return assembleText(ra.parts, text, comps);
      return this.nomach(limit, trace, 'NONE reassembly is not a word list');
    }
    return this.nomach(limit, trace, 'no NONE decomposition matches');
  }

  private nomach(limit: number, trace: TraceStep[] | undefined, why: string): string {
    if (trace) trace.push({ step: 'nomach', limit, why });
    return NOMACH[limit - 1]!;
  }

  /** MEMORY (CACM p.41; M:001220-001240): HASH of the last word picks the form; the result is queued. */
  private remember(text: string[], trace: TraceStep[] | undefined): void {
    const last = text[text.length - 1];
    const forms = this.c.memoryForms;
    if (last === undefined || forms.length === 0) return;
    const form = memoryFormFor(last) % forms.length;
    const f = forms[form]!;
    const comps = this.c.comps;
    let memory: string | undefined;
    let kept = false;
    if (match(f.pattern, text, comps)) {
      memory = assembleText(f.parts, text, comps);
      if (this.memories.length < this.maxMemories) {
        this.memories.push(memory);
        kept = true;
      }
    }
    if (trace) trace.push({ step: 'remember', word: last, chunk: lastChunk(last), form, memory, kept });
  }
}
