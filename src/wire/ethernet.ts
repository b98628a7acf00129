// Ethernet II and IEEE 802.3 length frames with 802.2 LLC and SNAP (RFC 894, RFC 1042, IEEE 802.3
// §3.2, IEEE 802.2). The optional 4-byte FCS is handled by src/core/checksum.ts (fcsOk/fillFcs).

import { readMac, u16, u32, writeMac } from '../core/bytes.js';
import { badValue, type Codec, checkUint, endOf, need, target } from './codec.js';

export const ETHERNET_HEADER_LEN = 14;
/** Shortest frame on the wire without FCS (64 with it): shorter frames are padded (IEEE 802.3 §3.2.8). */
export const ETHERNET_MIN_FRAME = 60;

export interface EthernetHeader {
  /** 48-bit addresses as numbers (formatMac/parseMac in src/core/bytes.ts). */
  dst: number;
  src: number;
  /** EtherType (≥ 0x0600) or, at most 1500, the 802.3 length of the LLC data that follows. */
  type: number;
}

export function decodeEthernet(b: Uint8Array, off = 0, end?: number): EthernetHeader {
  need('eth', off, ETHERNET_HEADER_LEN, endOf(b, end));
  return { dst: readMac(b, off), src: readMac(b, off + 6), type: u16(b, off + 12) };
}

export function encodeEthernet(h: EthernetHeader, into?: Uint8Array, off = 0): Uint8Array {
  checkUint('eth', 'dst', h.dst, 0xffffffffffff);
  checkUint('eth', 'src', h.src, 0xffffffffffff);
  checkUint('eth', 'type', h.type, 0xffff);
  const b = target('eth', into, off, ETHERNET_HEADER_LEN);
  writeMac(b, off, h.dst);
  writeMac(b, off + 6, h.src);
  b[off + 12] = h.type >>> 8;
  b[off + 13] = h.type & 0xff;
  return b;
}

export const ethernet: Codec<EthernetHeader> = {
  name: 'eth',
  decode: decodeEthernet,
  encodingLength: () => ETHERNET_HEADER_LEN,
  encode: encodeEthernet,
};

/**
 * IEEE 802.2 LLC, with SNAP (RFC 1042) when DSAP = SSAP = 0xAA: 3 bytes (U-format control) or 4
 * (I/S-format: control's low two bits are not 11), plus 5 for SNAP (OUI, type).
 */
export interface LlcHeader {
  dsap: number;
  ssap: number;
  /** 8 bits for U-format frames, 16 bits otherwise. */
  control: number;
  /** Present when dsap = ssap = 0xAA. */
  snap?: { oui: number; type: number };
}

export function decodeLlc(b: Uint8Array, off = 0, end?: number): LlcHeader {
  const e = endOf(b, end);
  need('llc', off, 3, e);
  const dsap = b[off]!;
  const ssap = b[off + 1]!;
  let control = b[off + 2]!;
  let n = 3;
  if ((control & 3) !== 3) {
    need('llc', off, 4, e);
    control = u16(b, off + 2);
    n = 4;
  }
  const h: LlcHeader = { dsap, ssap, control };
  if (dsap === 0xaa && ssap === 0xaa) {
    need('llc', off + n, 5, e);
    h.snap = { oui: u32(b, off + n - 1) & 0xffffff, type: u16(b, off + n + 3) };
  }
  return h;
}

export function llcLength(h: LlcHeader): number {
  return ((h.control & 3) === 3 && h.control <= 0xff ? 3 : 4) + (h.snap ? 5 : 0);
}

export function encodeLlc(h: LlcHeader, into?: Uint8Array, off = 0): Uint8Array {
  checkUint('llc', 'dsap', h.dsap, 0xff);
  checkUint('llc', 'ssap', h.ssap, 0xff);
  checkUint('llc', 'control', h.control, 0xffff);
  const n = llcLength(h);
  if (n - (h.snap ? 5 : 0) === 4 && ((h.control >>> 8) & 3) === 3) {
    badValue('llc', 'a 16-bit control field cannot start with the U-format bits 11');
  }
  const b = target('llc', into, off, n);
  b[off] = h.dsap;
  b[off + 1] = h.ssap;
  let p = off + 2;
  if (n - (h.snap ? 5 : 0) === 3) b[p++] = h.control;
  else {
    b[p++] = h.control >>> 8;
    b[p++] = h.control & 0xff;
  }
  if (h.snap) {
    checkUint('llc', 'snap.oui', h.snap.oui, 0xffffff);
    checkUint('llc', 'snap.type', h.snap.type, 0xffff);
    b[p] = h.snap.oui >>> 16;
    b[p + 1] = (h.snap.oui >>> 8) & 0xff;
    b[p + 2] = h.snap.oui & 0xff;
    b[p + 3] = h.snap.type >>> 8;
    b[p + 4] = h.snap.type & 0xff;
  }
  return b;
}

export const llc: Codec<LlcHeader> = {
  name: 'llc',
  decode: decodeLlc,
  encodingLength: llcLength,
  encode: encodeLlc,
};
