// The analyzer's fast path: one pass over a frame that fills a reused, flat record of the fields
// filters, one-line summaries and statistics need (offsets and numbers, no allocation per packet).
// Never throws: a short or malformed header stops the walk and sets `err` ("ipv4: truncated at 34").
// Layouts: IEEE 802.3/802.1Q, tcpdump.org linktypes (SLL/SLL2/NULL), RFC 826, RFC 791, RFC 8200,
// RFC 9293, RFC 768, RFC 792, RFC 4443. The layered view (layers.ts) uses src/wire's codecs.

export const NET_NONE = 0;
export const NET_IP4 = 4;
export const NET_IP6 = 6;
export const NET_ARP = 1;
export const NET_OTHER = 2;

export const L2_NONE = 0;
export const L2_ETH = 1;
export const L2_SLL = 2;
export const L2_SLL2 = 3;
export const L2_RAW = 4;
export const L2_NULL = 5;
export const L2_UNKNOWN = 6;

export class Dissection {
  data: Uint8Array = new Uint8Array(0);
  linktype = 0;
  caplen = 0;
  /** Length on the wire. */
  len = 0;
  l2 = L2_NONE;
  /** Offsets of the Ethernet destination and source (or the SLL address); -1 when absent. */
  macDstOff = -1;
  macSrcOff = -1;
  vlanCount = 0;
  vlanIds: number[] = [0, 0, 0, 0];
  /** EtherType after any VLAN tags (0 for 802.3 length frames). */
  etherType = 0;
  /** 802.3 length frame (LLC follows). */
  llc = false;
  net = NET_NONE;
  netOff = -1;
  /** IPv4 addresses as unsigned numbers. */
  ip4Src = 0;
  ip4Dst = 0;
  /** IPv6 address offsets in `data`. */
  ip6SrcOff = -1;
  ip6DstOff = -1;
  ipHdrLen = 0;
  /** IPv4 total length / IPv6 40 + payload length. */
  ipLen = 0;
  ttl = 0;
  ipId = 0;
  tos = 0;
  df = false;
  mf = false;
  /** Fragment offset in 8-byte units (IPv4 or the IPv6 fragment header). */
  fragOff = 0;
  isFragment = false;
  /** IPv6 fixed header's Next Header (-1 otherwise). */
  ip6Nxt = -1;
  /** IPv6 Next Header, or the Fragment header's when one comes first (libpcap's view of `udp`). */
  ip6Proto = -1;
  /** Upper-layer protocol number after IPv6 extension headers; -1 when none. */
  proto = -1;
  l4Off = -1;
  /** End of the IP payload as the IP header declares it (may be past the captured bytes). */
  ipEnd = 0;
  sport = -1;
  dport = -1;
  tcpFlags = 0;
  tcpSeq = 0;
  tcpAck = 0;
  tcpWin = 0;
  tcpHdrLen = 0;
  tcpUrg = 0;
  udpLen = 0;
  icmpType = -1;
  icmpCode = -1;
  arpOp = 0;
  /** ARP sender/target protocol addresses (IPv4), when hln = 6 and pln = 4. */
  arpSpa = -1;
  arpTpa = -1;
  /** The first problem met, in the form "layer: message"; '' when all is well. */
  err = '';
  /** Where decoding stopped because bytes ran out (-1 when it did not). */
  truncatedAt = -1;

  reset(data: Uint8Array, linktype: number, len: number): void {
    this.data = data;
    this.linktype = linktype;
    this.caplen = data.length;
    this.len = len;
    this.l2 = L2_NONE;
    this.macDstOff = -1;
    this.macSrcOff = -1;
    this.vlanCount = 0;
    this.etherType = 0;
    this.llc = false;
    this.net = NET_NONE;
    this.netOff = -1;
    this.ip4Src = 0;
    this.ip4Dst = 0;
    this.ip6SrcOff = -1;
    this.ip6DstOff = -1;
    this.ipHdrLen = 0;
    this.ipLen = 0;
    this.fragOff = 0;
    this.isFragment = false;
    this.mf = false;
    this.df = false;
    this.proto = -1;
    this.ip6Nxt = -1;
    this.ip6Proto = -1;
    this.l4Off = -1;
    this.ipEnd = 0;
    this.sport = -1;
    this.dport = -1;
    this.tcpFlags = 0;
    this.tcpHdrLen = 0;
    this.udpLen = 0;
    this.icmpType = -1;
    this.icmpCode = -1;
    this.arpOp = 0;
    this.arpSpa = -1;
    this.arpTpa = -1;
    this.err = '';
    this.truncatedAt = -1;
  }
}

const u16 = (b: Uint8Array, o: number) => (b[o]! << 8) | b[o + 1]!;
const u32 = (b: Uint8Array, o: number) =>
  b[o]! * 16777216 + ((b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!);

function trunc(d: Dissection, layer: string, at: number): void {
  if (d.err === '') d.err = `${layer}: truncated at ${at}`;
  if (d.truncatedAt < 0) d.truncatedAt = at;
}

/** Fills `d` from one frame. */
export function dissect(d: Dissection, data: Uint8Array, linktype: number, len: number): Dissection {
  d.reset(data, linktype, len);
  const end = data.length;
  let off = 0;
  let type = -1;
  switch (linktype) {
    case 1: {
      d.l2 = L2_ETH;
      if (end < 14) {
        trunc(d, 'eth', end);
        return d;
      }
      d.macDstOff = 0;
      d.macSrcOff = 6;
      type = u16(data, 12);
      off = 14;
      while (type === 0x8100 || type === 0x88a8 || type === 0x9100) {
        if (off + 4 > end) {
          trunc(d, 'vlan', end);
          return d;
        }
        if (d.vlanCount < 4) d.vlanIds[d.vlanCount] = u16(data, off) & 0x0fff;
        d.vlanCount++;
        type = u16(data, off + 2);
        off += 4;
        if (d.vlanCount > 8) {
          d.err = 'vlan: more than 8 tags';
          return d;
        }
      }
      if (type <= 1500) {
        d.llc = true;
        d.etherType = 0;
        d.netOff = off;
        d.net = NET_OTHER;
        return d;
      }
      break;
    }
    case 113:
      d.l2 = L2_SLL;
      if (end < 16) {
        trunc(d, 'linux_sll', end);
        return d;
      }
      d.macSrcOff = 6;
      type = u16(data, 14);
      off = 16;
      break;
    case 276:
      d.l2 = L2_SLL2;
      if (end < 20) {
        trunc(d, 'linux_sll2', end);
        return d;
      }
      d.macSrcOff = 12;
      type = u16(data, 0);
      off = 20;
      break;
    case 101:
    case 228:
    case 229:
    case 12:
      d.l2 = L2_RAW;
      if (end < 1) {
        trunc(d, 'raw', 0);
        return d;
      }
      type = data[0]! >> 4 === 6 ? 0x86dd : 0x0800;
      break;
    case 0:
    case 108: {
      d.l2 = L2_NULL;
      if (end < 4) {
        trunc(d, 'null', end);
        return d;
      }
      // DLT_NULL holds the AF in host byte order, DLT_LOOP in network order: accept both.
      const af =
        linktype === 108 ? u32(data, 0) : data[0]! | (data[1]! << 8) | (data[2]! << 16) | (data[3]! << 24);
      const a = af > 0xffff ? ((af >>> 24) | ((af >>> 8) & 0xff00)) & 0xffff : af;
      type = a === 2 ? 0x0800 : a === 24 || a === 28 || a === 30 ? 0x86dd : -1;
      off = 4;
      break;
    }
    default:
      d.l2 = L2_UNKNOWN;
      return d;
  }
  d.etherType = type;
  d.netOff = off;
  if (type === 0x0800) ipv4(d, data, off, end);
  else if (type === 0x86dd) ipv6(d, data, off, end);
  else if (type === 0x0806 || type === 0x8035) arp(d, data, off, end);
  else d.net = NET_OTHER;
  return d;
}

function arp(d: Dissection, b: Uint8Array, off: number, end: number): void {
  d.net = NET_ARP;
  if (off + 8 > end) {
    trunc(d, 'arp', end);
    return;
  }
  d.arpOp = u16(b, off + 6);
  const hln = b[off + 4]!;
  const pln = b[off + 5]!;
  const need = 8 + 2 * hln + 2 * pln;
  if (off + need > end) {
    trunc(d, 'arp', end);
    return;
  }
  if (pln === 4) {
    d.arpSpa = u32(b, off + 8 + hln);
    d.arpTpa = u32(b, off + 8 + 2 * hln + 4);
  }
}

function ipv4(d: Dissection, b: Uint8Array, off: number, end: number): void {
  d.net = NET_IP4;
  if (off + 20 > end) {
    trunc(d, 'ipv4', end);
    return;
  }
  const vihl = b[off]!;
  if (vihl >> 4 !== 4) {
    d.err = `ipv4: version ${vihl >> 4}`;
    return;
  }
  const hl = (vihl & 15) * 4;
  if (hl < 20) {
    d.err = `ipv4: header length ${hl} < 20`;
    return;
  }
  d.tos = b[off + 1]!;
  d.ipLen = u16(b, off + 2);
  d.ipId = u16(b, off + 4);
  const ff = u16(b, off + 6);
  d.df = (ff & 0x4000) !== 0;
  d.mf = (ff & 0x2000) !== 0;
  d.fragOff = ff & 0x1fff;
  d.isFragment = d.mf || d.fragOff !== 0;
  d.ttl = b[off + 8]!;
  d.proto = b[off + 9]!;
  d.ip4Src = u32(b, off + 12);
  d.ip4Dst = u32(b, off + 16);
  d.ipHdrLen = hl;
  if (off + hl > end) {
    trunc(d, 'ipv4', end);
    return;
  }
  if (d.ipLen < hl) {
    d.err = `ipv4: total length ${d.ipLen} < header length ${hl}`;
    return;
  }
  d.ipEnd = off + d.ipLen;
  if (d.ipEnd > end && d.len <= d.caplen) {
    d.err = `ipv4: total length ${d.ipLen} > ${end - off} available`;
  }
  d.l4Off = off + hl;
  if (d.fragOff !== 0) return;
  transport(d, b, off + hl, Math.min(end, d.ipEnd));
}

function ipv6(d: Dissection, b: Uint8Array, off: number, end: number): void {
  d.net = NET_IP6;
  if (off + 40 > end) {
    trunc(d, 'ipv6', end);
    return;
  }
  if (b[off]! >> 4 !== 6) {
    d.err = `ipv6: version ${b[off]! >> 4}`;
    return;
  }
  d.tos = ((b[off]! & 15) << 4) | (b[off + 1]! >> 4);
  d.ipHdrLen = 40;
  d.ipLen = 40 + u16(b, off + 4);
  d.ttl = b[off + 7]!;
  d.ip6SrcOff = off + 8;
  d.ip6DstOff = off + 24;
  d.ipEnd = off + d.ipLen;
  if (d.ipEnd > end && d.len <= d.caplen)
    d.err = `ipv6: payload length ${d.ipLen - 40} > ${end - off - 40} available`;
  const lim = Math.min(end, d.ipEnd);
  let nh = b[off + 6]!;
  d.ip6Nxt = nh;
  d.ip6Proto = nh === 44 && off + 41 <= lim ? b[off + 40]! : nh;
  let p = off + 40;
  for (let i = 0; i < 16; i++) {
    if (nh === 0 || nh === 43 || nh === 60 || nh === 51) {
      if (p + 2 > lim) {
        d.proto = nh;
        trunc(d, 'ipv6', lim);
        return;
      }
      const l = nh === 51 ? (b[p + 1]! + 2) * 4 : (b[p + 1]! + 1) * 8;
      if (p + l > lim) {
        d.proto = nh;
        trunc(d, 'ipv6', lim);
        return;
      }
      nh = b[p]!;
      p += l;
    } else if (nh === 44) {
      if (p + 8 > lim) {
        d.proto = nh;
        trunc(d, 'ipv6', lim);
        return;
      }
      const fo = u16(b, p + 2);
      d.fragOff = fo >> 3;
      d.mf = (fo & 1) !== 0;
      d.isFragment = true;
      d.ipId = u32(b, p + 4);
      nh = b[p]!;
      p += 8;
      if (d.fragOff !== 0) {
        d.proto = nh;
        d.l4Off = p;
        return;
      }
    } else break;
  }
  d.proto = nh;
  d.l4Off = p;
  transport(d, b, p, lim);
}

function transport(d: Dissection, b: Uint8Array, off: number, end: number): void {
  switch (d.proto) {
    case 6: {
      if (off + 20 > end) {
        if (off + 4 <= end) {
          d.sport = u16(b, off);
          d.dport = u16(b, off + 2);
        }
        trunc(d, 'tcp', end);
        return;
      }
      d.sport = u16(b, off);
      d.dport = u16(b, off + 2);
      d.tcpSeq = u32(b, off + 4);
      d.tcpAck = u32(b, off + 8);
      d.tcpFlags = ((b[off + 12]! & 0x0f) << 8) | b[off + 13]!;
      d.tcpWin = u16(b, off + 14);
      d.tcpUrg = u16(b, off + 18);
      const hl = (b[off + 12]! >> 4) * 4;
      d.tcpHdrLen = hl;
      if (hl < 20) d.err = `tcp: data offset ${hl} < 20`;
      else if (off + hl > end) trunc(d, 'tcp', end);
      return;
    }
    case 17:
      if (off + 8 > end) {
        if (off + 4 <= end) {
          d.sport = u16(b, off);
          d.dport = u16(b, off + 2);
        }
        trunc(d, 'udp', end);
        return;
      }
      d.sport = u16(b, off);
      d.dport = u16(b, off + 2);
      d.udpLen = u16(b, off + 4);
      if (d.udpLen < 8) d.err = `udp: length ${d.udpLen} < 8`;
      else if (d.udpLen > d.ipEnd - off) d.err = `udp: length ${d.udpLen} > ${d.ipEnd - off} available`;
      return;
    case 1:
    case 58:
      if (off + 4 > end) {
        trunc(d, d.proto === 1 ? 'icmp' : 'icmpv6', end);
        return;
      }
      d.icmpType = b[off]!;
      d.icmpCode = b[off + 1]!;
      return;
  }
}
