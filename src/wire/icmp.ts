// ICMP for IPv4 (RFC 792, RFC 1122 §3.2.2): the 8-byte header (type, code, checksum, and 4 bytes
// whose meaning depends on the type), echo identifiers, and which messages quote the offending
// datagram (its IP header and first 8 data bytes follow the header). Checksum over the whole
// message: internetChecksum in src/core/checksum.ts.

import { u16, u32 } from '../core/bytes.js';
import { type Codec, checkUint, endOf, need, target } from './codec.js';

export const ICMP_HEADER_LEN = 8;

export const IcmpType = {
  ECHO_REPLY: 0,
  DEST_UNREACHABLE: 3,
  SOURCE_QUENCH: 4,
  REDIRECT: 5,
  ECHO_REQUEST: 8,
  ROUTER_ADVERT: 9,
  ROUTER_SOLICIT: 10,
  TIME_EXCEEDED: 11,
  PARAMETER_PROBLEM: 12,
  TIMESTAMP: 13,
  TIMESTAMP_REPLY: 14,
} as const;

export interface IcmpHeader {
  type: number;
  code: number;
  checksum: number;
  /** Bytes 4–7: identifier and sequence (echo), gateway (redirect), pointer (parameter problem), MTU (unreachable, code 4). */
  rest: number;
}

export function decodeIcmp(b: Uint8Array, off = 0, end?: number): IcmpHeader {
  need('icmp', off, ICMP_HEADER_LEN, endOf(b, end));
  return { type: b[off]!, code: b[off + 1]!, checksum: u16(b, off + 2), rest: u32(b, off + 4) };
}

export function encodeIcmp(h: IcmpHeader, into?: Uint8Array, off = 0): Uint8Array {
  checkUint('icmp', 'type', h.type, 0xff);
  checkUint('icmp', 'code', h.code, 0xff);
  checkUint('icmp', 'checksum', h.checksum, 0xffff);
  checkUint('icmp', 'rest', h.rest, 0xffffffff);
  const b = target('icmp', into, off, ICMP_HEADER_LEN);
  b[off] = h.type;
  b[off + 1] = h.code;
  b[off + 2] = h.checksum >>> 8;
  b[off + 3] = h.checksum & 0xff;
  b[off + 4] = h.rest >>> 24;
  b[off + 5] = (h.rest >>> 16) & 0xff;
  b[off + 6] = (h.rest >>> 8) & 0xff;
  b[off + 7] = h.rest & 0xff;
  return b;
}

export const icmp: Codec<IcmpHeader> = {
  name: 'icmp',
  decode: decodeIcmp,
  encodingLength: () => ICMP_HEADER_LEN,
  encode: encodeIcmp,
};

/** Error messages carry "the internet header plus the first 64 bits of the original datagram" (RFC 792). */
export function icmpQuotesDatagram(type: number): boolean {
  return type === 3 || type === 4 || type === 5 || type === 11 || type === 12;
}

export function icmpEchoId(h: IcmpHeader): number {
  return h.rest >>> 16;
}

export function icmpEchoSeq(h: IcmpHeader): number {
  return h.rest & 0xffff;
}

/** `rest` for an echo request or reply. */
export function icmpEchoRest(id: number, seq: number): number {
  return ((id & 0xffff) * 0x10000 + (seq & 0xffff)) >>> 0;
}
