// pcapng 64-bit timestamps <-> (seconds, nanoseconds), exact without BigInt on the common paths.
// pcapng draft, section "Interface Description Block", option if_tsresol: "If the Most Significant
// Bit is equal to zero, the remaining bits indicates the resolution of the timestamp as a negative
// power of 10 ... If the Most Significant Bit is equal to one, ... as negative power of 2".

import type { TsResol } from './format.js';

export const MICRO: TsResol = { binary: false, exp: 6 };
export const NANO: TsResol = { binary: false, exp: 9 };

/** Decodes the one-byte if_tsresol value. */
export function tsresolFromByte(b: number): TsResol {
  return { binary: (b & 0x80) !== 0, exp: b & 0x7f };
}

export function tsresolToByte(r: TsResol): number {
  return (r.binary ? 0x80 : 0) | (r.exp & 0x7f);
}

/** Units per second, when it fits below 2^31 (else undefined: the slow path is used). */
function unitsPerSecond(r: TsResol): number | undefined {
  if (r.binary) return r.exp <= 30 ? 2 ** r.exp : undefined;
  return r.exp <= 9 ? 10 ** r.exp : undefined;
}

/** Scratch result to avoid an allocation per packet. */
export interface Ts {
  sec: number;
  nsec: number;
}

/** Converts a pcapng timestamp (hi, lo 32-bit halves, in `r` units) into `out`. */
export function ticksToTs(hi: number, lo: number, r: TsResol, out: Ts): void {
  const d = unitsPerSecond(r);
  if (d === undefined) {
    slowTicks(hi, lo, r, out);
    return;
  }
  let q: number;
  let rem: number;
  if (hi < 0x200000) {
    // hi·2^32 + lo < 2^53: a double holds it exactly.
    const t = hi * 4294967296 + lo;
    q = Math.floor(t / d);
    rem = t - q * d;
  } else {
    // Long division in 16-bit limbs: remainder·65536 + limb < 2^47 stays exact.
    const l3 = hi >>> 16;
    const l2 = hi & 0xffff;
    const l1 = lo >>> 16;
    const l0 = lo & 0xffff;
    const q3 = Math.floor(l3 / d);
    let r0 = l3 - q3 * d;
    let cur = r0 * 65536 + l2;
    const q2 = Math.floor(cur / d);
    r0 = cur - q2 * d;
    cur = r0 * 65536 + l1;
    const q1 = Math.floor(cur / d);
    r0 = cur - q1 * d;
    cur = r0 * 65536 + l0;
    const q0 = Math.floor(cur / d);
    rem = cur - q0 * d;
    q = ((q3 * 65536 + q2) * 65536 + q1) * 65536 + q0;
  }
  out.sec = q;
  if (r.binary) out.nsec = Math.floor((rem * 1e9) / d);
  else out.nsec = rem * 10 ** (9 - r.exp);
}

function slowTicks(hi: number, lo: number, r: TsResol, out: Ts): void {
  const t = (BigInt(hi) << 32n) | BigInt(lo);
  const d = r.binary ? 1n << BigInt(r.exp) : 10n ** BigInt(r.exp);
  const q = t / d;
  const rem = t - q * d;
  out.sec = Number(q);
  out.nsec = Number((rem * 1_000_000_000n) / d);
}

/** Converts (sec, nsec) into a pcapng timestamp in `r` units: [hi, lo]. Negative times clamp to 0. */
export function tsToTicks(sec: number, nsec: number, r: TsResol): [number, number] {
  if (sec < 0) return [0, 0];
  const m = unitsPerSecond(r);
  if (m === undefined || r.binary) {
    const d = r.binary ? 1n << BigInt(r.exp) : 10n ** BigInt(r.exp);
    const t = BigInt(sec) * d + (BigInt(nsec) * d) / 1_000_000_000n;
    return [Number((t >> 32n) & 0xffffffffn), Number(t & 0xffffffffn)];
  }
  const f = Math.floor(nsec / 10 ** (9 - r.exp));
  // value = sec·m + f, split so that every intermediate stays below 2^53.
  const sh = Math.floor(sec / 65536);
  const sl = sec - sh * 65536;
  const A = sh * m;
  const B = sl * m + f;
  const Ah = Math.floor(A / 65536);
  const Al = A - Ah * 65536;
  const C = Al * 65536 + B;
  const carry = Math.floor(C / 4294967296);
  return [(Ah + carry) >>> 0, C - carry * 4294967296];
}
