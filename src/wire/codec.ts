// The codec contract every src/wire module follows (after dns-packet), and the bounds checks they share.

import { DecodeError, ErrorCodes, NetkitError } from '../core/errors.js';

/**
 * `decode(bytes, offset, end)` reads one header (or message) starting at `offset` and never reads
 * at or past `end`; `encodingLength(value)` is the number of bytes `encode` writes;
 * `encode(value, into?, offset?)` writes into `into` (allocated when absent) and returns it.
 * decode(encode(v)) deep-equals v for every valid value.
 */
export interface Codec<T> {
  readonly name: string;
  decode(bytes: Uint8Array, offset?: number, end?: number): T;
  encodingLength(value: T): number;
  encode(value: T, into?: Uint8Array, offset?: number): Uint8Array;
}

/** Throws TRUNCATED unless `n` bytes are available at `off` before `end`. */
export function need(layer: string, off: number, n: number, end: number): void {
  if (off + n > end) {
    throw new DecodeError(
      layer,
      off,
      `truncated: needs ${n} bytes, ${Math.max(0, end - off)} available`,
      ErrorCodes.TRUNCATED,
    );
  }
}

export function invalid(layer: string, off: number, msg: string): never {
  throw new DecodeError(layer, off, msg, ErrorCodes.INVALID);
}

/** Clamps the caller's `end` to the array (an `end` past the bytes must not let a decoder read undefined). */
export function endOf(b: Uint8Array, end: number | undefined): number {
  return end === undefined || end > b.length ? b.length : end;
}

/** An encoder was given a value it cannot represent (a programming mistake, not hostile input). */
export function badValue(layer: string, msg: string): never {
  throw new NetkitError(ErrorCodes.INVALID, `${layer}: cannot encode: ${msg}`);
}

/** Returns `into` when it has room for `n` bytes at `off`, else a new array of `off + n` bytes. */
export function target(layer: string, into: Uint8Array | undefined, off: number, n: number): Uint8Array {
  if (!into) return new Uint8Array(off + n);
  if (off + n > into.length) badValue(layer, `needs ${n} bytes at offset ${off}, buffer has ${into.length}`);
  return into;
}

/** Checks that a number is an integer in [0, max]; encoders call this on every field. */
export function checkUint(layer: string, field: string, v: number, max: number): void {
  if (!Number.isInteger(v) || v < 0 || v > max) badValue(layer, `${field} ${v} not in 0..${max}`);
}
