// IPv4 header (RFC 791 §3.1) with options kept as raw bytes and parsed on demand (RFC 791 §3.1
// "Options"; type-length-value except End of Option List (0) and No Operation (1)). The header
// checksum is computed and verified by src/core/checksum.ts (ipv4HeaderChecksumOk / fillIpv4HeaderChecksum).

import { EMPTY, u16, u32 } from '../core/bytes.js';
import { fillIpv4HeaderChecksum } from '../core/checksum.js';
import { badValue, type Codec, checkUint, endOf, invalid, need, target } from './codec.js';

export const IPV4_MIN_HEADER_LEN = 20;

export interface Ipv4Header {
  /** DSCP (6 bits) and ECN (2 bits), as one byte. */
  tos: number;
  totalLength: number;
  id: number;
  /** The reserved flag bit (must be zero, RFC 791). */
  rf: boolean;
  df: boolean;
  mf: boolean;
  /** In 8-byte units. */
  fragOffset: number;
  ttl: number;
  protocol: number;
  checksum: number;
  src: number;
  dst: number;
  /** Option bytes including padding: headerLength − 20, a multiple of 4 (at most 40). */
  options: Uint8Array;
}

export function ipv4HeaderLength(h: Ipv4Header): number {
  return IPV4_MIN_HEADER_LEN + h.options.length;
}

/**
 * Checks version 4 and IHL ≥ 5 before reading the options that IHL promises; a total length below
 * the header length is invalid. The total length is NOT checked against `end`: a capture may be cut
 * short by its snapshot length, which callers detect by comparing `totalLength` with what they hold.
 */
export function decodeIpv4(b: Uint8Array, off = 0, end?: number): Ipv4Header {
  const hl = checkIpv4(b, off, endOf(b, end));
  const totalLength = u16(b, off + 2);
  const ff = u16(b, off + 6);
  return {
    tos: b[off + 1]!,
    totalLength,
    id: u16(b, off + 4),
    rf: (ff & 0x8000) !== 0,
    df: (ff & 0x4000) !== 0,
    mf: (ff & 0x2000) !== 0,
    fragOffset: ff & 0x1fff,
    ttl: b[off + 8]!,
    protocol: b[off + 9]!,
    checksum: u16(b, off + 10),
    src: u32(b, off + 12),
    dst: u32(b, off + 16),
    options: hl === IPV4_MIN_HEADER_LEN ? EMPTY : b.subarray(off + 20, off + hl),
  };
}

/** The checks of `decodeIpv4`; returns the header length. Shared with the fast path in frame.ts. */
export function checkIpv4(b: Uint8Array, off: number, e: number): number {
  need('ipv4', off, IPV4_MIN_HEADER_LEN, e);
  const vihl = b[off]!;
  if (vihl >>> 4 !== 4) invalid('ipv4', off, `version ${vihl >>> 4}, expected 4`);
  const hl = (vihl & 0x0f) * 4;
  if (hl < IPV4_MIN_HEADER_LEN) invalid('ipv4', off, `header length ${hl} < 20`);
  need('ipv4', off, hl, e);
  const totalLength = u16(b, off + 2);
  if (totalLength < hl) invalid('ipv4', off + 2, `total length ${totalLength} < header length ${hl}`);
  return hl;
}

/** Writes the header exactly as given (checksum included). See `fillIpv4HeaderChecksum` to compute it. */
export function encodeIpv4(h: Ipv4Header, into?: Uint8Array, off = 0): Uint8Array {
  const hl = ipv4HeaderLength(h);
  if (h.options.length % 4 !== 0 || hl > 60) badValue('ipv4', 'options must be 0..40 bytes, a multiple of 4');
  checkUint('ipv4', 'tos', h.tos, 0xff);
  checkUint('ipv4', 'totalLength', h.totalLength, 0xffff);
  checkUint('ipv4', 'id', h.id, 0xffff);
  checkUint('ipv4', 'fragOffset', h.fragOffset, 0x1fff);
  checkUint('ipv4', 'ttl', h.ttl, 0xff);
  checkUint('ipv4', 'protocol', h.protocol, 0xff);
  checkUint('ipv4', 'checksum', h.checksum, 0xffff);
  checkUint('ipv4', 'src', h.src, 0xffffffff);
  checkUint('ipv4', 'dst', h.dst, 0xffffffff);
  const b = target('ipv4', into, off, hl);
  const ff = (h.rf ? 0x8000 : 0) | (h.df ? 0x4000 : 0) | (h.mf ? 0x2000 : 0) | h.fragOffset;
  const dv = new DataView(b.buffer, b.byteOffset + off, hl);
  dv.setUint8(0, 0x40 | (hl / 4));
  dv.setUint8(1, h.tos);
  dv.setUint16(2, h.totalLength);
  dv.setUint16(4, h.id);
  dv.setUint16(6, ff);
  dv.setUint8(8, h.ttl);
  dv.setUint8(9, h.protocol);
  dv.setUint16(10, h.checksum);
  dv.setUint32(12, h.src);
  dv.setUint32(16, h.dst);
  b.set(h.options, off + 20);
  return b;
}

/** Encodes and then computes the header checksum in place (the value's `checksum` is ignored). */
export function encodeIpv4WithChecksum(h: Ipv4Header, into?: Uint8Array, off = 0): Uint8Array {
  const b = encodeIpv4(h, into, off);
  fillIpv4HeaderChecksum(b, off, ipv4HeaderLength(h));
  return b;
}

export const ipv4: Codec<Ipv4Header> = {
  name: 'ipv4',
  decode: decodeIpv4,
  encodingLength: ipv4HeaderLength,
  encode: encodeIpv4,
};

// ---- options ----

export const Ipv4OptionType = {
  EOL: 0,
  NOP: 1,
  RECORD_ROUTE: 7,
  TIMESTAMP: 68,
  LOOSE_SOURCE_ROUTE: 131,
  STRICT_SOURCE_ROUTE: 137,
  ROUTER_ALERT: 148,
} as const;

/** One option: EOL and NOP have no data; every other type is kept with its data bytes. */
export interface Ipv4Option {
  type: number;
  data?: Uint8Array;
}

/** Parses option bytes; stops after EOL (the rest is padding). Each length is checked against what is left. */
export function decodeIpv4Options(raw: Uint8Array, base = 0): Ipv4Option[] {
  const out: Ipv4Option[] = [];
  let p = 0;
  while (p < raw.length) {
    const type = raw[p]!;
    if (type === Ipv4OptionType.EOL) {
      out.push({ type });
      break;
    }
    if (type === Ipv4OptionType.NOP) {
      out.push({ type });
      p++;
      continue;
    }
    need('ipv4.option', base + p, 2, base + raw.length);
    const len = raw[p + 1]!;
    if (len < 2) invalid('ipv4.option', base + p + 1, `option ${type} length ${len} < 2`);
    need('ipv4.option', base + p, len, base + raw.length);
    out.push({ type, data: raw.subarray(p + 2, p + len) });
    p += len;
  }
  return out;
}

/** Encodes options and pads with zeros (EOL) to a multiple of 4. */
export function encodeIpv4Options(opts: Ipv4Option[]): Uint8Array {
  let n = 0;
  for (const o of opts) n += o.type <= 1 ? 1 : 2 + (o.data?.length ?? 0);
  const out = new Uint8Array((n + 3) & ~3);
  let p = 0;
  for (const o of opts) {
    checkUint('ipv4.option', 'type', o.type, 0xff);
    out[p++] = o.type;
    if (o.type <= 1) continue;
    const d = o.data ?? EMPTY;
    if (d.length > 38) badValue('ipv4.option', `option ${o.type} data longer than 38 bytes`);
    out[p++] = d.length + 2;
    out.set(d, p);
    p += d.length;
  }
  if (out.length > 40) badValue('ipv4.option', 'options longer than 40 bytes');
  return out;
}
