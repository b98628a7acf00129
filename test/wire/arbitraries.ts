// fast-check generators of valid header values for every src/wire codec, and the round-trip check
// every codec must pass: decode(encode(v)) deep-equals v, and encodingLength(v) is what encode wrote.

import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DecodeError } from '../../src/core/errors.js';
import type { Codec } from '../../src/wire/codec.js';

export const u8 = fc.integer({ min: 0, max: 0xff });
export const u16 = fc.integer({ min: 0, max: 0xffff });
export const u32 = fc.integer({ min: 0, max: 0xffffffff });
export const mac = fc.integer({ min: 0, max: 2 ** 48 - 1 });
export const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max });
export const addr6 = bytes(16, 16);
/** A byte array whose length is a multiple of `m`, between 0 and `maxUnits` units. */
export const padded = (m: number, maxUnits: number, extra = 0) =>
  fc.integer({ min: 0, max: maxUnits }).chain((n) => bytes(n * m + extra, n * m + extra));

/** Plain arrays for deep-equal: Uint8Array vs Buffer subarrays compare by content this way. */
export function normalize(v: unknown): unknown {
  if (v instanceof Uint8Array) return { bytes: Array.from(v) };
  if (Array.isArray(v)) return v.map(normalize);
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.entries(v as Record<string, unknown>)
        .filter(([, x]) => x !== undefined)
        .map(([k, x]) => [k, normalize(x)]),
    );
  }
  return v;
}

export function roundTrip<T>(codec: Codec<T>, arb: fc.Arbitrary<T>, numRuns = 300): void {
  fc.assert(
    fc.property(arb, fc.integer({ min: 0, max: 7 }), (v, pad) => {
      const n = codec.encodingLength(v);
      const at = codec.encode(v, new Uint8Array(pad + n + 3), pad);
      const alone = codec.encode(v);
      assert.equal(alone.length, n, `${codec.name}: encodingLength`);
      assert.deepEqual(Array.from(at.subarray(pad, pad + n)), Array.from(alone));
      assert.deepEqual(normalize(codec.decode(alone, 0, alone.length)), normalize(v));
      assert.deepEqual(normalize(codec.decode(at, pad, pad + n)), normalize(v));
    }),
    { numRuns },
  );
}

/** Runs `f` and fails unless it returns or throws a DecodeError. */
export function onlyDecodeError(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof DecodeError)) throw new Error(`threw ${(e as Error)?.name}: ${(e as Error)?.message}`);
  }
}
