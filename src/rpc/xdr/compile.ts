// XDR decoders compiled to straight-line code (RFC 4506 §4): struct(), array() and fixedArray() turn
// their tree of known codecs into one function with a local cursor, inline big-endian reads and one
// bounds check per run of fixed-size members. On any failure the generated code puts the reader at
// the failing member and calls the reader's own method, so errors (code, offset, message) are
// exactly those of the member-by-member decoder; every length is still checked before use.

import { ErrorCodes } from '../../core/errors.js';
import {
  asciiOrNull,
  HI,
  LO,
  scratchF32,
  scratchF64,
  scratchI64,
  scratchU64,
  scratchWords,
  type XdrReader,
} from './reader.js';

/** A codec as the compiler sees it (the `XdrType` interface without the encoder). */
export interface Codec {
  readonly min: number;
  decode(r: XdrReader): unknown;
}

type FixedKind = 'int' | 'uint' | 'bool' | 'hyper' | 'uhyper' | 'float' | 'double';

/** What generated code needs to know about a codec to decode it inline. */
export type Shape =
  | { readonly k: FixedKind }
  | { readonly k: 'enum'; readonly set: ReadonlySet<number> }
  | { readonly k: 'string'; readonly max: number }
  | { readonly k: 'opaque'; readonly max: number }
  | { readonly k: 'fixedOpaque'; readonly n: number }
  | { readonly k: 'array'; readonly of: Codec; readonly max: number }
  | { readonly k: 'fixedArray'; readonly of: Codec; readonly n: number }
  | { readonly k: 'struct'; readonly names: readonly string[]; readonly types: readonly Codec[] }
  | { readonly k: 'optional'; readonly of: Codec }
  | { readonly k: 'void' }
  | {
      readonly k: 'union';
      readonly self: Codec;
      readonly disc: Codec;
      /** Discriminant → arm, as the union's own Map holds them (last arm wins for a repeated tag). */
      readonly arms: ReadonlyMap<number | boolean, Codec>;
      readonly dflt: Codec | undefined;
    };

const SHAPES = new WeakMap<object, Shape>();

/** Records how `t` may be decoded inline. */
export function setShape(t: Codec, s: Shape): void {
  SHAPES.set(t, s);
}

/** Size on the wire of the fixed-size primitives (undefined for everything else). */
function fixedSize(s: Shape | undefined): number | undefined {
  if (!s) return undefined;
  switch (s.k) {
    case 'int':
    case 'uint':
    case 'bool':
    case 'float':
    case 'enum':
      return 4;
    case 'hyper':
    case 'uhyper':
    case 'double':
      return 8;
    default:
      return undefined;
  }
}

/** Nodes inlined into one function at most; deeper members are called (they are compiled too). */
const BUDGET = 200;

class Gen {
  readonly out: string[] = [];
  readonly env: unknown[] = [];
  budget = BUDGET;
  private n = 0;

  name(prefix: string): string {
    return `${prefix}${this.n++}`;
  }

  ref(x: unknown): string {
    let i = this.env.indexOf(x);
    if (i < 0) {
      i = this.env.length;
      this.env.push(x);
    }
    return `$${i}`;
  }

  line(s: string): void {
    this.out.push(s);
  }
}

const at = (o: number) => (o === 0 ? 'p' : `p + ${o}`);
const i32 = (o: number) =>
  `((b[${at(o)}] << 24) | (b[${at(o + 1)}] << 16) | (b[${at(o + 2)}] << 8) | b[${at(o + 3)}])`;
const u32 = (o: number) => `(${i32(o)} >>> 0)`;

/** Reader method that decodes (or throws for) one fixed-size member at r.pos. */
function slowCall(g: Gen, s: Shape): string {
  return s.k === 'enum' ? `r.enumValue(${g.ref(s.set)});` : `r.${s.k}();`;
}

/**
 * A run of fixed-size members: one bounds check (unless `checked`: the caller proved the bytes are
 * there), then each read at its offset. If the run does not fit, the members are read one by one
 * through the reader, which throws where the member-by-member decoder would.
 */
function fixedRun(g: Gen, items: readonly { s: Shape; target: string }[], checked: boolean): void {
  let size = 0;
  for (const it of items) size += fixedSize(it.s)!;
  if (!checked) {
    g.line(
      `if (e - p < ${size}) { r.pos = p; ${items.map((it) => slowCall(g, it.s)).join(' ')} r.pos = p; r.need(${size}); }`,
    );
  }
  let o = 0;
  for (const { s, target } of items) {
    switch (s.k) {
      case 'int':
        g.line(`${target} = ${i32(o)};`);
        break;
      case 'uint':
        g.line(`${target} = ${u32(o)};`);
        break;
      case 'bool': {
        const x = g.name('x');
        g.line(`const ${x} = ${u32(o)};`);
        g.line(`if (${x} > 1) { r.pos = ${at(o)}; r.bool(); }`);
        g.line(`${target} = ${x} === 1;`);
        break;
      }
      case 'enum': {
        const x = g.name('x');
        const set = g.ref(s.set);
        g.line(`const ${x} = ${i32(o)};`);
        g.line(`if (!${set}.has(${x})) { r.pos = ${at(o)}; r.enumValue(${set}); }`);
        g.line(`${target} = ${x};`);
        break;
      }
      case 'hyper':
      case 'uhyper':
      case 'double': {
        // Both big-endian words into the scratch, read back as one 64-bit value (see reader.ts).
        const w = g.ref(scratchWords);
        const view = g.ref(s.k === 'hyper' ? scratchI64 : s.k === 'uhyper' ? scratchU64 : scratchF64);
        g.line(`${w}[${HI}] = ${i32(o)}; ${w}[${LO}] = ${i32(o + 4)};`);
        g.line(`${target} = ${view}[0];`);
        break;
      }
      case 'float': {
        g.line(`${g.ref(scratchWords)}[0] = ${i32(o)};`);
        g.line(`${target} = ${g.ref(scratchF32)}[0];`);
        break;
      }
      default:
        throw new Error(`xdr compile: ${s.k} is not fixed-size`);
    }
    o += fixedSize(s)!;
  }
  g.line(`p += ${size};`);
}

/** Zero padding after `n` bytes (the cursor is just past them), as XdrReader checks it. */
function padding(g: Gen, n: string): void {
  const z = g.name('z');
  g.line(`if (${n} & 3) { const ${z} = p + 4 - (${n} & 3);`);
  g.line(`if (${z} > e) { r.pos = p; r.need(${z} - p); }`);
  g.line(`for (; p < ${z}; p++) if (b[p] !== 0) { r.pos = p; r.fail('non-zero padding'); } }`);
}

/** A length or count word: 4 bytes checked, then `bad` (a condition on it) sends to `slow`. */
function lengthWord(g: Gen, n: string, bad: string, slow: string): void {
  g.line(`if (e - p < 4) { r.pos = p; r.uint(); }`);
  g.line(`const ${n} = ${u32(0)};`);
  g.line(`if (${bad}) { r.pos = p; ${slow} }`);
  g.line('p += 4;');
}

function generic(g: Gen, t: Codec, target: string): void {
  g.line(`r.pos = p; ${target} = ${g.ref(t)}.decode(r); p = r.pos;`);
}

/** Emits code that decodes one `t` at p into `target` and advances p. */
function read(g: Gen, t: Codec, target: string, checked = false): void {
  const s = SHAPES.get(t);
  if (!s || g.budget <= 0) {
    generic(g, t, target);
    return;
  }
  g.budget--;
  if (fixedSize(s) !== undefined) {
    fixedRun(g, [{ s, target }], checked);
    return;
  }
  switch (s.k) {
    case 'string': {
      // Short ASCII is decoded here; anything else goes back to the reader (same checks again).
      const n = g.name('n');
      const q = g.name('q');
      const ok = g.name('ok');
      g.line('{');
      g.line(`const ${q} = p;`);
      lengthWord(g, n, `${n} > ${s.max} || ${n} > e - p - 4`, `r.length(${s.max}, 'string');`);
      g.line(`const ${ok} = ${n} <= 64 ? asciiOrNull(b, p, ${n}) : null;`);
      g.line(`if (${ok} !== null) { ${target} = ${ok}; p += ${n};`);
      padding(g, n);
      g.line(`} else { r.pos = ${q}; ${target} = r.string(${s.max}); p = r.pos; }`);
      g.line('}');
      return;
    }
    case 'opaque': {
      const n = g.name('n');
      g.line('{');
      lengthWord(g, n, `${n} > ${s.max} || ${n} > e - p - 4`, `r.length(${s.max});`);
      g.line(`${target} = r.bytesAt(p, ${n}); p += ${n};`);
      padding(g, n);
      g.line('}');
      return;
    }
    case 'fixedOpaque': {
      g.line('{');
      g.line(`if (e - p < ${s.n}) { r.pos = p; r.need(${s.n}); }`);
      g.line(`${target} = r.bytesAt(p, ${s.n}); p += ${s.n};`);
      padding(g, String(s.n));
      g.line('}');
      return;
    }
    case 'array': {
      const n = g.name('n');
      const a = g.name('a');
      const i = g.name('i');
      const unit = s.of.min > 0 ? s.of.min : 1;
      g.line('{');
      lengthWord(g, n, `${n} > ${s.max} || ${n} * ${unit} > e - p - 4`, `r.count(${s.max}, ${s.of.min});`);
      g.line(`const ${a} = new Array(${n});`);
      g.line(`for (let ${i} = 0; ${i} < ${n}; ${i}++) {`);
      // Elements whose size is exactly their `min` need no check of their own: the count did it.
      const es = SHAPES.get(s.of);
      read(g, s.of, `${a}[${i}]`, fixedSize(es) === s.of.min);
      g.line('}');
      g.line(`${target} = ${a};`);
      g.line('}');
      return;
    }
    case 'fixedArray': {
      const a = g.name('a');
      const i = g.name('i');
      g.line('{');
      const msg = JSON.stringify(`fixed array of ${s.n} cannot fit`);
      g.line(
        `if (${s.of.min * s.n} > e - p) { r.pos = p; r.fail(${msg}, ${JSON.stringify(ErrorCodes.TRUNCATED)}); }`,
      );
      g.line(`const ${a} = new Array(${s.n});`);
      g.line(`for (let ${i} = 0; ${i} < ${s.n}; ${i}++) {`);
      read(g, s.of, `${a}[${i}]`, fixedSize(SHAPES.get(s.of)) === s.of.min);
      g.line('}');
      g.line(`${target} = ${a};`);
      g.line('}');
      return;
    }
    case 'struct': {
      g.line('{');
      const vars = s.names.map(() => g.name('v'));
      if (vars.length) g.line(`let ${vars.join(', ')};`);
      // Consecutive fixed-size members share one bounds check.
      let run: { s: Shape; target: string }[] = [];
      const flush = () => {
        if (run.length) fixedRun(g, run, false);
        run = [];
      };
      s.types.forEach((ft, k) => {
        const fs = SHAPES.get(ft);
        if (fs && fixedSize(fs) !== undefined && g.budget > 0) {
          g.budget--;
          run.push({ s: fs, target: vars[k]! });
        } else {
          flush();
          read(g, ft, vars[k]!);
        }
      });
      flush();
      // Keys are quoted by JSON.stringify, never spliced raw.
      const props = s.names.map((name, k) => `${JSON.stringify(name)}: ${vars[k]}`);
      if (s.names.length === 0) g.line(`${target} = {};`);
      else g.line(`${target} = { ${props.join(', ')} };`);
      g.line('}');
      return;
    }
    case 'void':
      g.line(`${target} = undefined;`);
      return;
    case 'union': {
      const ds = SHAPES.get(s.disc);
      const labels = [...s.arms.keys()];
      const literal = (tag: number | boolean) =>
        typeof tag === 'boolean' || Number.isSafeInteger(tag) ? String(tag) : undefined;
      if (
        !ds ||
        fixedSize(ds) !== 4 ||
        ds.k === 'float' ||
        labels.some((tag) => literal(tag) === undefined)
      ) {
        generic(g, t, target);
        return;
      }
      const q = g.name('q');
      const tag = g.name('tag');
      const val = g.name('val');
      g.line('{');
      g.line(`const ${q} = p; let ${tag}, ${val};`);
      fixedRun(g, [{ s: ds, target: tag }], false);
      g.line(`switch (${tag}) {`);
      // Tags sharing an arm share one body, in the order the Map holds them.
      const groups: { tags: (number | boolean)[]; arm: Codec }[] = [];
      for (const [k, arm] of s.arms) {
        const last = groups[groups.length - 1];
        if (last && last.arm === arm) last.tags.push(k);
        else groups.push({ tags: [k], arm });
      }
      for (const grp of groups) {
        g.line(`${grp.tags.map((k) => `case ${literal(k)}:`).join(' ')} {`);
        read(g, grp.arm, val);
        g.line('break; }');
      }
      g.line('default: {');
      // No arm: the union's own decoder, from the discriminant, throws the error.
      if (s.dflt) read(g, s.dflt, val);
      else g.line(`r.pos = ${q}; ${g.ref(s.self)}.decode(r);`);
      g.line('} }');
      g.line(`${target} = { tag: ${tag}, value: ${val} };`);
      g.line('}');
      return;
    }
    case 'optional': {
      const x = g.name('x');
      g.line('{');
      g.line(`if (e - p < 4) { r.pos = p; r.uint(); }`);
      g.line(`const ${x} = ${u32(0)};`);
      g.line(`if (${x} > 1) { r.pos = p; r.bool(); }`);
      g.line('p += 4;');
      g.line(`if (${x} === 0) ${target} = null; else { r.pos = p; r.enter();`);
      read(g, s.of, target);
      g.line('r.leave(); }');
      g.line('}');
      return;
    }
  }
  generic(g, t, target);
}

/** Compiles the decoder of a codec whose shape is `s`. */
export function compileDecoder<T>(s: Shape): (r: XdrReader) => T {
  const g = new Gen();
  const holder: Codec = { min: 0, decode: () => undefined };
  SHAPES.set(holder, s);
  read(g, holder, 'v');
  const body = [
    ...g.env.map((_, i) => `const $${i} = $[${i}];`),
    'return function decode(r) {',
    'const b = r.bytes, e = r.end; let p = r.pos; let v;',
    ...g.out,
    'r.pos = p; return v;',
    '};',
  ].join('\n');
  const make = new Function('$', 'asciiOrNull', body) as (
    env: unknown[],
    ascii: typeof asciiOrNull,
  ) => (r: XdrReader) => T;
  return make(g.env, asciiOrNull);
}
