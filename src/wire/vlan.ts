// IEEE 802.1Q tags (C-tag, TPID 0x8100) and 802.1ad (S-tag, TPID 0x88a8), stacked for Q-in-Q. The
// TPID is the EtherType field of the header before the tag; this codec covers the 4 bytes after it:
// TCI (PCP 3 bits, DEI 1 bit, VID 12 bits) and the next EtherType.

import { u16 } from '../core/bytes.js';
import { type Codec, checkUint, endOf, need, target } from './codec.js';

export const VLAN_TAG_LEN = 4;

export interface VlanTag {
  pcp: number;
  dei: boolean;
  id: number;
  /** The EtherType after the tag (another TPID when tags are stacked). */
  type: number;
}

export function decodeVlan(b: Uint8Array, off = 0, end?: number): VlanTag {
  need('vlan', off, VLAN_TAG_LEN, endOf(b, end));
  const tci = u16(b, off);
  return { pcp: tci >>> 13, dei: (tci & 0x1000) !== 0, id: tci & 0xfff, type: u16(b, off + 2) };
}

export function encodeVlan(h: VlanTag, into?: Uint8Array, off = 0): Uint8Array {
  checkUint('vlan', 'pcp', h.pcp, 7);
  checkUint('vlan', 'id', h.id, 0xfff);
  checkUint('vlan', 'type', h.type, 0xffff);
  const b = target('vlan', into, off, VLAN_TAG_LEN);
  const tci = (h.pcp << 13) | (h.dei ? 0x1000 : 0) | h.id;
  b[off] = tci >>> 8;
  b[off + 1] = tci & 0xff;
  b[off + 2] = h.type >>> 8;
  b[off + 3] = h.type & 0xff;
  return b;
}

export const vlan: Codec<VlanTag> = {
  name: 'vlan',
  decode: decodeVlan,
  encodingLength: () => VLAN_TAG_LEN,
  encode: encodeVlan,
};
