// ICMPv6 (RFC 4443): the 8-byte header (errors 1–4 quote as much of the invoking packet as fits,
// echo 128/129), and Neighbor Discovery (RFC 4861 §4): Router Solicitation/Advertisement, Neighbor
// Solicitation/Advertisement, Redirect, with their options (§4.6; length in 8-octet units, 0 is
// invalid). The checksum includes the IPv6 pseudo-header (src/core/checksum.ts pseudoSumV6).

import { u16, u32 } from '../core/bytes.js';
import { badValue, type Codec, checkUint, endOf, invalid, need, target } from './codec.js';

export const ICMPV6_HEADER_LEN = 8;

export const Icmpv6Type = {
  DEST_UNREACHABLE: 1,
  PACKET_TOO_BIG: 2,
  TIME_EXCEEDED: 3,
  PARAMETER_PROBLEM: 4,
  ECHO_REQUEST: 128,
  ECHO_REPLY: 129,
  ROUTER_SOLICIT: 133,
  ROUTER_ADVERT: 134,
  NEIGHBOR_SOLICIT: 135,
  NEIGHBOR_ADVERT: 136,
  REDIRECT: 137,
} as const;

export interface Icmpv6Header {
  type: number;
  code: number;
  checksum: number;
  /** Bytes 4–7: MTU (too big), pointer (parameter problem), identifier and sequence (echo). */
  rest: number;
}

export function decodeIcmpv6(b: Uint8Array, off = 0, end?: number): Icmpv6Header {
  need('icmpv6', off, ICMPV6_HEADER_LEN, endOf(b, end));
  return { type: b[off]!, code: b[off + 1]!, checksum: u16(b, off + 2), rest: u32(b, off + 4) };
}

export function encodeIcmpv6(h: Icmpv6Header, into?: Uint8Array, off = 0): Uint8Array {
  checkUint('icmpv6', 'type', h.type, 0xff);
  checkUint('icmpv6', 'code', h.code, 0xff);
  checkUint('icmpv6', 'checksum', h.checksum, 0xffff);
  checkUint('icmpv6', 'rest', h.rest, 0xffffffff);
  const b = target('icmpv6', into, off, ICMPV6_HEADER_LEN);
  const dv = new DataView(b.buffer, b.byteOffset + off, ICMPV6_HEADER_LEN);
  dv.setUint8(0, h.type);
  dv.setUint8(1, h.code);
  dv.setUint16(2, h.checksum);
  dv.setUint32(4, h.rest);
  return b;
}

export const icmpv6: Codec<Icmpv6Header> = {
  name: 'icmpv6',
  decode: decodeIcmpv6,
  encodingLength: () => ICMPV6_HEADER_LEN,
  encode: encodeIcmpv6,
};

/** Types below 128 are errors and quote the invoking packet after the header (RFC 4443 §2.1). */
export function icmpv6IsError(type: number): boolean {
  return type < 128;
}

// ---- Neighbor Discovery ----

export const NdOptionType = {
  SOURCE_LINK_ADDR: 1,
  TARGET_LINK_ADDR: 2,
  PREFIX_INFO: 3,
  REDIRECTED_HEADER: 4,
  MTU: 5,
} as const;

/** One option; `data` is length·8 − 2 bytes. */
export interface NdOption {
  type: number;
  data: Uint8Array;
}

/**
 * An ND message from the ICMPv6 header on. Fields beyond the header exist for the types that have
 * them (RFC 4861 §4.1–4.5): RA `reachableTime` `retransTimer`; NS, NA, Redirect `target`;
 * Redirect `destination`. RA's hop limit, flags and lifetime, and NA's R/S/O flags, are in `rest`.
 */
export interface NdMessage {
  type: number;
  code: number;
  checksum: number;
  rest: number;
  reachableTime?: number;
  retransTimer?: number;
  target?: Uint8Array;
  destination?: Uint8Array;
  options: NdOption[];
}

function ndFixedLength(type: number): number {
  switch (type) {
    case 133:
      return 8;
    case 134:
      return 16;
    case 135:
    case 136:
      return 24;
    case 137:
      return 40;
    default:
      return -1;
  }
}

export function isNdType(type: number): boolean {
  return ndFixedLength(type) > 0;
}

/** Decodes an ND message that ends at `end` (the options run to the end of the ICMPv6 message). */
export function decodeNd(b: Uint8Array, off = 0, end?: number): NdMessage {
  const e = endOf(b, end);
  const h = decodeIcmpv6(b, off, e);
  const fixed = ndFixedLength(h.type);
  if (fixed < 0) invalid('icmpv6.nd', off, `type ${h.type} is not a Neighbor Discovery message`);
  need('icmpv6.nd', off, fixed, e);
  const m: NdMessage = { ...h, options: [] };
  if (h.type === 134) {
    m.reachableTime = u32(b, off + 8);
    m.retransTimer = u32(b, off + 12);
  }
  if (fixed >= 24) m.target = b.subarray(off + 8, off + 24);
  if (h.type === 137) m.destination = b.subarray(off + 24, off + 40);
  let p = off + fixed;
  while (p < e) {
    need('icmpv6.nd.option', p, 2, e);
    const len = b[p + 1]! * 8;
    if (len === 0) invalid('icmpv6.nd.option', p + 1, 'option length 0'); // RFC 4861 §4.6: MUST discard
    need('icmpv6.nd.option', p, len, e);
    m.options.push({ type: b[p]!, data: b.subarray(p + 2, p + len) });
    p += len;
  }
  return m;
}

export function ndLength(m: NdMessage): number {
  let n = ndFixedLength(m.type);
  if (n < 0) badValue('icmpv6.nd', `type ${m.type} is not a Neighbor Discovery message`);
  for (const o of m.options) n += 2 + o.data.length;
  return n;
}

export function encodeNd(m: NdMessage, into?: Uint8Array, off = 0): Uint8Array {
  const n = ndLength(m);
  const b = target('icmpv6.nd', into, off, n);
  encodeIcmpv6(m, b, off);
  const fixed = ndFixedLength(m.type);
  b.fill(0, off + 8, off + fixed);
  const dv = new DataView(b.buffer, b.byteOffset + off, n);
  if (m.type === 134) {
    checkUint('icmpv6.nd', 'reachableTime', m.reachableTime ?? 0, 0xffffffff);
    checkUint('icmpv6.nd', 'retransTimer', m.retransTimer ?? 0, 0xffffffff);
    dv.setUint32(8, m.reachableTime ?? 0);
    dv.setUint32(12, m.retransTimer ?? 0);
  }
  if (fixed >= 24) {
    if (m.target?.length !== 16) badValue('icmpv6.nd', 'target must be 16 bytes');
    b.set(m.target, off + 8);
  }
  if (m.type === 137) {
    if (m.destination?.length !== 16) badValue('icmpv6.nd', 'destination must be 16 bytes');
    b.set(m.destination, off + 24);
  }
  let p = off + fixed;
  for (const o of m.options) {
    if ((o.data.length + 2) % 8 !== 0 || o.data.length + 2 > 255 * 8) {
      badValue('icmpv6.nd.option', 'data must be 8n − 2 bytes');
    }
    checkUint('icmpv6.nd.option', 'type', o.type, 0xff);
    b[p] = o.type;
    b[p + 1] = (o.data.length + 2) / 8;
    b.set(o.data, p + 2);
    p += o.data.length + 2;
  }
  return b;
}

export const nd: Codec<NdMessage> = {
  name: 'icmpv6.nd',
  decode: decodeNd,
  encodingLength: ndLength,
  encode: encodeNd,
};

/** Prefix Information option (RFC 4861 §4.6.2), 30 data bytes. */
export interface PrefixInfo {
  prefixLength: number;
  onLink: boolean;
  autonomous: boolean;
  validLifetime: number;
  preferredLifetime: number;
  prefix: Uint8Array;
}

export function decodePrefixInfo(o: NdOption): PrefixInfo {
  if (o.type !== 3) invalid('icmpv6.nd.option', 0, `type ${o.type} is not Prefix Information`);
  if (o.data.length !== 30)
    invalid('icmpv6.nd.option', 1, `prefix information length ${o.data.length + 2} ≠ 32`);
  const d = o.data;
  return {
    prefixLength: d[0]!,
    onLink: (d[1]! & 0x80) !== 0,
    autonomous: (d[1]! & 0x40) !== 0,
    validLifetime: u32(d, 2),
    preferredLifetime: u32(d, 6),
    prefix: d.subarray(14, 30),
  };
}

/** A link-layer address option (source 1 / target 2) for a MAC address. */
export function linkAddrOption(type: 1 | 2, mac: Uint8Array): NdOption {
  if (mac.length !== 6) badValue('icmpv6.nd.option', 'MAC must be 6 bytes');
  return { type, data: mac.slice() };
}
