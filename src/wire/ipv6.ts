// IPv6 header and extension headers (RFC 8200 §3, §4): Hop-by-Hop and Destination Options (TLV
// options, §4.2), Routing (§4.4) with type 0 (RFC 2460, deprecated by RFC 5095 but still decoded)
// and Segment Routing type 4 (RFC 8754), Fragment (§4.5), AH (RFC 4302) and ESP (RFC 4303, whose
// payload is opaque). `walkIpv6` follows the chain to the upper-layer header and finds the final
// destination and the Home Address option (RFC 6275 §6.3) that the pseudo-header needs.

import { EMPTY, u16, u32 } from '../core/bytes.js';
import { badValue, type Codec, checkUint, endOf, invalid, need, target } from './codec.js';
import { IpProto } from './numbers.js';

export const IPV6_HEADER_LEN = 40;

export interface Ipv6Header {
  /** Traffic class (DSCP + ECN). */
  tclass: number;
  /** 20-bit flow label. */
  flow: number;
  payloadLength: number;
  nextHeader: number;
  hopLimit: number;
  /** 16 bytes each (formatIPv6/parseIPv6 in src/core/bytes.ts). */
  src: Uint8Array;
  dst: Uint8Array;
}

/** The checks of `decodeIpv6` (length, version), shared with the fast path in frame.ts. */
export function checkIpv6(b: Uint8Array, off: number, e: number): void {
  need('ipv6', off, IPV6_HEADER_LEN, e);
  if (b[off]! >>> 4 !== 6) invalid('ipv6', off, `version ${b[off]! >>> 4}, expected 6`);
}

export function decodeIpv6(b: Uint8Array, off = 0, end?: number): Ipv6Header {
  checkIpv6(b, off, endOf(b, end));
  const w = u32(b, off);
  return {
    tclass: (w >>> 20) & 0xff,
    flow: w & 0xfffff,
    payloadLength: u16(b, off + 4),
    nextHeader: b[off + 6]!,
    hopLimit: b[off + 7]!,
    src: b.subarray(off + 8, off + 24),
    dst: b.subarray(off + 24, off + 40),
  };
}

export function encodeIpv6(h: Ipv6Header, into?: Uint8Array, off = 0): Uint8Array {
  checkUint('ipv6', 'tclass', h.tclass, 0xff);
  checkUint('ipv6', 'flow', h.flow, 0xfffff);
  checkUint('ipv6', 'payloadLength', h.payloadLength, 0xffff);
  checkUint('ipv6', 'nextHeader', h.nextHeader, 0xff);
  checkUint('ipv6', 'hopLimit', h.hopLimit, 0xff);
  if (h.src.length !== 16 || h.dst.length !== 16) badValue('ipv6', 'addresses must be 16 bytes');
  const b = target('ipv6', into, off, IPV6_HEADER_LEN);
  const dv = new DataView(b.buffer, b.byteOffset + off, IPV6_HEADER_LEN);
  dv.setUint32(0, ((6 << 28) | (h.tclass << 20) | h.flow) >>> 0);
  dv.setUint16(4, h.payloadLength);
  dv.setUint8(6, h.nextHeader);
  dv.setUint8(7, h.hopLimit);
  b.set(h.src, off + 8);
  b.set(h.dst, off + 24);
  return b;
}

export const ipv6: Codec<Ipv6Header> = {
  name: 'ipv6',
  decode: decodeIpv6,
  encodingLength: () => IPV6_HEADER_LEN,
  encode: encodeIpv6,
};

// ---- Hop-by-Hop and Destination Options (RFC 8200 §4.3, §4.6) ----

export interface Ipv6OptionsHeader {
  nextHeader: number;
  /** Option bytes (TLVs and padding): header length − 2, so 8n + 6 bytes. */
  options: Uint8Array;
}

/** Reads next header and Hdr Ext Len, checks the 8·(len+1) bytes it promises, then takes the options. */
export function decodeIpv6Options(
  b: Uint8Array,
  off = 0,
  end?: number,
  layer = 'ipv6.opts',
): Ipv6OptionsHeader {
  const e = endOf(b, end);
  need(layer, off, 2, e);
  const len = (b[off + 1]! + 1) * 8;
  need(layer, off, len, e);
  return { nextHeader: b[off]!, options: b.subarray(off + 2, off + len) };
}

export function ipv6OptionsLength(h: Ipv6OptionsHeader): number {
  return 2 + h.options.length;
}

export function encodeIpv6Options(h: Ipv6OptionsHeader, into?: Uint8Array, off = 0): Uint8Array {
  const n = ipv6OptionsLength(h);
  if (n % 8 !== 0 || n > 2048) badValue('ipv6.opts', 'options must be 8n + 6 bytes');
  checkUint('ipv6.opts', 'nextHeader', h.nextHeader, 0xff);
  const b = target('ipv6.opts', into, off, n);
  b[off] = h.nextHeader;
  b[off + 1] = n / 8 - 1;
  b.set(h.options, off + 2);
  return b;
}

export const ipv6Options: Codec<Ipv6OptionsHeader> = {
  name: 'ipv6.opts',
  decode: (b, o, e) => decodeIpv6Options(b, o, e),
  encodingLength: ipv6OptionsLength,
  encode: encodeIpv6Options,
};

/** One TLV option: Pad1 (type 0) has no length or data; the rest keep their data (PadN included). */
export interface Ipv6Option {
  type: number;
  data?: Uint8Array;
}

export const Ipv6OptionType = { PAD1: 0, PADN: 1, ROUTER_ALERT: 5, HOME_ADDRESS: 0xc9 } as const;

export function decodeIpv6OptionList(raw: Uint8Array, base = 0): Ipv6Option[] {
  const out: Ipv6Option[] = [];
  let p = 0;
  while (p < raw.length) {
    const type = raw[p]!;
    if (type === 0) {
      out.push({ type });
      p++;
      continue;
    }
    need('ipv6.option', base + p, 2, base + raw.length);
    const len = raw[p + 1]!;
    need('ipv6.option', base + p + 2, len, base + raw.length);
    out.push({ type, data: raw.subarray(p + 2, p + 2 + len) });
    p += 2 + len;
  }
  return out;
}

/** Encodes TLV options (no padding added: callers include Pad1/PadN to reach 8n + 6 bytes). */
export function encodeIpv6OptionList(opts: Ipv6Option[]): Uint8Array {
  let n = 0;
  for (const o of opts) n += o.type === 0 ? 1 : 2 + (o.data?.length ?? 0);
  const out = new Uint8Array(n);
  let p = 0;
  for (const o of opts) {
    checkUint('ipv6.option', 'type', o.type, 0xff);
    out[p++] = o.type;
    if (o.type === 0) continue;
    const d = o.data ?? EMPTY;
    if (d.length > 255) badValue('ipv6.option', 'data longer than 255 bytes');
    out[p++] = d.length;
    out.set(d, p);
    p += d.length;
  }
  return out;
}

/** Pads an option list with Pad1/PadN so that 2 + its length is a multiple of 8. */
export function padIpv6Options(opts: Ipv6Option[]): Ipv6Option[] {
  const len = encodeIpv6OptionList(opts).length;
  const pad = (8 - ((len + 2) % 8)) % 8;
  if (pad === 0) return opts;
  if (pad === 1) return [...opts, { type: 0 }];
  return [...opts, { type: 1, data: new Uint8Array(pad - 2) }];
}

// ---- Routing header (RFC 8200 §4.4) ----

export interface Ipv6RoutingHeader {
  nextHeader: number;
  routingType: number;
  segmentsLeft: number;
  /** Type-specific data: header length − 4, so 8n + 4 bytes. */
  data: Uint8Array;
}

export function decodeIpv6Routing(b: Uint8Array, off = 0, end?: number): Ipv6RoutingHeader {
  const e = endOf(b, end);
  need('ipv6.routing', off, 4, e);
  const len = (b[off + 1]! + 1) * 8;
  need('ipv6.routing', off, len, e);
  return {
    nextHeader: b[off]!,
    routingType: b[off + 2]!,
    segmentsLeft: b[off + 3]!,
    data: b.subarray(off + 4, off + len),
  };
}

export function ipv6RoutingLength(h: Ipv6RoutingHeader): number {
  return 4 + h.data.length;
}

export function encodeIpv6Routing(h: Ipv6RoutingHeader, into?: Uint8Array, off = 0): Uint8Array {
  const n = ipv6RoutingLength(h);
  if (n % 8 !== 0 || n > 2048) badValue('ipv6.routing', 'data must be 8n + 4 bytes');
  checkUint('ipv6.routing', 'nextHeader', h.nextHeader, 0xff);
  checkUint('ipv6.routing', 'routingType', h.routingType, 0xff);
  checkUint('ipv6.routing', 'segmentsLeft', h.segmentsLeft, 0xff);
  const b = target('ipv6.routing', into, off, n);
  b[off] = h.nextHeader;
  b[off + 1] = n / 8 - 1;
  b[off + 2] = h.routingType;
  b[off + 3] = h.segmentsLeft;
  b.set(h.data, off + 4);
  return b;
}

export const ipv6Routing: Codec<Ipv6RoutingHeader> = {
  name: 'ipv6.routing',
  decode: decodeIpv6Routing,
  encodingLength: ipv6RoutingLength,
  encode: encodeIpv6Routing,
};

/** Type 0 (RFC 2460 §4.4): 4 reserved bytes, then addresses[1..n]. */
export function routing0Addresses(h: Ipv6RoutingHeader): Uint8Array[] {
  if (h.routingType !== 0) invalid('ipv6.routing', 2, `type ${h.routingType} is not 0`);
  if ((h.data.length - 4) % 16 !== 0)
    invalid('ipv6.routing', 1, 'type 0 length is not a whole number of addresses');
  const out: Uint8Array[] = [];
  for (let p = 4; p + 16 <= h.data.length; p += 16) out.push(h.data.subarray(p, p + 16));
  return out;
}

export function routing0(
  nextHeader: number,
  segmentsLeft: number,
  addresses: Uint8Array[],
): Ipv6RoutingHeader {
  const data = new Uint8Array(4 + 16 * addresses.length);
  for (let i = 0; i < addresses.length; i++) data.set(addresses[i]!, 4 + 16 * i);
  return { nextHeader, routingType: 0, segmentsLeft, data };
}

/** Segment Routing Header (RFC 8754 §2): Segment List[0] is the LAST segment (the final destination). */
export interface Srh {
  lastEntry: number;
  flags: number;
  tag: number;
  segments: Uint8Array[];
  /** Optional TLVs after the segment list, raw. */
  tlvs: Uint8Array;
}

export function decodeSrh(h: Ipv6RoutingHeader): Srh {
  if (h.routingType !== 4) invalid('ipv6.routing', 2, `type ${h.routingType} is not 4`);
  need('ipv6.srh', 4, 4, 4 + h.data.length);
  const lastEntry = h.data[0]!;
  need('ipv6.srh', 8, 16 * (lastEntry + 1), 4 + h.data.length);
  const segments: Uint8Array[] = [];
  for (let i = 0; i <= lastEntry; i++) segments.push(h.data.subarray(4 + 16 * i, 20 + 16 * i));
  return {
    lastEntry,
    flags: h.data[1]!,
    tag: u16(h.data, 2),
    segments,
    tlvs: h.data.subarray(4 + 16 * (lastEntry + 1)),
  };
}

export function srh(nextHeader: number, segmentsLeft: number, s: Omit<Srh, 'lastEntry'>): Ipv6RoutingHeader {
  if (s.segments.length === 0 || s.segments.length > 256) badValue('ipv6.srh', '1..256 segments');
  const data = new Uint8Array(4 + 16 * s.segments.length + s.tlvs.length);
  data[0] = s.segments.length - 1;
  data[1] = s.flags;
  data[2] = s.tag >>> 8;
  data[3] = s.tag & 0xff;
  for (let i = 0; i < s.segments.length; i++) data.set(s.segments[i]!, 4 + 16 * i);
  data.set(s.tlvs, 4 + 16 * s.segments.length);
  return { nextHeader, routingType: 4, segmentsLeft, data };
}

// ---- Fragment header (RFC 8200 §4.5) ----

export const IPV6_FRAGMENT_LEN = 8;

export interface Ipv6FragmentHeader {
  nextHeader: number;
  reserved: number;
  /** In 8-byte units. */
  fragOffset: number;
  /** The two reserved bits beside M. */
  res: number;
  more: boolean;
  ident: number;
}

export function decodeIpv6Fragment(b: Uint8Array, off = 0, end?: number): Ipv6FragmentHeader {
  need('ipv6.fraghdr', off, IPV6_FRAGMENT_LEN, endOf(b, end));
  const w = u16(b, off + 2);
  return {
    nextHeader: b[off]!,
    reserved: b[off + 1]!,
    fragOffset: w >>> 3,
    res: (w >>> 1) & 3,
    more: (w & 1) !== 0,
    ident: u32(b, off + 4),
  };
}

export function encodeIpv6Fragment(h: Ipv6FragmentHeader, into?: Uint8Array, off = 0): Uint8Array {
  checkUint('ipv6.fraghdr', 'nextHeader', h.nextHeader, 0xff);
  checkUint('ipv6.fraghdr', 'reserved', h.reserved, 0xff);
  checkUint('ipv6.fraghdr', 'fragOffset', h.fragOffset, 0x1fff);
  checkUint('ipv6.fraghdr', 'res', h.res, 3);
  checkUint('ipv6.fraghdr', 'ident', h.ident, 0xffffffff);
  const b = target('ipv6.fraghdr', into, off, IPV6_FRAGMENT_LEN);
  const dv = new DataView(b.buffer, b.byteOffset + off, IPV6_FRAGMENT_LEN);
  dv.setUint8(0, h.nextHeader);
  dv.setUint8(1, h.reserved);
  dv.setUint16(2, (h.fragOffset << 3) | (h.res << 1) | (h.more ? 1 : 0));
  dv.setUint32(4, h.ident);
  return b;
}

export const ipv6Fragment: Codec<Ipv6FragmentHeader> = {
  name: 'ipv6.fraghdr',
  decode: decodeIpv6Fragment,
  encodingLength: () => IPV6_FRAGMENT_LEN,
  encode: encodeIpv6Fragment,
};

// ---- AH (RFC 4302 §2) and ESP (RFC 4303 §2) ----

export interface AhHeader {
  nextHeader: number;
  reserved: number;
  spi: number;
  seq: number;
  /** Integrity check value: header length − 12 bytes. */
  icv: Uint8Array;
}

/** AH's Payload Len is in 32-bit words minus 2 and must cover at least the 12 fixed bytes. */
export function decodeAh(b: Uint8Array, off = 0, end?: number): AhHeader {
  const e = endOf(b, end);
  need('ah', off, 12, e);
  const len = (b[off + 1]! + 2) * 4;
  if (len < 12) invalid('ah', off + 1, `length ${len} < 12`);
  need('ah', off, len, e);
  return {
    nextHeader: b[off]!,
    reserved: u16(b, off + 2),
    spi: u32(b, off + 4),
    seq: u32(b, off + 8),
    icv: b.subarray(off + 12, off + len),
  };
}

export function ahLength(h: AhHeader): number {
  return 12 + h.icv.length;
}

export function encodeAh(h: AhHeader, into?: Uint8Array, off = 0): Uint8Array {
  const n = ahLength(h);
  if (n % 4 !== 0 || n > 1028) badValue('ah', 'ICV must be a multiple of 4 bytes');
  checkUint('ah', 'nextHeader', h.nextHeader, 0xff);
  checkUint('ah', 'reserved', h.reserved, 0xffff);
  checkUint('ah', 'spi', h.spi, 0xffffffff);
  checkUint('ah', 'seq', h.seq, 0xffffffff);
  const b = target('ah', into, off, n);
  const dv = new DataView(b.buffer, b.byteOffset + off, n);
  dv.setUint8(0, h.nextHeader);
  dv.setUint8(1, n / 4 - 2);
  dv.setUint16(2, h.reserved);
  dv.setUint32(4, h.spi);
  dv.setUint32(8, h.seq);
  b.set(h.icv, off + 12);
  return b;
}

export const ah: Codec<AhHeader> = {
  name: 'ah',
  decode: decodeAh,
  encodingLength: ahLength,
  encode: encodeAh,
};

/** ESP: only SPI and sequence number are in clear; the rest is encrypted payload and trailer. */
export interface EspHeader {
  spi: number;
  seq: number;
}

export function decodeEsp(b: Uint8Array, off = 0, end?: number): EspHeader {
  need('esp', off, 8, endOf(b, end));
  return { spi: u32(b, off), seq: u32(b, off + 4) };
}

// ---- the chain ----

export type Ipv6Ext =
  | { kind: 'hopopts'; offset: number; length: number; header: Ipv6OptionsHeader }
  | { kind: 'dstopts'; offset: number; length: number; header: Ipv6OptionsHeader }
  | { kind: 'routing'; offset: number; length: number; header: Ipv6RoutingHeader }
  | { kind: 'fraghdr'; offset: number; length: number; header: Ipv6FragmentHeader }
  | { kind: 'ah'; offset: number; length: number; header: AhHeader };

export interface Ipv6Chain {
  header: Ipv6Header;
  ext: Ipv6Ext[];
  /** Next Header value that ended the walk: TCP, UDP, ICMPv6, ESP, No Next Header, or unknown. */
  protocol: number;
  /** Where that header starts. */
  offset: number;
  /** RFC 8200 §8.1: the final destination when a Routing header has segments left, else `header.dst`. */
  finalDst: Uint8Array;
  /** The Home Address option's address (RFC 6275 §6.3), which replaces the source in the pseudo-header. */
  homeAddress: Uint8Array | undefined;
  /** Set when a Fragment header was met; a non-zero offset ends the walk (the rest is not a header). */
  fragment: Ipv6FragmentHeader | undefined;
}

/** True for the Next Header values `walkIpv6` steps over. */
export function isIpv6ExtHeader(nh: number): boolean {
  return (
    nh === IpProto.HOPOPT ||
    nh === IpProto.ROUTING ||
    nh === IpProto.FRAGMENT ||
    nh === IpProto.DSTOPTS ||
    nh === IpProto.AH
  );
}

/**
 * Decodes the fixed header and every extension header up to the upper layer. Each header's length
 * is checked against `end` before it is read. The walk stops at a non-first fragment, since what
 * follows is the middle of a packet. Throws DecodeError on a truncated or malformed chain.
 */
export function walkIpv6(b: Uint8Array, off = 0, end?: number): Ipv6Chain {
  const e = endOf(b, end);
  const header = decodeIpv6(b, off, e);
  const ext: Ipv6Ext[] = [];
  let nh = header.nextHeader;
  let p = off + IPV6_HEADER_LEN;
  let finalDst = header.dst;
  let homeAddress: Uint8Array | undefined;
  let fragment: Ipv6FragmentHeader | undefined;
  while (isIpv6ExtHeader(nh)) {
    if (nh === IpProto.HOPOPT || nh === IpProto.DSTOPTS) {
      const kind = nh === IpProto.HOPOPT ? 'hopopts' : 'dstopts';
      const h = decodeIpv6Options(b, p, e, `ipv6.${kind}`);
      const length = 2 + h.options.length;
      ext.push({ kind, offset: p, length, header: h });
      if (kind === 'dstopts') {
        const ha = findHomeAddress(h.options, p + 2);
        if (ha) homeAddress = ha;
      }
      nh = h.nextHeader;
      p += length;
    } else if (nh === IpProto.ROUTING) {
      const h = decodeIpv6Routing(b, p, e);
      const length = 4 + h.data.length;
      ext.push({ kind: 'routing', offset: p, length, header: h });
      if (h.segmentsLeft > 0) {
        if (h.routingType === 0 || h.routingType === 2) {
          // Type 0: the last address; type 2 (RFC 6275 §6.4): its one address.
          const n = Math.floor((h.data.length - 4) / 16);
          if (n > 0) finalDst = h.data.subarray(4 + 16 * (n - 1), 4 + 16 * n);
        } else if (h.routingType === 4 && h.data.length >= 20) {
          finalDst = h.data.subarray(4, 20); // Segment List[0]
        }
      }
      nh = h.nextHeader;
      p += length;
    } else if (nh === IpProto.FRAGMENT) {
      const h = decodeIpv6Fragment(b, p, e);
      ext.push({ kind: 'fraghdr', offset: p, length: IPV6_FRAGMENT_LEN, header: h });
      fragment = h;
      nh = h.nextHeader;
      p += IPV6_FRAGMENT_LEN;
      if (h.fragOffset !== 0) break;
    } else {
      const h = decodeAh(b, p, e);
      const length = 12 + h.icv.length;
      ext.push({ kind: 'ah', offset: p, length, header: h });
      nh = h.nextHeader;
      p += length;
    }
  }
  return { header, ext, protocol: nh, offset: p, finalDst, homeAddress, fragment };
}

function findHomeAddress(raw: Uint8Array, base: number): Uint8Array | undefined {
  for (const o of decodeIpv6OptionList(raw, base)) {
    if (o.type === Ipv6OptionType.HOME_ADDRESS && o.data && o.data.length === 16) return o.data;
  }
  return undefined;
}
