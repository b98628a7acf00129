// Linux cooked capture headers: SLL (LINKTYPE_LINUX_SLL 113, 16 bytes) and SLL2 (LINKTYPE_LINUX_SLL2
// 276, 20 bytes), as tcpdump.org/linktypes describes them. Big-endian on the wire.

import { u16, u32 } from '../core/bytes.js';
import { badValue, type Codec, checkUint, endOf, need, target } from './codec.js';

export const SLL_HEADER_LEN = 16;
export const SLL2_HEADER_LEN = 20;

/** Packet types: 0 to us, 1 broadcast, 2 multicast, 3 to another host, 4 sent by us. */
export interface SllHeader {
  pkttype: number;
  /** ARPHRD_ type (1 Ethernet, 772 loopback …). */
  hatype: number;
  /** Link-layer address length as sent (may exceed 8; at most 8 bytes are stored). */
  halen: number;
  /** The 8 address bytes as captured (zero-padded). */
  addr: Uint8Array;
  /** EtherType, or a Linux ETH_P_ value for non-Ethernet protocols. */
  type: number;
}

export function decodeSll(b: Uint8Array, off = 0, end?: number): SllHeader {
  need('linux_sll', off, SLL_HEADER_LEN, endOf(b, end));
  return {
    pkttype: u16(b, off),
    hatype: u16(b, off + 2),
    halen: u16(b, off + 4),
    addr: b.subarray(off + 6, off + 14),
    type: u16(b, off + 14),
  };
}

export function encodeSll(h: SllHeader, into?: Uint8Array, off = 0): Uint8Array {
  checkUint('linux_sll', 'pkttype', h.pkttype, 0xffff);
  checkUint('linux_sll', 'hatype', h.hatype, 0xffff);
  checkUint('linux_sll', 'halen', h.halen, 0xffff);
  checkUint('linux_sll', 'type', h.type, 0xffff);
  if (h.addr.length !== 8) badValue('linux_sll', 'addr must be 8 bytes');
  const b = target('linux_sll', into, off, SLL_HEADER_LEN);
  b[off] = h.pkttype >>> 8;
  b[off + 1] = h.pkttype & 0xff;
  b[off + 2] = h.hatype >>> 8;
  b[off + 3] = h.hatype & 0xff;
  b[off + 4] = h.halen >>> 8;
  b[off + 5] = h.halen & 0xff;
  b.set(h.addr, off + 6);
  b[off + 14] = h.type >>> 8;
  b[off + 15] = h.type & 0xff;
  return b;
}

export const sll: Codec<SllHeader> = {
  name: 'linux_sll',
  decode: decodeSll,
  encodingLength: () => SLL_HEADER_LEN,
  encode: encodeSll,
};

export interface Sll2Header {
  type: number;
  reserved: number;
  ifindex: number;
  hatype: number;
  pkttype: number;
  halen: number;
  addr: Uint8Array;
}

export function decodeSll2(b: Uint8Array, off = 0, end?: number): Sll2Header {
  need('linux_sll2', off, SLL2_HEADER_LEN, endOf(b, end));
  return {
    type: u16(b, off),
    reserved: u16(b, off + 2),
    ifindex: u32(b, off + 4),
    hatype: u16(b, off + 8),
    pkttype: b[off + 10]!,
    halen: b[off + 11]!,
    addr: b.subarray(off + 12, off + 20),
  };
}

export function encodeSll2(h: Sll2Header, into?: Uint8Array, off = 0): Uint8Array {
  checkUint('linux_sll2', 'type', h.type, 0xffff);
  checkUint('linux_sll2', 'reserved', h.reserved, 0xffff);
  checkUint('linux_sll2', 'ifindex', h.ifindex, 0xffffffff);
  checkUint('linux_sll2', 'hatype', h.hatype, 0xffff);
  checkUint('linux_sll2', 'pkttype', h.pkttype, 0xff);
  checkUint('linux_sll2', 'halen', h.halen, 0xff);
  if (h.addr.length !== 8) badValue('linux_sll2', 'addr must be 8 bytes');
  const b = target('linux_sll2', into, off, SLL2_HEADER_LEN);
  const dv = new DataView(b.buffer, b.byteOffset + off, SLL2_HEADER_LEN);
  dv.setUint16(0, h.type);
  dv.setUint16(2, h.reserved);
  dv.setUint32(4, h.ifindex);
  dv.setUint16(8, h.hatype);
  dv.setUint8(10, h.pkttype);
  dv.setUint8(11, h.halen);
  b.set(h.addr, off + 12);
  return b;
}

export const sll2: Codec<Sll2Header> = {
  name: 'linux_sll2',
  decode: decodeSll2,
  encodingLength: () => SLL2_HEADER_LEN,
  encode: encodeSll2,
};
