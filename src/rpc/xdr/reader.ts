// XDR decoder: bounds-checked big-endian reads over a Uint8Array (RFC 4506 §4). Every length is
// checked against the caller's maximum and the bytes left before anything is allocated; padding
// must be zero; the only error thrown is DecodeError with layer 'xdr'.

import { DecodeError, ErrorCodes } from '../../core/errors.js';

const utf8 = new TextDecoder('utf-8', { fatal: false });
const utf8Strict = new TextDecoder('utf-8', { fatal: true });

// 8 bytes of scratch seen as two int32 words and as one int64, uint64, float64 (and a float32 over
// word 0): a hyper, float or double is stored as its big-endian words and read back with one
// typed-array load — several times faster than BigInt arithmetic or a DataView (Node 20).
// HI/LO are the indexes of the high and low words on this host's byte order.
export const scratchWords = new Int32Array(2);
export const scratchI64 = new BigInt64Array(scratchWords.buffer);
export const scratchU64 = new BigUint64Array(scratchWords.buffer);
export const scratchF64 = new Float64Array(scratchWords.buffer);
export const scratchF32 = new Float32Array(scratchWords.buffer, 0, 1);
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
export const HI = littleEndian ? 1 : 0;
export const LO = littleEndian ? 0 : 1;

// Node's native latin1 slicer (on Buffer.prototype, works on any Uint8Array) turns ASCII bytes
// into a string without a copy loop; where it is missing we fall back to String.fromCharCode.
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice?: (s: number, e: number) => string })
  .latin1Slice;

/** How `string` bytes become a JS string. */
export type StringMode = 'utf8' | 'utf8-strict' | 'latin1';

export interface XdrReaderOptions {
  /** Nesting limit for optional data and recursive types (default 200). */
  maxDepth?: number;
  /** Default string decoding (default 'utf8': invalid sequences become U+FFFD). */
  stringMode?: StringMode;
  /**
   * Zero-copy: `opaque`/`fixedOpaque` (and `stringBytes`) return views into the input instead of
   * copies (default false). Only when the caller keeps the input unchanged while using the values.
   */
  views?: boolean;
}

/** XdrReader's fields as `acquire` re-points them. */
interface Writable {
  bytes: Uint8Array;
  pos: number;
  end: number;
  depth: number;
  maxDepth: number;
  stringMode: StringMode;
  views: boolean;
}

const EMPTY = new Uint8Array(0);
/** The one reader `XdrReader.acquire` hands out again (undefined while it is in use). */
let spare: XdrReader | undefined;

export class XdrReader {
  readonly bytes: Uint8Array;
  pos: number;
  readonly end: number;
  /** Current nesting (optional data / recursive types); see `maxDepth`. */
  depth = 0;
  readonly maxDepth: number;
  readonly stringMode: StringMode;
  readonly views: boolean;

  constructor(bytes: Uint8Array, offset = 0, end = bytes.length, options?: XdrReaderOptions) {
    if (offset < 0 || end > bytes.length || offset > end) {
      throw new DecodeError('xdr', offset, 'reader range outside the buffer', ErrorCodes.TRUNCATED);
    }
    this.bytes = bytes;
    this.pos = offset;
    this.end = end;
    this.maxDepth = options?.maxDepth ?? 200;
    this.stringMode = options?.stringMode ?? 'utf8';
    this.views = options?.views ?? false;
  }

  /**
   * A reader over all of `bytes` for one whole-message decode (`decode()` in types.ts): the spare
   * reader when there is one, so a decode allocates no reader; give it back with `release`.
   * Nested decodes (a codec calling decode()) simply get a new one.
   */
  static acquire(bytes: Uint8Array, options?: XdrReaderOptions): XdrReader {
    const r = spare;
    if (r === undefined) return new XdrReader(bytes, 0, bytes.length, options);
    spare = undefined;
    const w = r as unknown as Writable;
    w.bytes = bytes;
    w.pos = 0;
    w.end = bytes.length;
    w.depth = 0;
    w.maxDepth = options?.maxDepth ?? 200;
    w.stringMode = options?.stringMode ?? 'utf8';
    w.views = options?.views ?? false;
    return r;
  }

  /** Returns a reader from `acquire` once its decode is over; it drops the input. */
  static release(r: XdrReader): void {
    const w = r as unknown as Writable;
    w.bytes = EMPTY;
    w.pos = 0;
    w.end = 0;
    spare = r;
  }

  /**
   * The `n` bytes at `start` (pos does not move; the caller checked they are there): a view with
   * the `views` option, else a copy.
   */
  bytesAt(start: number, n: number): Uint8Array {
    if (!this.views) return copyOf(this.bytes, start, start + n);
    return this.bytes.subarray(start, start + n);
  }

  /** Bytes not read yet. */
  get remaining(): number {
    return this.end - this.pos;
  }

  /** The unread bytes as a view (no copy). */
  rest(): Uint8Array {
    return this.bytes.subarray(this.pos, this.end);
  }

  /** Throws unless every byte was consumed (a whole message must be exactly one value). */
  done(): void {
    if (this.pos !== this.end) this.fail(`${this.end - this.pos} trailing bytes`);
  }

  fail(message: string, code: string = ErrorCodes.INVALID, at = this.pos): never {
    throw new DecodeError('xdr', at, message, code);
  }

  need(n: number): void {
    if (this.end - this.pos < n) {
      this.fail(`need ${n} bytes, ${this.end - this.pos} left`, ErrorCodes.TRUNCATED);
    }
  }

  /** Stores the next 8 bytes into the scratch words (big-endian halves) and advances. */
  private toScratch8(): void {
    const p = this.pos;
    if (this.end - p < 8) this.need(8);
    const b = this.bytes;
    scratchWords[HI] = (b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!;
    scratchWords[LO] = (b[p + 4]! << 24) | (b[p + 5]! << 16) | (b[p + 6]! << 8) | b[p + 7]!;
    this.pos = p + 8;
  }

  /** `int`: signed 32-bit. */
  int(): number {
    const p = this.pos;
    if (this.end - p < 4) this.need(4);
    const b = this.bytes;
    this.pos = p + 4;
    return (b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!;
  }

  /** `unsigned int`. */
  uint(): number {
    const p = this.pos;
    if (this.end - p < 4) this.need(4);
    const b = this.bytes;
    this.pos = p + 4;
    return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
  }

  hyper(): bigint {
    this.toScratch8();
    return scratchI64[0]!;
  }

  uhyper(): bigint {
    this.toScratch8();
    return scratchU64[0]!;
  }

  float(): number {
    scratchWords[0] = this.int();
    return scratchF32[0]!;
  }

  double(): number {
    this.toScratch8();
    return scratchF64[0]!;
  }

  /** `bool`: only 0 and 1 are accepted (bool is `enum { FALSE = 0, TRUE = 1 }`). */
  bool(): boolean {
    const at = this.pos;
    const v = this.uint();
    if (v > 1) this.fail(`bool must be 0 or 1, got ${v}`, ErrorCodes.INVALID, at);
    return v === 1;
  }

  /** `enum`: a signed int, checked against `allowed` when given. */
  enumValue(allowed?: ReadonlySet<number>): number {
    const at = this.pos;
    const v = this.int();
    if (allowed && !allowed.has(v)) this.fail(`enum value ${v} not allowed`, ErrorCodes.INVALID, at);
    return v;
  }

  /** Skips `n` bytes of padding, which must be zero (RFC 4506 §3: "residual zero bytes"). */
  private skipPad(n: number): void {
    const pad = (4 - (n & 3)) & 3;
    if (pad === 0) return;
    if (this.end - this.pos < pad) this.need(pad);
    const b = this.bytes;
    for (let i = 0; i < pad; i++) {
      if (b[this.pos + i] !== 0) this.fail('non-zero padding', ErrorCodes.INVALID, this.pos + i);
    }
    this.pos += pad;
  }

  /** n bytes as a view into the input (no copy) plus zero padding. */
  fixedOpaqueView(n: number): Uint8Array {
    if (this.end - this.pos < n) this.need(n);
    const v = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    this.skipPad(n);
    return v;
  }

  /** `opaque x[n]`, copied out of the input (a view with the `views` option). */
  fixedOpaque(n: number): Uint8Array {
    if (this.end - this.pos < n) this.need(n);
    const v = this.bytesAt(this.pos, n);
    this.pos += n;
    this.skipPad(n);
    return v;
  }

  /** Reads and checks a length (≤ max, and ≤ the bytes left, so nothing is allocated from it). */
  length(max: number, what = 'opaque'): number {
    const at = this.pos;
    const n = this.uint();
    if (n > max) this.fail(`${what} length ${n} exceeds maximum ${max}`, ErrorCodes.INVALID, at);
    if (n > this.end - this.pos)
      this.fail(
        `${what} length ${n} exceeds the ${this.end - this.pos} bytes left`,
        ErrorCodes.TRUNCATED,
        at,
      );
    return n;
  }

  /** `opaque x<max>` as a view into the input (valid while the input is). */
  opaqueView(max = 0xffff_ffff): Uint8Array {
    return this.fixedOpaqueView(this.length(max));
  }

  /** `opaque x<max>`, copied (a view with the `views` option). */
  opaque(max = 0xffff_ffff): Uint8Array {
    return this.fixedOpaque(this.length(max));
  }

  /** `string x<max>`, decoded per `mode` (default: the reader's `stringMode`). */
  string(max = 0xffff_ffff, mode: StringMode = this.stringMode): string {
    const n = this.length(max, 'string');
    const b = this.bytes;
    const start = this.pos;
    // ASCII is the same in every mode.
    let s = n <= 64 ? asciiOrNull(b, start, n) : asciiLong(b, start, n);
    if (s === null) s = decodeBytes(b.subarray(start, start + n), mode, this, start);
    this.pos = start + n;
    this.skipPad(n);
    return s;
  }

  /**
   * Reads an array count (≤ max) and checks that `count × minElementSize` bytes are left, so a
   * hostile count cannot make the caller allocate. Elements of size 0 count as 1 byte.
   */
  count(max: number, minElementSize: number): number {
    const at = this.pos;
    const n = this.uint();
    if (n > max) this.fail(`array count ${n} exceeds maximum ${max}`, ErrorCodes.INVALID, at);
    const unit = minElementSize > 0 ? minElementSize : 1;
    if (n * unit > this.end - this.pos) {
      this.fail(`array count ${n} exceeds the ${this.end - this.pos} bytes left`, ErrorCodes.TRUNCATED, at);
    }
    return n;
  }

  /** Enters one level of nesting (optional data, recursive types). */
  enter(): void {
    if (++this.depth > this.maxDepth) {
      this.depth--;
      this.fail(`nesting deeper than ${this.maxDepth}`, ErrorCodes.LIMIT);
    }
  }

  leave(): void {
    this.depth--;
  }
}

/**
 * `ASCII[n](b, p)`: the n (≤ 16) bytes at p as a string when every one is ASCII, else null. One
 * small straight-line function per length, built once here: the bytes are loaded once, OR-ed to
 * test bit 7, and passed to String.fromCharCode as arguments — about 3× faster than any slicing
 * decoder for the names, netids and paths RPC carries, and small enough to be inlined where a
 * call site always sees one length (measured on Node 20).
 */
const ASCII: readonly ((b: Uint8Array, p: number) => string | null)[] = Array.from({ length: 17 }, (_, n) => {
  if (n === 0) return () => '';
  const c = Array.from({ length: n }, (_, i) => `c${i}`);
  const loads = c.map((x, i) => `const ${x} = b[p + ${i}];`).join(' ');
  return new Function(
    'b',
    'p',
    `${loads} return (${c.join(' | ')}) > 127 ? null : String.fromCharCode(${c.join(', ')});`,
  ) as (b: Uint8Array, p: number) => string | null;
});

/** `b[p … p+n)` as a string when every byte is ASCII, else null (meant for n ≤ 64; also called by compiled decoders). */
export function asciiOrNull(b: Uint8Array, p: number, n: number): string | null {
  if (n <= 16) return ASCII[n]!(b, p);
  let s = '';
  while (n > 0) {
    const k = Math.min(n, 16);
    const t = ASCII[k]!(b, p);
    if (t === null) return null;
    s += t;
    p += k;
    n -= k;
  }
  return s;
}

/** Longer runs: one scan, then Node's native latin1 slicer (a char loop where it is missing). */
function asciiLong(b: Uint8Array, start: number, n: number): string | null {
  const e = start + n;
  for (let i = start; i < e; i++) if (b[i]! >= 0x80) return null;
  if (latin1Slice) return latin1Slice.call(b, start, e);
  let s = '';
  for (let i = start; i < e; i++) s += String.fromCharCode(b[i]!);
  return s;
}

const u8slice = Uint8Array.prototype.slice;

/** A copy even when `b` is a Node Buffer (whose own `slice` returns a view). */
function copyOf(b: Uint8Array, start: number, end: number): Uint8Array {
  const n = end - start;
  if (n <= 64) {
    // Short values: a plain loop beats slice()'s species lookup.
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = b[start + i]!;
    return out;
  }
  return u8slice.call(b, start, end);
}

function decodeBytes(bytes: Uint8Array, mode: StringMode, r: XdrReader, at: number): string {
  if (mode === 'latin1') {
    let s = '';
    for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]!);
    return s;
  }
  if (mode === 'utf8-strict') {
    try {
      return utf8Strict.decode(bytes);
    } catch {
      return r.fail('string is not valid UTF-8', ErrorCodes.INVALID, at);
    }
  }
  return utf8.decode(bytes);
}
