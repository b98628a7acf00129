// The SLIP HASH that ELIZA uses to pick a MEMORY form: the middle bits of the square of the last
// word's last 6-character chunk in IBM 7090 BCD (SLIP FAP listing; anthay/ELIZA doc P3; CACM p.41).

/** 7090 BCD (Hollerith) codes, by octal code: the character set ELIZA ran on. */
const BCD_TABLE = "0123456789\0='\0\0\0+ABCDEFGHI\0.)\0\0\0-JKLMNOPQR\0$*\0\0\0 /STUVWXYZ\0,(\0\0\0";

const BCD = new Int16Array(256).fill(-1);
for (let code = 0; code < 64; code++) {
  const ch = BCD_TABLE.charCodeAt(code);
  if (ch !== 0) BCD[ch] = code;
}

const utf8 = new TextEncoder();

/**
 * The last 6-character chunk of `word` as a 36-bit BCD datum, space-padded on the right.
 * Chunks are counted from the start of the word over its UTF-8 bytes, so EVERYBODY gives ODY.
 * A byte outside the BCD set contributes its low 6 bits (as anthay/ELIZA does).
 */
export function lastChunkBcd(word: string): bigint {
  const bytes = utf8.encode(word);
  const from = chunkStart(bytes.length);
  let v = 0n;
  let count = 0;
  for (let i = from; i < bytes.length; i++, count++) {
    const b = bytes[i]!;
    const code = BCD[b]!;
    v = (v << 6n) | BigInt(code >= 0 ? code : b & 0x3f);
  }
  for (; count < 6; count++) v = (v << 6n) | 0o60n; // BCD space
  return v;
}

const chunkStart = (n: number) => (n === 0 ? 0 : Math.floor((n - 1) / 6) * 6);

/** The last 6-character chunk of `word` as text (for traces): ODY for EVERYBODY. */
export function lastChunk(word: string): string {
  const bytes = utf8.encode(word);
  return new TextDecoder().decode(bytes.subarray(chunkStart(bytes.length)));
}

/**
 * SLIP HASH(D, N): clear the sign bit of the 36-bit datum, square the 35-bit magnitude, and
 * return the N bits that end at bit 35 − N/2 of the square (von Neumann's middle square).
 */
export function slipHash(datum: bigint, n: number): number {
  if (!Number.isInteger(n) || n < 0 || n > 15) throw new RangeError(`slipHash: n must be 0..15, got ${n}`);
  const d = datum & 0x7ffffffffn;
  const sq = d * d;
  return Number((sq >> BigInt(35 - Math.floor(n / 2))) & ((1n << BigInt(n)) - 1n));
}

/** The MEMORY form (0..3) that ELIZA picks for a text whose last word is `word`. */
export function memoryFormFor(word: string): number {
  return slipHash(lastChunkBcd(word), 2);
}
