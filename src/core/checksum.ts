// Checksums: the Internet checksum (RFC 1071, RFC 1624 incremental update) with the IPv4
// (RFC 793 §3.1 / RFC 768) and IPv6 (RFC 8200 §8.1) pseudo-headers, and CRC-32, the IEEE 802.3
// frame check sequence.

// ---- Internet checksum ----

/**
 * The one's-complement sum of 16-bit big-endian words, NOT folded: callers add several ranges
 * (pseudo-header, header, payload) and fold once. An odd final byte is padded with a zero byte on
 * the right (RFC 1071 §4.1). `initial` carries a previous partial sum. Ranges after the first must
 * start at an even position of the checksummed whole (true of every header layout).
 */
export function onesSum(b: Uint8Array, off: number, len: number, initial = 0): number {
  let sum = initial;
  const end = off + len;
  const even = off + (len & ~1);
  let i = off;
  // A double holds 2^53 exactly: no folding inside the loop for any packet size.
  for (; i < even; i += 2) sum += (b[i]! << 8) | b[i + 1]!;
  if (i < end) sum += b[i]! << 8;
  return sum;
}

/** Folds carries back into 16 bits (end-around carry). */
export function fold(sum: number): number {
  let s = sum;
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
  return s;
}

/** The checksum field value: the one's complement of the folded sum. */
export function finish(sum: number): number {
  return ~fold(sum) & 0xffff;
}

/** The Internet checksum of one range (RFC 1071). A range containing a correct checksum gives 0. */
export function internetChecksum(b: Uint8Array, off = 0, len = b.length - off): number {
  return finish(onesSum(b, off, len));
}

/**
 * RFC 1624 eqn. 3: the new checksum after one 16-bit word changes from `oldWord` to `newWord`,
 * HC' = ~(~HC + ~m + m').
 */
export function updateChecksum(checksum: number, oldWord: number, newWord: number): number {
  return finish((~checksum & 0xffff) + (~oldWord & 0xffff) + newWord);
}

// ---- pseudo-headers ----

/** RFC 793 §3.1 / RFC 768: source, destination, zero, protocol, TCP/UDP length. */
export function pseudoSumV4(src: number, dst: number, protocol: number, length: number): number {
  return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + protocol + length;
}

/**
 * RFC 8200 §8.1: source, destination, upper-layer packet length (32 bits), three zero bytes, next
 * header. "If the IPv6 packet contains a Routing header, the Destination Address used in the
 * pseudo-header is that of the final destination" — callers pass that address (see
 * `walkIpv6` in src/wire/ipv6.ts, which finds it, and the Home Address option's source).
 */
export function pseudoSumV6(
  src: Uint8Array,
  srcOff: number,
  dst: Uint8Array,
  dstOff: number,
  nextHeader: number,
  length: number,
): number {
  let s = onesSum(src, srcOff, 16);
  s = onesSum(dst, dstOff, 16, s);
  return s + Math.floor(length / 0x10000) + (length & 0xffff) + nextHeader;
}

/**
 * The checksum to store in a TCP/UDP/ICMPv6 header whose checksum field currently holds zero:
 * `pseudo` from pseudoSumV4/V6, then the segment bytes.
 */
export function transportChecksum(pseudo: number, b: Uint8Array, off: number, len: number): number {
  return finish(onesSum(b, off, len, pseudo));
}

/** True when a segment with its checksum field in place verifies (the sum folds to 0xffff). */
export function transportChecksumOk(pseudo: number, b: Uint8Array, off: number, len: number): boolean {
  return fold(onesSum(b, off, len, pseudo)) === 0xffff;
}

/**
 * Writes the checksum at `off + fieldOffset`: zeroes the field, sums, stores. For UDP, RFC 768:
 * "If the computed checksum is zero, it is transmitted as all ones" — pass `udp = true`.
 */
export function fillTransportChecksum(
  pseudo: number,
  b: Uint8Array,
  off: number,
  len: number,
  fieldOffset: number,
  udp = false,
): number {
  b[off + fieldOffset] = 0;
  b[off + fieldOffset + 1] = 0;
  let c = transportChecksum(pseudo, b, off, len);
  if (udp && c === 0) c = 0xffff;
  b[off + fieldOffset] = c >>> 8;
  b[off + fieldOffset + 1] = c & 0xff;
  return c;
}

/** IPv4 header checksum (RFC 791 §3.1) over `hdrLen` bytes, computed with the field taken as zero. */
export function ipv4HeaderChecksum(b: Uint8Array, off: number, hdrLen: number): number {
  const stored = (b[off + 10]! << 8) | b[off + 11]!;
  return finish(onesSum(b, off, hdrLen) - stored);
}

export function ipv4HeaderChecksumOk(b: Uint8Array, off: number, hdrLen: number): boolean {
  return fold(onesSum(b, off, hdrLen)) === 0xffff;
}

export function fillIpv4HeaderChecksum(b: Uint8Array, off: number, hdrLen: number): number {
  b[off + 10] = 0;
  b[off + 11] = 0;
  const c = internetChecksum(b, off, hdrLen);
  b[off + 10] = c >>> 8;
  b[off + 11] = c & 0xff;
  return c;
}

// ---- CRC-32 (IEEE 802.3) ----

const CRC_TABLE: Uint32Array = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 as Ethernet computes it: reflected, polynomial 0xEDB88320, initial and final XOR 0xFFFFFFFF. */
export function crc32(b: Uint8Array, off = 0, len = b.length - off, previous = 0): number {
  let c = ~previous >>> 0;
  const end = off + len;
  for (let i = off; i < end; i++) c = CRC_TABLE[(c ^ b[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/**
 * The FCS of a frame whose last 4 bytes are the FCS. IEEE 802.3 sends the CRC least significant
 * bit first, so in a byte-oriented capture it appears as the CRC in little-endian byte order.
 */
export function fcsOf(frame: Uint8Array, off = 0, len = frame.length - off): number {
  return crc32(frame, off, len - 4);
}

export function fcsOk(frame: Uint8Array, off = 0, len = frame.length - off): boolean {
  if (len < 4) return false;
  const e = off + len - 4;
  const stored = (frame[e]! | (frame[e + 1]! << 8) | (frame[e + 2]! << 16) | (frame[e + 3]! << 24)) >>> 0;
  return stored === crc32(frame, off, len - 4);
}

/** Computes the FCS over all but the last 4 bytes and stores it there (little-endian). */
export function fillFcs(frame: Uint8Array, off = 0, len = frame.length - off): number {
  const c = crc32(frame, off, len - 4);
  const e = off + len - 4;
  frame[e] = c & 0xff;
  frame[e + 1] = (c >>> 8) & 0xff;
  frame[e + 2] = (c >>> 16) & 0xff;
  frame[e + 3] = c >>> 24;
  return c;
}
