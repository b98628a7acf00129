// XDR encoder: a growable big-endian buffer of 4-byte units, reused across messages (RFC 4506 §4).

import { ErrorCodes, NetkitError } from '../../core/errors.js';

/** Thrown by encoders for values XDR cannot carry (out of range, too long) and for `maxSize`. */
export class XdrEncodeError extends NetkitError {
  constructor(message: string, code: string = ErrorCodes.INVALID) {
    super(code, `xdr: ${message}`);
    this.name = 'XdrEncodeError';
  }
}

const textEncoder = new TextEncoder();
const ZERO4 = new Uint8Array(4);

/**
 * Writes XDR. One writer is meant to be reused: `reset()`, encode, then `bytes()` (a view, valid
 * until the next reset) or `copy()`. Growth doubles the buffer; `maxSize` bounds it.
 */
export class XdrWriter {
  buf: Uint8Array;
  view: DataView;
  pos = 0;
  readonly maxSize: number;

  constructor(initialSize = 512, maxSize = 0x7fff_ffff) {
    this.buf = new Uint8Array(Math.max(16, initialSize));
    this.view = new DataView(this.buf.buffer);
    this.maxSize = maxSize;
  }

  reset(): this {
    this.pos = 0;
    return this;
  }

  /** Bytes written so far, as a view of the internal buffer (valid until the next write/reset). */
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  /** Bytes written so far, copied. */
  copy(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    if (need > this.maxSize) {
      throw new XdrEncodeError(`message exceeds ${this.maxSize} bytes`, ErrorCodes.LIMIT);
    }
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    if (size > this.maxSize) size = this.maxSize;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  /** Reserves 4 bytes and returns their offset (for a length or count patched later). */
  reserve4(): number {
    this.ensure(4);
    const p = this.pos;
    this.pos = p + 4;
    return p;
  }

  /** Writes an unsigned 32-bit value at an earlier offset (see `reserve4`). */
  patchUint(at: number, v: number): void {
    const b = this.buf;
    b[at] = v >>> 24;
    b[at + 1] = v >>> 16;
    b[at + 2] = v >>> 8;
    b[at + 3] = v;
  }

  /** `int`: signed 32-bit. */
  int(v: number): void {
    if ((v | 0) !== v) throw new XdrEncodeError(`int out of range: ${v}`);
    this.ensure(4);
    const b = this.buf;
    const p = this.pos;
    b[p] = v >>> 24;
    b[p + 1] = v >>> 16;
    b[p + 2] = v >>> 8;
    b[p + 3] = v;
    this.pos = p + 4;
  }

  /** `unsigned int`: 0 … 2^32−1. */
  uint(v: number): void {
    if (v >>> 0 !== v) throw new XdrEncodeError(`unsigned int out of range: ${v}`);
    this.ensure(4);
    const b = this.buf;
    const p = this.pos;
    b[p] = v >>> 24;
    b[p + 1] = v >>> 16;
    b[p + 2] = v >>> 8;
    b[p + 3] = v;
    this.pos = p + 4;
  }

  /** `hyper`: signed 64-bit, as a bigint. */
  hyper(v: bigint): void {
    if (typeof v !== 'bigint' || BigInt.asIntN(64, v) !== v) {
      throw new XdrEncodeError(`hyper out of range: ${String(v)}`);
    }
    this.ensure(8);
    this.view.setBigInt64(this.pos, v);
    this.pos += 8;
  }

  /** `unsigned hyper`: 0 … 2^64−1, as a bigint. */
  uhyper(v: bigint): void {
    if (typeof v !== 'bigint' || BigInt.asUintN(64, v) !== v) {
      throw new XdrEncodeError(`unsigned hyper out of range: ${String(v)}`);
    }
    this.ensure(8);
    this.view.setBigUint64(this.pos, v);
    this.pos += 8;
  }

  /** `float`: IEEE single precision (the number is rounded to the nearest float). */
  float(v: number): void {
    if (typeof v !== 'number') throw new XdrEncodeError('float must be a number');
    this.ensure(4);
    this.view.setFloat32(this.pos, v);
    this.pos += 4;
  }

  /** `double`: IEEE double precision. */
  double(v: number): void {
    if (typeof v !== 'number') throw new XdrEncodeError('double must be a number');
    this.ensure(8);
    this.view.setFloat64(this.pos, v);
    this.pos += 8;
  }

  /** `bool`: FALSE = 0, TRUE = 1. */
  bool(v: boolean): void {
    this.uint(v ? 1 : 0);
  }

  /** Raw bytes plus zero padding to a multiple of 4 (no length). */
  padded(bytes: Uint8Array): void {
    const n = bytes.length;
    const pad = (4 - (n & 3)) & 3;
    this.ensure(n + pad);
    this.buf.set(bytes, this.pos);
    this.pos += n;
    if (pad) {
      this.buf.set(ZERO4.subarray(0, pad), this.pos);
      this.pos += pad;
    }
  }

  /** `opaque x[n]`: exactly n bytes plus padding. */
  fixedOpaque(bytes: Uint8Array, n: number): void {
    if (!(bytes instanceof Uint8Array) || bytes.length !== n) {
      throw new XdrEncodeError(`fixed opaque needs exactly ${n} bytes`);
    }
    this.padded(bytes);
  }

  /** `opaque x<max>`: length, bytes, padding. */
  opaque(bytes: Uint8Array, max = 0xffff_ffff): void {
    if (!(bytes instanceof Uint8Array)) throw new XdrEncodeError('opaque needs a Uint8Array');
    if (bytes.length > max)
      throw new XdrEncodeError(`opaque of ${bytes.length} bytes exceeds maximum ${max}`);
    this.uint(bytes.length);
    this.padded(bytes);
  }

  /**
   * `string x<max>`: a JS string is written as UTF-8 (RFC 4506 says ASCII; UTF-8 is its superset),
   * a Uint8Array as raw bytes. `max` counts bytes.
   */
  string(s: string | Uint8Array, max = 0xffff_ffff): void {
    if (typeof s !== 'string') {
      this.opaque(s, max);
      return;
    }
    const n = s.length;
    // Fast path: short ASCII written byte by byte, no allocation.
    if (n <= 64) {
      this.ensure(4 + n + 3);
      const b = this.buf;
      const start = this.pos + 4;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        b[start + i] = c;
      }
      if (i === n) {
        if (n > max) throw new XdrEncodeError(`string of ${n} bytes exceeds maximum ${max}`);
        this.patchUint(this.pos, n);
        let p = start + n;
        while (p & 3) b[p++] = 0;
        this.pos = p;
        return;
      }
    }
    // General path: encode straight into the buffer after a reserved length.
    this.ensure(4 + n * 3 + 3);
    const at = this.pos;
    const { written } = textEncoder.encodeInto(s, this.buf.subarray(at + 4));
    if (written > max) throw new XdrEncodeError(`string of ${written} bytes exceeds maximum ${max}`);
    this.patchUint(at, written);
    let p = at + 4 + written;
    const b = this.buf;
    while (p & 3) b[p++] = 0;
    this.pos = p;
  }
}
