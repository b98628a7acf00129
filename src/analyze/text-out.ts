// Output text built as UTF-8 bytes in one growing buffer: numbers, addresses and constant words are
// written digit by digit, so a summary line allocates no strings. The caller takes the bytes in
// large batches (`take()`) and hands them to a stream. Address text: RFC 5952 (IPv6).

/** Decimal text of 0..255: length, then up to three digits, 4 bytes per value. */
const OCTET = new Uint8Array(1024);
for (let v = 0; v < 256; v++) {
  const t = String(v);
  OCTET[4 * v] = t.length;
  for (let i = 0; i < t.length; i++) OCTET[4 * v + 1 + i] = t.charCodeAt(i);
}
const HEXC = Uint8Array.from('0123456789abcdef', (c) => c.charCodeAt(0));
const groups = new Int32Array(8);

/** Constant ASCII text, packed four bytes to a word (big-endian, zero-padded) for TextOut.bytes(). */
export class Ascii {
  readonly length: number;
  readonly words: Int32Array;
  constructor(s: string) {
    this.length = s.length;
    this.words = new Int32Array((s.length + 3) >> 2);
    for (let i = 0; i < s.length; i++) {
      this.words[i >> 2]! |= (s.charCodeAt(i) & 0x7f) << (24 - 8 * (i & 3));
    }
  }
}

export function ascii(s: string): Ascii {
  return new Ascii(s);
}

export class TextOut {
  buf: Buffer;
  pos = 0;
  /** A view of `buf` for word-sized writes. */
  private dv: DataView;

  constructor(size = 1 << 16) {
    this.buf = Buffer.allocUnsafeSlow(size);
    this.dv = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  private setBuf(b: Buffer): void {
    this.buf = b;
    this.dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const b = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(b, 0, 0, this.pos);
    this.setBuf(b);
  }

  /**
   * The bytes written so far, handed over: the next ones go to `next` (a buffer handed over earlier
   * and no longer in use, see `whole()`) or to a fresh buffer.
   */
  take(next?: Buffer): Buffer {
    const out = this.buf.subarray(0, this.pos);
    this.setBuf(
      next !== undefined && next.length >= this.buf.length ? next : Buffer.allocUnsafeSlow(this.buf.length),
    );
    this.pos = 0;
    return out;
  }

  /** The whole buffer behind a slice returned by take(), to pass back to take() once it is free. */
  static whole(taken: Buffer): Buffer {
    return Buffer.from(taken.buffer, taken.byteOffset, taken.buffer.byteLength - taken.byteOffset);
  }

  /** The text written since `start`, as a string (and forgotten). */
  cut(start: number): string {
    const s = this.buf.toString('utf8', start, this.pos);
    this.pos = start;
    return s;
  }

  /** True when the bytes a, b occur together after `start`. */
  has2(start: number, a: number, b: number): boolean {
    const buf = this.buf;
    for (let i = start; i + 1 < this.pos; i++) if (buf[i] === a && buf[i + 1] === b) return true;
    return false;
  }

  byte(c: number): void {
    if (this.pos >= this.buf.length) this.ensure(1);
    this.buf[this.pos++] = c;
  }

  /** Any string, as UTF-8 (short ASCII ones byte by byte, long ones by Buffer#write). */
  str(s: string): void {
    const n = s.length;
    if (n > 48) {
      this.ensure(n * 3);
      this.pos += this.buf.write(s, this.pos, 'utf8');
      return;
    }
    this.ensure(n);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        this.pos = p;
        this.ensure((n - i) * 3);
        this.pos += this.buf.write(s.slice(i), this.pos, 'utf8');
        return;
      }
      buf[p++] = c;
    }
    this.pos = p;
  }

  /** A non-negative integer (below 2^53) in decimal. */
  uint(n: number): void {
    if (this.pos + 16 > this.buf.length) this.ensure(16);
    const buf = this.buf;
    let p = this.pos;
    if (n < 10) {
      buf[p] = 48 + n;
      this.pos = p + 1;
      return;
    }
    if (n < 100) {
      const t = (n / 10) | 0;
      buf[p] = 48 + t;
      buf[p + 1] = 48 + (n - t * 10);
      this.pos = p + 2;
      return;
    }
    if (n < 0x80000000) {
      let x = n | 0;
      const digits =
        x < 1000
          ? 3
          : x < 10000
            ? 4
            : x < 100000
              ? 5
              : x < 1000000
                ? 6
                : x < 1e7
                  ? 7
                  : x < 1e8
                    ? 8
                    : x < 1e9
                      ? 9
                      : 10;
      p += digits;
      this.pos = p;
      while (x >= 10) {
        const q = (x / 10) | 0;
        buf[--p] = 48 + (x - q * 10);
        x = q;
      }
      buf[--p] = 48 + x;
      return;
    }
    let digits = 1;
    for (let x = n; x >= 10; x = Math.floor(x / 10)) digits++;
    p += digits;
    this.pos = p;
    let x = n;
    while (x >= 10) {
      const q = Math.floor(x / 10);
      buf[--p] = 48 + (x - q * 10);
      x = q;
    }
    buf[--p] = 48 + x;
  }

  /**
   * Constant text made by `ascii()`, a word at a time (twice as fast as byte by byte for the short
   * words of a summary or a JSON key). Up to 3 bytes past the text may be written: they lie past
   * `pos`, where nothing is read, and the next write covers them.
   */
  bytes(c: Ascii): void {
    const w = c.words;
    if (this.pos + 4 * w.length > this.buf.length) this.ensure(4 * w.length);
    const dv = this.dv;
    let p = this.pos;
    for (let i = 0; i < w.length; i++, p += 4) dv.setInt32(p, w[i]!);
    this.pos += c.length;
  }

  /** Any integer in decimal (negative ones are rare: written through String). */
  int(n: number): void {
    if (n >= 0 && Number.isSafeInteger(n)) this.uint(n);
    else this.str(String(n));
  }

  /** `n` zero-padded to 6 digits (0 ≤ n < 1e6). */
  pad6(n: number): void {
    this.ensure(6);
    const buf = this.buf;
    let p = this.pos + 6;
    this.pos = p;
    for (let i = 0; i < 6; i++) {
      const q = (n / 10) | 0;
      buf[--p] = 48 + (n - q * 10);
      n = q;
    }
  }

  /** `n` zero-padded to 9 digits (nanoseconds; larger values as they are). */
  pad9(n: number): void {
    if (n < 0 || n >= 1e9 || !Number.isInteger(n)) {
      this.str(String(n).padStart(9, '0'));
      return;
    }
    this.ensure(9);
    const buf = this.buf;
    let p = this.pos + 9;
    this.pos = p;
    for (let i = 0; i < 9; i++) {
      const q = (n / 10) | 0;
      buf[--p] = 48 + (n - q * 10);
      n = q;
    }
  }

  /** Dotted quad of the 4 bytes at `o`. */
  ip4At(b: Uint8Array, o: number): void {
    this.ip4(((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0);
  }

  /** Dotted quad of an unsigned 32-bit address. */
  ip4(a: number): void {
    if (this.pos + 15 > this.buf.length) this.ensure(15);
    const buf = this.buf;
    let p = this.pos;
    for (let shift = 24; shift >= 0; shift -= 8) {
      const i = ((a >>> shift) & 0xff) << 2;
      const n = OCTET[i]!;
      buf[p] = OCTET[i + 1]!;
      if (n > 1) {
        buf[p + 1] = OCTET[i + 2]!;
        if (n > 2) buf[p + 2] = OCTET[i + 3]!;
      }
      p += n;
      if (shift !== 0) buf[p++] = 46;
    }
    this.pos = p;
  }

  /** Lower-case hex of a 16-bit group without leading zeros. */
  hex16(v: number): void {
    this.ensure(4);
    const buf = this.buf;
    if (v >= 0x1000) buf[this.pos++] = HEXC[v >>> 12]!;
    if (v >= 0x100) buf[this.pos++] = HEXC[(v >>> 8) & 15]!;
    if (v >= 0x10) buf[this.pos++] = HEXC[(v >>> 4) & 15]!;
    buf[this.pos++] = HEXC[v & 15]!;
  }

  /** Two hex digits. */
  hex8(v: number): void {
    this.ensure(2);
    this.buf[this.pos++] = HEXC[v >>> 4]!;
    this.buf[this.pos++] = HEXC[v & 15]!;
  }

  /** `aa:bb:cc:dd:ee:ff` of the 6 bytes at `o`. */
  mac(b: Uint8Array, o: number): void {
    for (let i = 0; i < 6; i++) {
      if (i) this.byte(58);
      this.hex8(b[o + i]!);
    }
  }

  /** RFC 5952 text of the 16 bytes at `o` (as src/core/bytes formatIPv6). */
  ip6(b: Uint8Array, o: number): void {
    for (let i = 0; i < 8; i++) groups[i] = (b[o + 2 * i]! << 8) | b[o + 2 * i + 1]!;
    if (
      groups[0] === 0 &&
      groups[1] === 0 &&
      groups[2] === 0 &&
      groups[3] === 0 &&
      groups[4] === 0 &&
      groups[5] === 0xffff
    ) {
      this.str('::ffff:');
      this.ip4(((b[o + 12]! << 24) | (b[o + 13]! << 16) | (b[o + 14]! << 8) | b[o + 15]!) >>> 0);
      return;
    }
    // The longest run of two or more zero groups (the first of equals) becomes "::".
    let bestStart = -1;
    let bestLen = 1;
    for (let i = 0; i < 8; ) {
      if (groups[i] !== 0) {
        i++;
        continue;
      }
      let j = i;
      while (j < 8 && groups[j] === 0) j++;
      if (j - i > bestLen) {
        bestStart = i;
        bestLen = j - i;
      }
      i = j;
    }
    if (this.pos + 41 > this.buf.length) this.ensure(41);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < 8; i++) {
      if (i === bestStart) {
        buf[p++] = 58;
        buf[p++] = 58;
        i += bestLen - 1;
        continue;
      }
      if (i > 0 && i !== bestStart + bestLen) buf[p++] = 58;
      const v = groups[i]!;
      if (v >= 0x1000) buf[p++] = HEXC[v >>> 12]!;
      if (v >= 0x100) buf[p++] = HEXC[(v >>> 8) & 15]!;
      if (v >= 0x10) buf[p++] = HEXC[(v >>> 4) & 15]!;
      buf[p++] = HEXC[v & 15]!;
    }
    this.pos = p;
  }

  /** Bytes as lower-case hex without separators. */
  hexBytes(b: Uint8Array, from: number, to: number): void {
    this.ensure(2 * (to - from));
    for (let i = from; i < to; i++) this.hex8(b[i]!);
  }
}
