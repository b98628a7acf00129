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
const TWO17 = 2 ** 17;
const TWO35 = 2 ** 35;

const chunkStart = (n: number) => (n === 0 ? 0 : Math.floor((n - 1) / 6) * 6);

/** The word's UTF-8 bytes, without an encoder call for the usual all-ASCII word. */
function bytesOf(word: string): ArrayLike<number> {
  for (let i = 0; i < word.length; i++) if (word.charCodeAt(i) >= 0x80) return utf8.encode(word);
  const out = new Array<number>(word.length);
  for (let i = 0; i < word.length; i++) out[i] = word.charCodeAt(i);
  return out;
}

/**
 * The last 6-character chunk of `word` as a 36-bit BCD datum, space-padded on the right.
 * Chunks are counted from the start of the word over its UTF-8 bytes, so EVERYBODY gives ODY.
 * A byte outside the BCD set contributes its low 6 bits (as anthay/ELIZA does).
 * (36 bits fit exactly in a double.)
 */
export function lastChunkBcd(word: string): number {
  const bytes = bytesOf(word);
  let v = 0;
  let count = 0;
  for (let i = chunkStart(bytes.length); i < bytes.length; i++, count++) {
    const b = bytes[i]!;
    const code = BCD[b]!;
    v = v * 64 + (code >= 0 ? code : b & 0x3f);
  }
  for (; count < 6; count++) v = v * 64 + 0o60; // BCD space
  return v;
}

/** The last 6-character chunk of `word` as text (for traces): ODY for EVERYBODY. */
export function lastChunk(word: string): string {
  const bytes = utf8.encode(word);
  return new TextDecoder().decode(bytes.subarray(chunkStart(bytes.length)));
}

/**
 * SLIP HASH(D, N): clear the sign bit of the 36-bit datum, square the 35-bit magnitude, and
 * return the N bits that start at bit 35 − ⌊N/2⌋ of the 70-bit square (von Neumann's middle
 * square). The square is built exactly from 17-bit limbs, so no BigInt is needed.
 */
export function slipHash(datum: number, n: number): number {
  if (!Number.isInteger(n) || n < 0 || n > 15) throw new RangeError(`slipHash: n must be 0..15, got ${n}`);
  const d = datum % TWO35;
  const hi = Math.floor(d / TWO17); // < 2^18
  const lo = d % TWO17; // < 2^17
  // d² = lo² + 2·hi·lo·2^17 + hi²·2^34 = L0 + L1·2^17 + L2·2^34 + …, each limb < 2^17.
  const t0 = lo * lo;
  const x1 = 2 * hi * lo + Math.floor(t0 / TWO17);
  const l1 = x1 % TWO17;
  const l2 = (hi * hi + Math.floor(x1 / TWO17)) % TWO17;
  // Bits 17..50 of the square; the wanted bits lie between 28 and 42.
  const mid = l1 + l2 * TWO17;
  const shift = 35 - Math.floor(n / 2) - 17;
  return Math.floor(mid / 2 ** shift) % 2 ** n;
}

/** The MEMORY form (0..3) that ELIZA picks for a text whose last word is `word`. */
export function memoryFormFor(word: string): number {
  return slipHash(lastChunkBcd(word), 2);
}
