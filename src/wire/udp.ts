// UDP header (RFC 768). The checksum covers a pseudo-header (src/core/checksum.ts); zero means "no
// checksum" over IPv4 and a computed zero is sent as 0xffff.

import { u16 } from '../core/bytes.js';
import { type Codec, checkUint, endOf, invalid, need, target } from './codec.js';

export const UDP_HEADER_LEN = 8;

export interface UdpHeader {
  sport: number;
  dport: number;
  /** Header plus data, at least 8. Not checked against the captured bytes (see ipv4.ts). */
  length: number;
  checksum: number;
}

export function decodeUdp(b: Uint8Array, off = 0, end?: number): UdpHeader {
  need('udp', off, UDP_HEADER_LEN, endOf(b, end));
  const length = u16(b, off + 4);
  if (length < UDP_HEADER_LEN) invalid('udp', off + 4, `length ${length} < 8`);
  return { sport: u16(b, off), dport: u16(b, off + 2), length, checksum: u16(b, off + 6) };
}

export function encodeUdp(h: UdpHeader, into?: Uint8Array, off = 0): Uint8Array {
  checkUint('udp', 'sport', h.sport, 0xffff);
  checkUint('udp', 'dport', h.dport, 0xffff);
  checkUint('udp', 'length', h.length, 0xffff);
  checkUint('udp', 'checksum', h.checksum, 0xffff);
  const b = target('udp', into, off, UDP_HEADER_LEN);
  b[off] = h.sport >>> 8;
  b[off + 1] = h.sport & 0xff;
  b[off + 2] = h.dport >>> 8;
  b[off + 3] = h.dport & 0xff;
  b[off + 4] = h.length >>> 8;
  b[off + 5] = h.length & 0xff;
  b[off + 6] = h.checksum >>> 8;
  b[off + 7] = h.checksum & 0xff;
  return b;
}

export const udp: Codec<UdpHeader> = {
  name: 'udp',
  decode: decodeUdp,
  encodingLength: () => UDP_HEADER_LEN,
  encode: encodeUdp,
};
