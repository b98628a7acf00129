// Composable XDR codecs (RFC 4506 §4): one `XdrType<T>` per type, built from primitives with
// struct / union / array / optional builders. rpcgen output targets exactly this API.

import { ErrorCodes } from '../../core/errors.js';
import { compileDecoder, setShape } from './compile.js';
import { type StringMode, XdrReader, type XdrReaderOptions } from './reader.js';
import { XdrEncodeError, XdrWriter } from './writer.js';

/**
 * A codec for values of type T. `min` is a lower bound on the encoded size in bytes (used to
 * refuse array counts that cannot fit in the bytes left before allocating anything).
 */
export interface XdrType<T> {
  readonly min: number;
  encode(w: XdrWriter, v: T): void;
  decode(r: XdrReader): T;
}

/** The value type a codec carries: `XdrValue<typeof myStruct>`. */
export type XdrValue<C> = C extends XdrType<infer T> ? T : never;

/** Unsigned 32-bit "no maximum" (`<>` in the RPC language). */
export const UNBOUNDED = 0xffff_ffff;

const isCount = (n: number) => Number.isSafeInteger(n) && n >= 0 && n <= UNBOUNDED;

function checkMax(max: number): number {
  if (!Number.isInteger(max) || max < 0 || max > UNBOUNDED) throw new XdrEncodeError(`bad maximum ${max}`);
  return max;
}

/** Primitive codecs whose writer method a generated encoder calls directly. */
const DIRECT = new Map<XdrType<never>, string>();
/** Builder-made codecs a generated encoder can call inline: code with V for the value (numbers only). */
const INLINE = new WeakMap<XdrType<never>, { enc: string }>();

// ---------------------------------------------------------------- primitives

export const int: XdrType<number> = {
  min: 4,
  encode: (w, v) => w.int(v),
  decode: (r) => r.int(),
};
export const uint: XdrType<number> = {
  min: 4,
  encode: (w, v) => w.uint(v),
  decode: (r) => r.uint(),
};
export const hyper: XdrType<bigint> = {
  min: 8,
  encode: (w, v) => w.hyper(v),
  decode: (r) => r.hyper(),
};
export const uhyper: XdrType<bigint> = {
  min: 8,
  encode: (w, v) => w.uhyper(v),
  decode: (r) => r.uhyper(),
};
export const float: XdrType<number> = {
  min: 4,
  encode: (w, v) => w.float(v),
  decode: (r) => r.float(),
};
export const double: XdrType<number> = {
  min: 8,
  encode: (w, v) => w.double(v),
  decode: (r) => r.double(),
};
/**
 * `quadruple` (128-bit IEEE): JavaScript has no exact binary128 arithmetic, so it is carried as
 * its 16 raw big-endian bytes, never converted.
 */
export const quadruple: XdrType<Uint8Array> = {
  min: 16,
  encode: (w, v) => w.fixedOpaque(v, 16),
  decode: (r) => r.fixedOpaque(16),
};
export const bool: XdrType<boolean> = {
  min: 4,
  encode: (w, v) => w.bool(v),
  decode: (r) => r.bool(),
};
export const voidType: XdrType<void> = {
  min: 0,
  encode: () => {},
  decode: () => undefined,
};
setShape(voidType, { k: 'void' });

for (const [t, m] of [
  [int, 'int'],
  [uint, 'uint'],
  [hyper, 'hyper'],
  [uhyper, 'uhyper'],
  [float, 'float'],
  [double, 'double'],
  [bool, 'bool'],
] as const) {
  DIRECT.set(t as XdrType<never>, m);
  setShape(t, { k: m });
}

/**
 * `enum`: values are numbers. Given the allowed values (an array or a name → value object), the
 * decoder rejects others and the encoder refuses them.
 */
export function enumType<E extends number = number>(
  values: readonly number[] | Readonly<Record<string, number>>,
): XdrType<E> {
  const set = new Set<number>(Array.isArray(values) ? values : Object.values(values));
  const t: XdrType<E> = {
    min: 4,
    encode(w, v) {
      if (!set.has(v)) throw new XdrEncodeError(`enum value ${v} not allowed`);
      w.int(v);
    },
    decode: (r) => r.enumValue(set) as E,
  };
  setShape(t, { k: 'enum', set });
  return t;
}

/** An `enum` or `int` with no checking of its value. */
export const anyEnum: XdrType<number> = int;

/** `opaque x[n]`: exactly n bytes (copied on decode). */
export function fixedOpaque(n: number): XdrType<Uint8Array> {
  const t: XdrType<Uint8Array> = {
    min: n + ((4 - (n & 3)) & 3),
    encode: (w, v) => w.fixedOpaque(v, n),
    decode: (r) => r.fixedOpaque(n),
  };
  if (isCount(n)) setShape(t, { k: 'fixedOpaque', n });
  return t;
}

/** `opaque x<max>` (copied on decode). */
export function opaque(max: number = UNBOUNDED): XdrType<Uint8Array> {
  checkMax(max);
  const t: XdrType<Uint8Array> = {
    min: 4,
    encode: (w, v) => w.opaque(v, max),
    decode: (r) => r.opaque(max),
  };
  INLINE.set(t as XdrType<never>, { enc: `w.opaque(V, ${max})` });
  setShape(t, { k: 'opaque', max });
  return t;
}

/**
 * `string x<max>` as a JS string: encoded as UTF-8; decoded per `mode` ('utf8' default: invalid
 * bytes become U+FFFD; 'utf8-strict' rejects them; 'latin1' maps bytes 1:1 to code points).
 */
export function string(max: number = UNBOUNDED, mode?: StringMode): XdrType<string> {
  checkMax(max);
  const t: XdrType<string> = {
    min: 4,
    encode: (w, v) => w.string(v, max),
    decode: (r) => r.string(max, mode),
  };
  if (mode === undefined) {
    INLINE.set(t as XdrType<never>, { enc: `w.string(V, ${max})` });
    setShape(t, { k: 'string', max });
  }
  return t;
}

/** `string x<max>` kept as raw bytes (file names, anything not known to be text). */
export function stringBytes(max: number = UNBOUNDED): XdrType<Uint8Array> {
  return opaque(max);
}

// ---------------------------------------------------------------- composites

/** `T x[n]`: exactly n elements, no count on the wire. */
export function fixedArray<T>(t: XdrType<T>, n: number): XdrType<T[]> {
  const a: XdrType<T[]> = {
    min: t.min * n,
    encode(w, v) {
      if (!Array.isArray(v) || v.length !== n)
        throw new XdrEncodeError(`fixed array needs exactly ${n} elements`);
      for (let i = 0; i < n; i++) t.encode(w, v[i] as T);
    },
    decode(r) {
      if (t.min * n > r.remaining) r.fail(`fixed array of ${n} cannot fit`, ErrorCodes.TRUNCATED);
      const out = new Array<T>(n);
      for (let i = 0; i < n; i++) out[i] = t.decode(r);
      return out;
    },
  };
  if (isCount(n)) {
    setShape(a, { k: 'fixedArray', of: t, n });
    (a as { decode: XdrType<T[]>['decode'] }).decode = compileDecoder<T[]>({ k: 'fixedArray', of: t, n });
  }
  return a;
}

/** `T x<max>`: a count (≤ max) then the elements. */
export function array<T>(t: XdrType<T>, max: number = UNBOUNDED): XdrType<T[]> {
  checkMax(max);
  // Generated like struct(): a primitive element is written by a direct method call; the decoder
  // is compiled (compile.ts).
  const direct = DIRECT.get(t as XdrType<never>);
  const enc = direct ? `w.${direct}(v[i]);` : 't.encode(w, v[i]);';
  const make = new Function(
    't',
    'max',
    'XdrEncodeError',
    `return function encode(w, v) {
        if (!Array.isArray(v)) throw new XdrEncodeError('array value must be an array');
        if (v.length > max) throw new XdrEncodeError('array of ' + v.length + ' exceeds maximum ' + max);
        w.uint(v.length);
        for (let i = 0; i < v.length; i++) ${enc}
      };`,
  ) as (t: XdrType<T>, max: number, e: typeof XdrEncodeError) => XdrType<T[]>['encode'];
  const encode = make(t, max, XdrEncodeError);
  const a: XdrType<T[]> = { min: 4, encode, decode: compileDecoder<T[]>({ k: 'array', of: t, max }) };
  setShape(a, { k: 'array', of: t, max });
  return a;
}

type Fields<T> = { [K in keyof T]: XdrType<T[K]> };

/**
 * `struct { … }`: members in the order of the object's keys. Decoding builds a fresh object
 * with every key, in that order. The encoder is generated once per struct (field names are
 * quoted with JSON.stringify, never spliced raw), so each member is a direct, monomorphic call;
 * the decoder is compiled to straight-line code with known members inlined (compile.ts), and
 * decoded objects share one shape.
 */
export function struct<T extends object>(fields: Fields<T>): XdrType<T> {
  const names = Object.keys(fields) as (keyof T & string)[];
  const types = names.map((k) => fields[k]) as XdrType<unknown>[];
  let min = 0;
  for (const t of types) min += t.min;
  const enc: string[] = [];
  names.forEach((name, i) => {
    const key = JSON.stringify(name);
    const direct = DIRECT.get(types[i] as XdrType<never>);
    const inline = INLINE.get(types[i] as XdrType<never>);
    if (direct) enc.push(`w.${direct}(v[${key}]);`);
    else if (inline) enc.push(`${inline.enc.replace('V', `v[${key}]`)};`);
    else enc.push(`t[${i}].encode(w, v[${key}]);`);
  });
  const makeEncode = new Function(
    't',
    'XdrEncodeError',
    `return function encode(w, v) {
      if (v === null || typeof v !== 'object') throw new XdrEncodeError('struct value must be an object');
      ${enc.join('\n')}
    };`,
  ) as (t: XdrType<unknown>[], e: typeof XdrEncodeError) => (w: XdrWriter, v: T) => void;
  const t: XdrType<T> = {
    min,
    encode: makeEncode(types, XdrEncodeError),
    decode: compileDecoder<T>({ k: 'struct', names, types }),
  };
  setShape(t, { k: 'struct', names, types });
  return t;
}

/** A decoded/encodable union value: the discriminant and the selected arm's value. */
export interface UnionValue<D extends number | boolean = number, V = unknown> {
  tag: D;
  value: V;
}

export interface UnionSpec<D extends number | boolean> {
  /** Discriminant type: int, uint, an enumType, or bool. */
  disc: XdrType<D>;
  /** Case arms: [discriminant values, arm type]. Use `voidType` for `void` arms. */
  arms: readonly (readonly [readonly D[], XdrType<unknown>])[];
  /** The `default:` arm, if the union has one. */
  defaultArm?: XdrType<unknown>;
}

/**
 * `union switch (D d) { case …: arm; default: arm; }` as `{ tag, value }`. A tag matching no
 * case and no default is an error both ways (RFC 4506 §4.15).
 */
export function union<D extends number | boolean, V = unknown>(
  spec: UnionSpec<D>,
): XdrType<UnionValue<D, V>> {
  const map = new Map<number | boolean, XdrType<unknown>>();
  for (const [tags, t] of spec.arms) for (const tag of tags) map.set(tag, t);
  const dflt = spec.defaultArm;
  const disc = spec.disc;
  let armMin = Number.POSITIVE_INFINITY;
  for (const t of map.values()) armMin = Math.min(armMin, t.min);
  if (dflt) armMin = Math.min(armMin, dflt.min);
  if (!Number.isFinite(armMin)) armMin = 0;
  const u: XdrType<UnionValue<D, V>> = {
    min: disc.min + armMin,
    encode(w, v) {
      if (v === null || typeof v !== 'object') throw new XdrEncodeError('union value must be { tag, value }');
      const arm = map.get(v.tag) ?? dflt;
      if (!arm) throw new XdrEncodeError(`union has no arm for ${String(v.tag)}`);
      disc.encode(w, v.tag);
      arm.encode(w, v.value);
    },
    decode(r) {
      const at = r.pos;
      const tag = disc.decode(r);
      const arm = map.get(tag) ?? dflt;
      if (!arm) return r.fail(`union has no arm for discriminant ${String(tag)}`, ErrorCodes.INVALID, at);
      return { tag, value: arm.decode(r) as V };
    },
  };
  setShape(u, { k: 'union', self: u, disc, arms: map, dflt });
  return u;
}

/** Optional data `T *x`: `null` when absent; on the wire a bool then T (RFC 4506 §4.19). */
export function optional<T>(t: XdrType<T>): XdrType<T | null> {
  const o: XdrType<T | null> = {
    min: 4,
    encode(w, v) {
      if (v === null || v === undefined) {
        w.uint(0);
      } else {
        w.uint(1);
        t.encode(w, v);
      }
    },
    decode(r) {
      if (!r.bool()) return null;
      r.enter();
      const v = t.decode(r);
      r.leave();
      return v;
    },
  };
  setShape(o, { k: 'optional', of: t });
  return o;
}

/**
 * A type defined later or recursively (`struct entry { …; entry *next; }`): `lazy(() => entry)`.
 * Its `min` is 0 (unknown when built); decoding counts nesting against the reader's `maxDepth`.
 */
export function lazy<T>(thunk: () => XdrType<T>): XdrType<T> {
  let t: XdrType<T> | undefined;
  return {
    min: 0,
    encode(w, v) {
      t ??= thunk();
      t.encode(w, v);
    },
    decode(r) {
      t ??= thunk();
      r.enter();
      const v = t.decode(r);
      r.leave();
      return v;
    },
  };
}

/**
 * An XDR linked list (`struct node { T item; node *next; }` — pmaplist, rpcblist) carried as a JS
 * array: each element is preceded by TRUE, the list ends with FALSE. Decoding is iterative (no
 * recursion) and stops at `max` elements.
 */
export function linkedList<T>(item: XdrType<T>, max: number = UNBOUNDED): XdrType<T[]> {
  const unit = Math.max(item.min, 1);
  return {
    min: 4,
    encode(w, v) {
      if (!Array.isArray(v)) throw new XdrEncodeError('list value must be an array');
      for (let i = 0; i < v.length; i++) {
        w.uint(1);
        item.encode(w, v[i] as T);
      }
      w.uint(0);
    },
    decode(r) {
      const out: T[] = [];
      while (r.bool()) {
        if (out.length >= max) r.fail(`list longer than ${max}`, ErrorCodes.LIMIT);
        if (r.remaining < unit) r.need(unit);
        out.push(item.decode(r));
      }
      return out;
    },
  };
}

/** Maps a codec's value to another shape (e.g. an enum number to a name). */
export function transform<A, B>(t: XdrType<A>, to: (a: A) => B, from: (b: B) => A): XdrType<B> {
  return {
    min: t.min,
    encode: (w, v) => t.encode(w, from(v)),
    decode: (r) => to(t.decode(r)),
  };
}

// ---------------------------------------------------------------- whole messages

/** The scratch writer encode() reuses; undefined while an encode holds it. */
let spareWriter: XdrWriter | undefined = new XdrWriter(4096);

/**
 * Encodes one value into a fresh Uint8Array. A scratch writer is reused across calls; a codec
 * that calls encode() inside an encode gets a writer of its own (sharing one would overwrite the
 * outer message), and an encode that throws simply does not give the writer back.
 */
export function encode<T>(t: XdrType<T>, v: T): Uint8Array {
  const w = spareWriter ?? new XdrWriter(4096);
  spareWriter = undefined;
  w.reset();
  t.encode(w, v);
  const out = w.copy();
  spareWriter = w;
  return out;
}

/** Decodes exactly one value from `bytes`; trailing bytes are an error. */
export function decode<T>(t: XdrType<T>, bytes: Uint8Array, options?: XdrReaderOptions): T {
  // One reader is reused across calls (a decode that throws simply does not give it back).
  const r = XdrReader.acquire(bytes, options);
  const v = t.decode(r);
  r.done();
  XdrReader.release(r);
  return v;
}
