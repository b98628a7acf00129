// Byte helpers for codecs: big-endian reads/writes, DataViews that respect byteOffset, hex dumps,
// and MAC / IPv4 / IPv6 address text (IPv6 in RFC 5952 canonical form; RFC 4291 §2.2 for parsing).

/** One empty array shared by every decoder that has nothing to return (no allocation per packet). */
export const EMPTY: Uint8Array = new Uint8Array(0);

/** A DataView over exactly these bytes (Node's pooled Buffers start at a non-zero byteOffset). */
export function dataView(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function u16(b: Uint8Array, o: number): number {
  return (b[o]! << 8) | b[o + 1]!;
}

export function u32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

export function put16(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >>> 8) & 0xff;
  b[o + 1] = v & 0xff;
}

export function put32(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >>> 24) & 0xff;
  b[o + 1] = (v >>> 16) & 0xff;
  b[o + 2] = (v >>> 8) & 0xff;
  b[o + 3] = v & 0xff;
}

// ---- hex ----

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function toHex(bytes: Uint8Array, sep = ''): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += (i && sep ? sep : '') + HEX[bytes[i]!];
  return s;
}

/** Parses hex digits, ignoring whitespace, ':' and '-'. Returns undefined on anything else or an odd count. */
export function fromHex(text: string): Uint8Array | undefined {
  const clean = text.replace(/[\s:-]/g, '');
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) return undefined;
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/**
 * Hex and ASCII, 16 bytes a line, like `tcpdump -X`: `0x0010:  4500 0054 … ` then the printable
 * characters ('.' for the rest). `indent` prefixes every line.
 */
export function hexDump(bytes: Uint8Array, indent = '\t', width = 16): string {
  const lines: string[] = [];
  for (let off = 0; off < bytes.length; off += width) {
    const row = bytes.subarray(off, Math.min(off + width, bytes.length));
    let hex = '';
    let ascii = '';
    for (let i = 0; i < width; i++) {
      if (i < row.length) {
        hex += HEX[row[i]!];
        const c = row[i]!;
        ascii += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '.';
      } else hex += '  ';
      if (i % 2 === 1) hex += ' ';
    }
    lines.push(`${indent}0x${off.toString(16).padStart(4, '0')}:  ${hex} ${ascii}`);
  }
  return lines.join('\n');
}

// ---- MAC (48-bit addresses held as numbers: exact in a double, compared with ===, no allocation) ----

export function readMac(b: Uint8Array, o: number): number {
  return (
    ((b[o]! << 8) | b[o + 1]!) * 0x100000000 +
    (((b[o + 2]! << 24) | (b[o + 3]! << 16) | (b[o + 4]! << 8) | b[o + 5]!) >>> 0)
  );
}

export function writeMac(b: Uint8Array, o: number, mac: number): void {
  const hi = Math.floor(mac / 0x100000000);
  put16(b, o, hi);
  put32(b, o + 2, mac >>> 0);
}

/** `aa:bb:cc:dd:ee:ff` (lower case). */
export function formatMac(mac: number): string {
  const hi = Math.floor(mac / 0x100000000);
  const lo = mac >>> 0;
  return `${HEX[hi >>> 8]}:${HEX[hi & 0xff]}:${HEX[lo >>> 24]}:${HEX[(lo >>> 16) & 0xff]}:${HEX[(lo >>> 8) & 0xff]}:${HEX[lo & 0xff]}`;
}

/** Any run of bytes as `aa:bb:…` (hardware addresses of other lengths, e.g. in ARP or SLL). */
export function formatHw(bytes: Uint8Array): string {
  return toHex(bytes, ':');
}

/** Accepts `aa:bb:cc:dd:ee:ff`, `aa-bb-…` or `aabb.ccdd.eeff`; undefined if malformed. */
export function parseMac(text: string): number | undefined {
  const t = text.trim().toLowerCase();
  let hex: string;
  if (/^[0-9a-f]{1,2}([:-][0-9a-f]{1,2}){5}$/.test(t)) {
    hex = t
      .split(/[:-]/)
      .map((p) => p.padStart(2, '0'))
      .join('');
  } else if (/^[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}$/.test(t)) hex = t.replace(/\./g, '');
  else return undefined;
  return Number.parseInt(hex, 16);
}

// ---- IPv4 (held as unsigned 32-bit numbers) ----

export function formatIPv4(addr: number): string {
  return `${addr >>> 24}.${(addr >>> 16) & 0xff}.${(addr >>> 8) & 0xff}.${addr & 0xff}`;
}

/** Dotted quad, each part 0–255 in decimal without leading zeros (to avoid octal ambiguity). */
export function parseIPv4(text: string): number | undefined {
  const parts = text.trim().split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

// ---- IPv6 (16-byte arrays) ----

/**
 * RFC 5952 §4: lower case, leading zeros suppressed, the longest run of two or more zero groups
 * replaced by `::` (the first if tied), and never a single group. §5: IPv4-mapped addresses
 * (::ffff:0:0/96) are written with the dotted quad.
 */
export function formatIPv6(b: Uint8Array, o = 0): string {
  const g = [0, 0, 0, 0, 0, 0, 0, 0];
  for (let i = 0; i < 8; i++) g[i] = (b[o + 2 * i]! << 8) | b[o + 2 * i + 1]!;
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
    return `::ffff:${b[o + 12]}.${b[o + 13]}.${b[o + 14]}.${b[o + 15]}`;
  }
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) return g.map((x) => x.toString(16)).join(':');
  const head = g.slice(0, bestStart).map((x) => x.toString(16));
  const tail = g.slice(bestStart + bestLen).map((x) => x.toString(16));
  return `${head.join(':')}::${tail.join(':')}`;
}

/** RFC 4291 §2.2 text forms, including `::` and a trailing dotted quad. Undefined if malformed. */
export function parseIPv6(text: string): Uint8Array | undefined {
  let t = text.trim();
  if (t.startsWith('[') && t.endsWith(']')) t = t.slice(1, -1);
  if (t.length === 0 || t.length > 45) return undefined;
  const words: number[] = [];
  let tailV4: number | undefined;
  const dbl = t.indexOf('::');
  if (dbl !== -1 && t.indexOf('::', dbl + 1) !== -1) return undefined;
  const parseGroups = (s: string, allowV4: boolean): number[] | undefined => {
    if (s === '') return [];
    const parts = s.split(':');
    const out: number[] = [];
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (allowV4 && i === parts.length - 1 && p.includes('.')) {
        const v4 = parseIPv4(p);
        if (v4 === undefined) return undefined;
        tailV4 = v4;
        out.push(v4 >>> 16, v4 & 0xffff);
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return undefined;
      out.push(Number.parseInt(p, 16));
    }
    return out;
  };
  if (dbl === -1) {
    const g = parseGroups(t, true);
    if (g?.length !== 8) return undefined;
    words.push(...g);
  } else {
    const left = parseGroups(t.slice(0, dbl), false);
    const right = parseGroups(t.slice(dbl + 2), true);
    if (!left || !right || left.length + right.length > 7) return undefined;
    words.push(...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right);
  }
  void tailV4;
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) put16(out, 2 * i, words[i]!);
  return out;
}

/** True when two byte ranges hold the same bytes. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
