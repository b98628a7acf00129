// ARP (RFC 826): hardware and protocol address lengths come from the packet (6 and 4 for Ethernet
// and IPv4), so addresses are kept as byte arrays; formatHw / formatIPv4 in src/core/bytes.ts show them.

import { u16, u32 } from '../core/bytes.js';
import { badValue, type Codec, checkUint, endOf, need, target } from './codec.js';

export const ArpOp = { REQUEST: 1, REPLY: 2, RARP_REQUEST: 3, RARP_REPLY: 4 } as const;

export interface ArpPacket {
  htype: number;
  ptype: number;
  op: number;
  /** Sender / target hardware and protocol addresses; lengths give hlen and plen. */
  sha: Uint8Array;
  spa: Uint8Array;
  tha: Uint8Array;
  tpa: Uint8Array;
}

export function decodeArp(b: Uint8Array, off = 0, end?: number): ArpPacket {
  const e = endOf(b, end);
  need('arp', off, 8, e);
  const hlen = b[off + 4]!;
  const plen = b[off + 5]!;
  need('arp', off, 8 + 2 * (hlen + plen), e);
  const p = off + 8;
  const sha = b.subarray(p, p + hlen);
  const spa = b.subarray(p + hlen, p + hlen + plen);
  const tha = b.subarray(p + hlen + plen, p + 2 * hlen + plen);
  const tpa = b.subarray(p + 2 * hlen + plen, p + 2 * (hlen + plen));
  return { htype: u16(b, off), ptype: u16(b, off + 2), op: u16(b, off + 6), sha, spa, tha, tpa };
}

export function arpLength(a: ArpPacket): number {
  return 8 + 2 * (a.sha.length + a.spa.length);
}

export function encodeArp(a: ArpPacket, into?: Uint8Array, off = 0): Uint8Array {
  checkUint('arp', 'htype', a.htype, 0xffff);
  checkUint('arp', 'ptype', a.ptype, 0xffff);
  checkUint('arp', 'op', a.op, 0xffff);
  if (a.sha.length !== a.tha.length || a.spa.length !== a.tpa.length) {
    badValue('arp', 'sender and target addresses must have the same lengths');
  }
  if (a.sha.length > 255 || a.spa.length > 255) badValue('arp', 'address longer than 255 bytes');
  const b = target('arp', into, off, arpLength(a));
  b[off] = a.htype >>> 8;
  b[off + 1] = a.htype & 0xff;
  b[off + 2] = a.ptype >>> 8;
  b[off + 3] = a.ptype & 0xff;
  b[off + 4] = a.sha.length;
  b[off + 5] = a.spa.length;
  b[off + 6] = a.op >>> 8;
  b[off + 7] = a.op & 0xff;
  let p = off + 8;
  for (const x of [a.sha, a.spa, a.tha, a.tpa]) {
    b.set(x, p);
    p += x.length;
  }
  return b;
}

export const arp: Codec<ArpPacket> = {
  name: 'arp',
  decode: decodeArp,
  encodingLength: arpLength,
  encode: encodeArp,
};

/** The IPv4 address in a 4-byte protocol address field (0 when the field is another length). */
export function arpIPv4(x: Uint8Array): number {
  return x.length === 4 ? u32(x, 0) : 0;
}
