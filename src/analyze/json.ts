// The --json object of a packet (docs: analyzer-json.md), written straight from the bytes into a
// TextOut for the common well-formed packets: Ethernet, VLAN tags, ARP, IPv4 (options and
// fragments too), IPv6 without extension headers, TCP, UDP (DNS), ICMP echo-like messages and
// ICMPv6 informational ones. Everything else — and any packet with a decode problem — goes
// through layers.ts and JSON.stringify, whose output this matches byte for byte (tests compare them).
// Checksums: RFC 791, RFC 9293/768 pseudo-headers, RFC 8200 §8.1.

import {
  ipv4HeaderChecksumOk,
  onesSum,
  pseudoSumV4,
  pseudoSumV6,
  transportChecksumOk,
} from '../core/checksum.js';
import { DecodeError, ErrorCodes } from '../core/errors.js';
import type { PacketRecord } from '../pcap/format.js';
import { decodeDnsSummary } from '../wire/dns.js';
import { checkIpv4 } from '../wire/ipv4.js';
import { decodeTcpOptions, type TcpOption } from '../wire/tcp.js';
import { type Dissection, L2_ETH, NET_ARP, NET_IP4, NET_IP6, NET_OTHER } from './dissect.js';
import type { SummaryState } from './summary.js';
import { ascii, type TextOut } from './text-out.js';

const u16 = (b: Uint8Array, o: number) => (b[o]! << 8) | b[o + 1]!;
const u32 = (b: Uint8Array, o: number) =>
  b[o]! * 16777216 + ((b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!);

/** The entries of `errors` met on the fast path (a few kinds of problem are written here too). */
const errors: string[] = [];

// The constant text between values, as bytes. _Q: closes the string value before it; _S: opens
// the string value after it.
const K_N = ascii('{"n":');
const K_TS_S = ascii(',"ts":"');
const K_CAPLEN_Q = ascii('","caplen":');
const K_LEN = ascii(',"len":');
const K_IFACE = ascii(',"iface":');
const K_LINKTYPE = ascii(',"linktype":');
const K_LAYERS_ETH_SRC_S = ascii(',"layers":[{"layer":"eth","src":"');
const K_DST_Q_S = ascii('","dst":"');
const K_TYPE_Q = ascii('","type":');
const K_VLAN_TPID = ascii(',{"layer":"vlan","tpid":');
const K_ID = ascii(',"id":');
const K_PCP = ascii(',"pcp":');
const K_DEI = ascii(',"dei":');
const K_TYPE = ascii(',"type":');
const K_SUMMARY_S = ascii('],"summary":"');
const K_NO_ERRORS = ascii(',"errors":[]}');
const K_ERRORS_OPEN = ascii(',"errors":[');
const K_ERRORS_CLOSE = ascii(']}');
const K_LLC_DSAP = ascii(',{"layer":"llc","dsap":');
const K_SSAP = ascii(',"ssap":');
const K_CONTROL = ascii(',"control":');
const K_OUI = ascii(',"oui":');
const K_ARP_HTYPE = ascii(',{"layer":"arp","htype":');
const K_PTYPE = ascii(',"ptype":');
const K_OP = ascii(',"op":');
const K_SHA_S = ascii(',"sha":"');
const K_SPA_Q_S = ascii('","spa":"');
const K_THA_Q_S = ascii('","tha":"');
const K_TPA_Q_S = ascii('","tpa":"');
const K_STRING_CLOSE = ascii('"}');
const K_IPV4_SRC_S = ascii(',{"layer":"ipv4","src":"');
const K_HDR_LEN_Q = ascii('","hdr_len":');
const K_TOS = ascii(',"tos":');
const K_TOTAL_LENGTH = ascii(',"total_length":');
const K_DF = ascii(',"df":');
const K_MF = ascii(',"mf":');
const K_FRAG_OFFSET = ascii(',"frag_offset":');
const K_TTL = ascii(',"ttl":');
const K_PROTO = ascii(',"proto":');
const K_CHECKSUM = ascii(',"checksum":');
const K_CHECKSUM_OK = ascii(',"checksum_ok":');
const K_IPV6_SRC_S = ascii(',{"layer":"ipv6","src":"');
const K_NXT_Q = ascii('","nxt":');
const K_PLEN = ascii(',"plen":');
const K_HLIM = ascii(',"hlim":');
const K_TCLASS = ascii(',"tclass":');
const K_FLOW = ascii(',"flow":');
const K_IPV6_FRAGHDR_NXT = ascii(',{"layer":"ipv6.fraghdr","nxt":');
const K_OFFSET = ascii(',"offset":');
const K_MORE = ascii(',"more":');
const K_IDENT = ascii(',"ident":');
const K_TCP_SPORT = ascii(',{"layer":"tcp","sport":');
const K_DPORT = ascii(',"dport":');
const K_SEQ = ascii(',"seq":');
const K_ACK = ascii(',"ack":');
const K_FLAGS = ascii(',"flags":');
const K_WINDOW = ascii(',"window":');
const K_HDR_LEN = ascii(',"hdr_len":');
const K_PAYLOAD_LEN = ascii(',"payload_len":');
const K_URG = ascii(',"urg":');
const K_OPTIONS = ascii(',"options":');
const K_UDP_SPORT = ascii(',{"layer":"udp","sport":');
const K_LENGTH = ascii(',"length":');
const K_DNS_ID = ascii(',{"layer":"dns","id":');
const K_QR = ascii(',"qr":');
const K_OPCODE = ascii(',"opcode":');
const K_RCODE = ascii(',"rcode":');
const K_QDCOUNT = ascii(',"qdcount":');
const K_ANCOUNT = ascii(',"ancount":');
const K_QNAME = ascii(',"qname":');
const K_CODE = ascii(',"code":');
const K_TCP_OPEN = ascii(',{"layer":"tcp"');
const K_SPORT = ascii(',"sport":');
const K_CHECKSUM_OK_NULL_OPTIONS = ascii(',"checksum_ok":null,"options":[]');
const K_UDP_OPEN = ascii(',{"layer":"udp"');
const K_CHECKSUM_OK_NULL = ascii(',"checksum_ok":null');
const K_IPV4_OPEN = ascii(',{"layer":"ipv4"');
const K_SRC_S = ascii(',"src":"');
const K_DST_S = ascii(',"dst":"');
const K_ICMP_TYPE = ascii(',{"layer":"icmp","type":');
const K_ICMPV6_TYPE = ascii(',{"layer":"icmpv6","type":');
const K_ICMP_OPEN = ascii(',{"layer":"icmp"');
const K_ICMPV6_OPEN = ascii(',{"layer":"icmpv6"');

const TRUE = ascii('true');
const FALSE = ascii('false');
const NULL = ascii('null');

function bool(o: TextOut, v: boolean): void {
  o.bytes(v ? TRUE : FALSE);
}

function okValue(o: TextOut, v: boolean | null): void {
  o.bytes(v === null ? NULL : v ? TRUE : FALSE);
}

function optionJson(op: TcpOption): unknown {
  if ('data' in op) return { kind: op.kind, data: Buffer.from(op.data).toString('hex') };
  if ('cookie' in op) return { kind: op.kind, cookie: Buffer.from(op.cookie).toString('hex') };
  return op;
}

/**
 * Can this packet be written by the fast path? Decided from the dissection before anything is
 * written, so that a refusal costs nothing.
 */
function eligible(d: Dissection, caplen: number, len: number): boolean {
  if (d.l2 !== L2_ETH || caplen !== len || d.vlanCount > 4) return false;
  const b = d.data;
  if (d.err !== '') {
    // An IPv4 total length past the end of an unsnapped frame: reported, and the rest decoded.
    return (
      d.net === NET_IP4 &&
      d.err.startsWith('ipv4: total length ') &&
      d.ipEnd > b.length &&
      truncatedIpv4Eligible(d)
    );
  }
  if (d.llc) return llcLength(b, d.netOff) > 0;
  if (d.net === NET_OTHER) return true;
  if (d.net === NET_ARP) {
    return d.etherType === 0x0806 && b[d.netOff + 4] === 6 && b[d.netOff + 5] === 4 && d.arpSpa >= 0;
  }
  if (d.net === NET_IP4) {
    if (d.ipEnd > b.length) return false;
    if (d.fragOff !== 0) return true;
    return transportEligible(d);
  }
  if (d.net === NET_IP6) {
    let nh = d.ip6Nxt;
    if (d.ipEnd > b.length) return false;
    if (nh === 44) {
      // One Fragment header; other extension headers (and AH, ESP …) take the general path.
      nh = b[d.netOff + 40]!;
      if (nh !== 6 && nh !== 17 && nh !== 58) return false;
      if (d.fragOff !== 0) return true;
    } else if (nh !== 6 && nh !== 17 && nh !== 58 && nh !== 1) return false;
    return transportEligible(d);
  }
  return false;
}

/** The IPv4 packet cut short: its transport header must be whole to be written here. */
function truncatedIpv4Eligible(d: Dissection): boolean {
  if (d.fragOff !== 0 || d.l4Off < 0) return d.l4Off >= 0;
  const lim = d.data.length;
  const off = d.l4Off;
  switch (d.proto) {
    case 6:
      return (
        off + 20 <= lim && d.tcpHdrLen >= 20 && off + d.tcpHdrLen <= lim && d.sport !== 53 && d.dport !== 53
      );
    case 17:
      return off + 8 <= lim && d.udpLen >= 8 && d.udpLen <= d.ipEnd - off;
    case 1:
      return off + 4 <= lim;
    case 58:
      return off + 4 <= lim && d.icmpType >= 128;
    default:
      return true;
  }
}

/** Bytes of the LLC header (and SNAP) at `off` as decodeLlc reads them, or 0 when it would refuse it. */
function llcLength(b: Uint8Array, off: number): number {
  if (off + 3 > b.length) return 0;
  let n = (b[off + 2]! & 3) === 3 ? 3 : 4;
  if (b[off] === 0xaa && b[off + 1] === 0xaa) n += 5;
  return off + n <= b.length ? n : 0;
}

/** A codec's DecodeError as layers.ts reports it in `errors`. */
function problem(layer: string, e: DecodeError, end: number): string {
  return e.code === ErrorCodes.TRUNCATED
    ? `${layer}: truncated at ${end}`
    : e.message.replace(/ \(at offset \d+\)$/, '');
}

function transportEligible(d: Dissection): boolean {
  switch (d.proto) {
    case 6:
      // DNS over TCP takes the general path.
      return d.tcpHdrLen >= 20 && d.sport !== 53 && d.dport !== 53;
    case 17:
      return d.udpLen >= 8;
    case 1:
      // Errors quote an IPv4 datagram, written here too.
      return d.icmpType >= 0;
    case 58:
      // ICMPv6 errors quote an IPv6 packet: the general path decodes it.
      return d.icmpType >= 128;
    default:
      // Other protocols: the IP layer is the last one.
      return true;
  }
}

function quotesIcmp(t: number): boolean {
  return t === 3 || t === 4 || t === 5 || t === 11 || t === 12;
}

/**
 * Writes the JSON object (without the newline) of a packet already dissected into `d`; returns
 * false, having written nothing, when the packet needs the general path.
 */
export function writePacketJson(
  o: TextOut,
  d: Dissection,
  r: PacketRecord,
  n: number,
  st: SummaryState,
  writeSummaryLine: (o: TextOut, d: Dissection, st: SummaryState) => void,
): boolean {
  if (!eligible(d, r.caplen, r.len)) return false;
  const start = o.pos;
  errors.length = 0;
  const b = d.data;
  o.bytes(K_N);
  o.uint(n);
  o.bytes(K_TS_S);
  if (r.tsSec < 0) {
    o.pos = start;
    return false;
  }
  o.uint(r.tsSec);
  o.byte(0x2e);
  o.pad9(r.tsNsec);
  o.bytes(K_CAPLEN_Q);
  o.uint(r.caplen);
  o.bytes(K_LEN);
  o.uint(r.len);
  o.bytes(K_IFACE);
  o.uint(r.iface);
  o.bytes(K_LINKTYPE);
  o.uint(r.linktype);
  o.bytes(K_LAYERS_ETH_SRC_S);
  o.mac(b, 6);
  o.bytes(K_DST_Q_S);
  o.mac(b, 0);
  o.bytes(K_TYPE_Q);
  let p = 14;
  let type = u16(b, 12);
  o.uint(type);
  o.byte(0x7d);
  for (let i = 0; i < d.vlanCount; i++) {
    const tci = u16(b, p);
    const tpid = type;
    type = u16(b, p + 2);
    o.bytes(K_VLAN_TPID);
    o.uint(tpid);
    o.bytes(K_ID);
    o.uint(tci & 0xfff);
    o.bytes(K_PCP);
    o.uint(tci >> 13);
    o.bytes(K_DEI);
    bool(o, (tci & 0x1000) !== 0);
    o.bytes(K_TYPE);
    o.uint(type);
    o.byte(0x7d);
    p += 4;
  }
  let ok = true;
  if (d.llc) llc(o, b, p);
  else if (d.net === NET_ARP) arp(o, b, p);
  else if (d.net === NET_IP4) ok = ipv4(o, d, b, p);
  else if (d.net === NET_IP6) ok = ipv6(o, d, b, p);
  if (!ok) {
    o.pos = start;
    return false;
  }
  o.bytes(K_SUMMARY_S);
  const s0 = o.pos;
  writeSummaryLine(o, d, st);
  // The summary is ASCII unless a DNS name or text says otherwise; anything JSON must escape, or
  // any non-ASCII byte, is left to JSON.stringify.
  const buf = o.buf;
  let plain = true;
  for (let i = s0; i < o.pos; i++) {
    const c = buf[i]!;
    if (c < 0x20 || c === 0x22 || c === 0x5c || c >= 0x7f) {
      plain = false;
      break;
    }
  }
  if (plain) o.byte(0x22);
  else {
    const text = o.cut(s0);
    o.pos = s0 - 1; // over the opening quote
    o.str(JSON.stringify(text));
  }
  if (errors.length === 0) o.bytes(K_NO_ERRORS);
  else {
    o.bytes(K_ERRORS_OPEN);
    for (let i = 0; i < errors.length; i++) {
      if (i) o.byte(0x2c);
      o.str(JSON.stringify(errors[i]));
    }
    o.bytes(K_ERRORS_CLOSE);
  }
  return true;
}

function llc(o: TextOut, b: Uint8Array, p: number): void {
  const dsap = b[p]!;
  const ssap = b[p + 1]!;
  const c = b[p + 2]!;
  const n = (c & 3) === 3 ? 3 : 4;
  o.bytes(K_LLC_DSAP);
  o.uint(dsap);
  o.bytes(K_SSAP);
  o.uint(ssap);
  o.bytes(K_CONTROL);
  o.uint(n === 3 ? c : u16(b, p + 2));
  if (dsap === 0xaa && ssap === 0xaa) {
    o.bytes(K_OUI);
    o.uint(u32(b, p + n - 1) & 0xffffff);
    o.bytes(K_TYPE);
    o.uint(u16(b, p + n + 3));
  }
  o.byte(0x7d);
}

function arp(o: TextOut, b: Uint8Array, p: number): void {
  o.bytes(K_ARP_HTYPE);
  o.uint(u16(b, p));
  o.bytes(K_PTYPE);
  o.uint(u16(b, p + 2));
  o.bytes(K_OP);
  o.uint(u16(b, p + 6));
  o.bytes(K_SHA_S);
  o.mac(b, p + 8);
  o.bytes(K_SPA_Q_S);
  o.ip4At(b, p + 14);
  o.bytes(K_THA_Q_S);
  o.mac(b, p + 18);
  o.bytes(K_TPA_Q_S);
  o.ip4At(b, p + 24);
  o.bytes(K_STRING_CLOSE);
}

function ipv4(o: TextOut, d: Dissection, b: Uint8Array, off: number): boolean {
  const hl = d.ipHdrLen;
  const ff = u16(b, off + 6);
  o.bytes(K_IPV4_SRC_S);
  o.ip4(d.ip4Src);
  o.bytes(K_DST_Q_S);
  o.ip4(d.ip4Dst);
  o.bytes(K_HDR_LEN_Q);
  o.uint(hl);
  o.bytes(K_TOS);
  o.uint(d.tos);
  o.bytes(K_TOTAL_LENGTH);
  o.uint(d.ipLen);
  o.bytes(K_ID);
  o.uint(d.ipId);
  o.bytes(K_DF);
  bool(o, (ff & 0x4000) !== 0);
  o.bytes(K_MF);
  bool(o, (ff & 0x2000) !== 0);
  o.bytes(K_FRAG_OFFSET);
  o.uint(ff & 0x1fff);
  o.bytes(K_TTL);
  o.uint(d.ttl);
  o.bytes(K_PROTO);
  o.uint(d.proto);
  o.bytes(K_CHECKSUM);
  o.uint(u16(b, off + 10));
  o.bytes(K_CHECKSUM_OK);
  bool(o, ipv4HeaderChecksumOk(b, off, hl));
  o.byte(0x7d);
  if (d.err !== '') errors.push(d.err); // the total length past the end (see eligible())
  if (d.fragOff !== 0) return true;
  const segLen = d.ipEnd - (off + hl);
  const complete = !d.mf && d.ipEnd <= b.length;
  const pseudo = complete ? pseudoSumV4(d.ip4Src, d.ip4Dst, d.proto, segLen) : 0;
  return transport(o, d, b, off + hl, segLen, complete, pseudo, false);
}

function ipv6(o: TextOut, d: Dissection, b: Uint8Array, off: number): boolean {
  const w0 = b[off]!;
  const w1 = b[off + 1]!;
  o.bytes(K_IPV6_SRC_S);
  o.ip6(b, off + 8);
  o.bytes(K_DST_Q_S);
  o.ip6(b, off + 24);
  o.bytes(K_NXT_Q);
  o.uint(b[off + 6]!);
  o.bytes(K_PLEN);
  o.uint(d.ipLen - 40);
  o.bytes(K_HLIM);
  o.uint(d.ttl);
  o.bytes(K_TCLASS);
  o.uint(((w0 & 15) << 4) | (w1 >> 4));
  o.bytes(K_FLOW);
  o.uint(((w1 & 15) << 16) | u16(b, off + 2));
  o.byte(0x7d);
  if (b[off + 6] === 44) {
    const f = off + 40;
    const w = u16(b, f + 2);
    o.bytes(K_IPV6_FRAGHDR_NXT);
    o.uint(b[f]!);
    o.bytes(K_OFFSET);
    o.uint(w >>> 3);
    o.bytes(K_MORE);
    bool(o, (w & 1) !== 0);
    o.bytes(K_IDENT);
    o.uint(u32(b, f + 4));
    o.byte(0x7d);
    if (w >>> 3 !== 0) return true;
    // A first fragment: the transport header is there, its checksum cannot be verified.
    return transport(o, d, b, f + 8, d.ipEnd - (f + 8), false, 0, true);
  }
  const segLen = d.ipEnd - (off + 40);
  const pseudo = pseudoSumV6(b, off + 8, b, off + 24, d.proto, segLen);
  return transport(o, d, b, off + 40, segLen, true, pseudo, true);
}

function transport(
  o: TextOut,
  d: Dissection,
  b: Uint8Array,
  off: number,
  segLen: number,
  complete: boolean,
  pseudo: number,
  v6: boolean,
): boolean {
  switch (d.proto) {
    case 6: {
      const hl = d.tcpHdrLen;
      let options = '[]';
      if (hl > 20) {
        const limit = Error.stackTraceLimit;
        Error.stackTraceLimit = 0; // nobody sees the stack of an option list that does not decode
        try {
          options = JSON.stringify(
            decodeTcpOptions(b.subarray(off + 20, off + hl), off + 20).map(optionJson),
          );
        } catch (e) {
          // As layers.ts reports it: an empty list and the problem in `errors`.
          if (!(e instanceof DecodeError)) return false;
          errors.push(problem('tcp', e, off + hl));
        } finally {
          Error.stackTraceLimit = limit;
        }
      }
      o.bytes(K_TCP_SPORT);
      o.uint(d.sport);
      o.bytes(K_DPORT);
      o.uint(d.dport);
      o.bytes(K_SEQ);
      o.uint(d.tcpSeq);
      o.bytes(K_ACK);
      o.uint(d.tcpAck);
      o.bytes(K_FLAGS);
      o.uint(d.tcpFlags);
      o.bytes(K_WINDOW);
      o.uint(d.tcpWin);
      o.bytes(K_HDR_LEN);
      o.uint(hl);
      o.bytes(K_PAYLOAD_LEN);
      o.uint(Math.max(0, segLen - hl));
      o.bytes(K_URG);
      o.uint(d.tcpUrg);
      o.bytes(K_CHECKSUM);
      o.uint(u16(b, off + 16));
      o.bytes(K_CHECKSUM_OK);
      okValue(o, complete ? transportChecksumOk(pseudo, b, off, segLen) : null);
      o.bytes(K_OPTIONS);
      o.str(options);
      o.byte(0x7d);
      return true;
    }
    case 17: {
      const length = d.udpLen;
      const checksum = u16(b, off + 6);
      let ok: boolean | null = null;
      if (complete && !(checksum === 0 && !v6))
        ok = transportChecksumOk(pseudo - segLen + length, b, off, length);
      const dns = d.sport === 53 || d.dport === 53 || d.sport === 5353 || d.dport === 5353;
      let qname = 'null';
      let s: ReturnType<typeof decodeDnsSummary> | undefined;
      if (dns) {
        try {
          s = decodeDnsSummary(b, off + 8, Math.min(b.length, off + Math.min(length, segLen)));
        } catch {
          return false;
        }
        if (s.qname !== undefined) qname = JSON.stringify(s.qname);
      }
      o.bytes(K_UDP_SPORT);
      o.uint(d.sport);
      o.bytes(K_DPORT);
      o.uint(d.dport);
      o.bytes(K_LENGTH);
      o.uint(length);
      o.bytes(K_CHECKSUM);
      o.uint(checksum);
      o.bytes(K_CHECKSUM_OK);
      okValue(o, ok);
      o.byte(0x7d);
      if (s !== undefined) {
        o.bytes(K_DNS_ID);
        o.uint(s.id);
        o.bytes(K_QR);
        bool(o, s.qr);
        o.bytes(K_OPCODE);
        o.uint(s.opcode);
        o.bytes(K_RCODE);
        o.uint(s.rcode);
        o.bytes(K_QDCOUNT);
        o.uint(s.qdcount);
        o.bytes(K_ANCOUNT);
        o.uint(s.ancount);
        o.bytes(K_QNAME);
        o.str(qname);
        o.byte(0x7d);
      }
      return true;
    }
    case 1:
    case 58: {
      const type = d.icmpType;
      let ok: boolean | null = null;
      if (complete) {
        if (d.proto === 1) {
          let sum = onesSum(b, off, segLen);
          while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
          ok = sum === 0xffff;
        } else ok = transportChecksumOk(pseudo, b, off, segLen);
      }
      o.bytes(d.proto === 1 ? K_ICMP_TYPE : K_ICMPV6_TYPE);
      o.uint(type);
      o.bytes(K_CODE);
      o.uint(d.icmpCode);
      o.bytes(K_CHECKSUM);
      o.uint(u16(b, off + 2));
      o.bytes(K_CHECKSUM_OK);
      okValue(o, ok);
      if (
        off + 8 <= Math.min(b.length, d.ipEnd) &&
        ((d.proto === 1 && (type === 0 || type === 8)) || (d.proto === 58 && (type === 128 || type === 129)))
      ) {
        o.bytes(K_ID);
        o.uint(u16(b, off + 4));
        o.bytes(K_SEQ);
        o.uint(u16(b, off + 6));
      }
      o.byte(0x7d);
      if (d.proto === 1 && quotesIcmp(type) && off + 8 < Math.min(b.length, d.ipEnd))
        return quotedIpv4(o, b, off + 8);
      return true;
    }
    default:
      return true;
  }
}

const EMBEDDED = ascii(',"embedded":true}');

/** What was quoted of an IPv4 header that does not decode, field by field as layers.ts keeps it. */
function quotedIpv4Fields(o: TextOut, b: Uint8Array, off: number, end: number): void {
  const has = (n: number) => off + n <= end;
  o.bytes(K_IPV4_OPEN);
  if (has(1)) {
    o.bytes(K_HDR_LEN);
    o.uint((b[off]! & 15) * 4);
  }
  if (has(2)) {
    o.bytes(K_TOS);
    o.uint(b[off + 1]!);
  }
  if (has(4)) {
    o.bytes(K_TOTAL_LENGTH);
    o.uint(u16(b, off + 2));
  }
  if (has(6)) {
    o.bytes(K_ID);
    o.uint(u16(b, off + 4));
  }
  if (has(8)) {
    const ff = u16(b, off + 6);
    o.bytes(K_DF);
    bool(o, (ff & 0x4000) !== 0);
    o.bytes(K_MF);
    bool(o, (ff & 0x2000) !== 0);
    o.bytes(K_FRAG_OFFSET);
    o.uint(ff & 0x1fff);
  }
  if (has(9)) {
    o.bytes(K_TTL);
    o.uint(b[off + 8]!);
  }
  if (has(10)) {
    o.bytes(K_PROTO);
    o.uint(b[off + 9]!);
  }
  if (has(12)) {
    o.bytes(K_CHECKSUM);
    o.uint(u16(b, off + 10));
  }
  if (has(16)) {
    o.bytes(K_SRC_S);
    o.ip4At(b, off + 12);
    o.byte(0x22);
  }
  if (has(20)) {
    o.bytes(K_DST_S);
    o.ip4At(b, off + 16);
    o.byte(0x22);
  }
  o.bytes(EMBEDDED);
}

/** The IPv4 header quoted in an ICMP error and the start of what it carried, marked embedded. */
function quotedIpv4(o: TextOut, b: Uint8Array, off: number): boolean {
  const end = b.length;
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    checkIpv4(b, off, end);
  } catch (e) {
    if (!(e instanceof DecodeError)) return false;
    quotedIpv4Fields(o, b, off, end);
    errors.push(problem('ipv4', e, end));
    return true;
  } finally {
    Error.stackTraceLimit = limit;
  }
  const hl = (b[off]! & 15) * 4;
  const total = u16(b, off + 2);
  const ff = u16(b, off + 6);
  const proto = b[off + 9]!;
  o.bytes(K_IPV4_SRC_S);
  o.ip4At(b, off + 12);
  o.bytes(K_DST_Q_S);
  o.ip4At(b, off + 16);
  o.bytes(K_HDR_LEN_Q);
  o.uint(hl);
  o.bytes(K_TOS);
  o.uint(b[off + 1]!);
  o.bytes(K_TOTAL_LENGTH);
  o.uint(total);
  o.bytes(K_ID);
  o.uint(u16(b, off + 4));
  o.bytes(K_DF);
  bool(o, (ff & 0x4000) !== 0);
  o.bytes(K_MF);
  bool(o, (ff & 0x2000) !== 0);
  o.bytes(K_FRAG_OFFSET);
  o.uint(ff & 0x1fff);
  o.bytes(K_TTL);
  o.uint(b[off + 8]!);
  o.bytes(K_PROTO);
  o.uint(proto);
  o.bytes(K_CHECKSUM);
  o.uint(u16(b, off + 10));
  o.bytes(K_CHECKSUM_OK);
  bool(o, ipv4HeaderChecksumOk(b, off, hl));
  o.bytes(EMBEDDED);
  if ((ff & 0x1fff) !== 0) return true;
  const ipEnd = off + total;
  const lim = Math.min(end, ipEnd);
  const segLen = ipEnd - (off + hl);
  const t = off + hl;
  switch (proto) {
    case 6: {
      const thl = t + 13 <= lim ? (b[t + 12]! >> 4) * 4 : 0;
      if (t + 20 > lim || thl < 20 || t + thl > lim) {
        // What the error quoted of the TCP header (usually its first 8 bytes).
        o.bytes(K_TCP_OPEN);
        if (t + 4 <= lim) {
          o.bytes(K_SPORT);
          o.uint(u16(b, t));
          o.bytes(K_DPORT);
          o.uint(u16(b, t + 2));
        }
        if (t + 8 <= lim) {
          o.bytes(K_SEQ);
          o.uint(u32(b, t + 4));
        }
        if (t + 12 <= lim) {
          o.bytes(K_ACK);
          o.uint(u32(b, t + 8));
        }
        if (t + 14 <= lim) {
          o.bytes(K_FLAGS);
          o.uint(((b[t + 12]! & 0x0f) << 8) | b[t + 13]!);
        }
        o.bytes(EMBEDDED);
        return true;
      }
      if (thl > 20) return false; // a quoted option list: the general path
      o.bytes(K_TCP_SPORT);
      o.uint(u16(b, t));
      o.bytes(K_DPORT);
      o.uint(u16(b, t + 2));
      o.bytes(K_SEQ);
      o.uint(u32(b, t + 4));
      o.bytes(K_ACK);
      o.uint(u32(b, t + 8));
      o.bytes(K_FLAGS);
      o.uint(((b[t + 12]! & 0x0f) << 8) | b[t + 13]!);
      o.bytes(K_WINDOW);
      o.uint(u16(b, t + 14));
      o.bytes(K_HDR_LEN);
      o.uint(thl);
      o.bytes(K_PAYLOAD_LEN);
      o.uint(Math.max(0, segLen - thl));
      o.bytes(K_URG);
      o.uint(u16(b, t + 18));
      o.bytes(K_CHECKSUM);
      o.uint(u16(b, t + 16));
      o.bytes(K_CHECKSUM_OK_NULL_OPTIONS);
      o.bytes(EMBEDDED);
      return true;
    }
    case 17: {
      if (t + 8 > lim) {
        o.bytes(K_UDP_OPEN);
        if (t + 4 <= lim) {
          o.bytes(K_SPORT);
          o.uint(u16(b, t));
          o.bytes(K_DPORT);
          o.uint(u16(b, t + 2));
        }
        o.bytes(EMBEDDED);
        return true;
      }
      const length = u16(b, t + 4);
      if (length < 8) return false; // reported in `errors`: the general path
      o.bytes(K_UDP_SPORT);
      o.uint(u16(b, t));
      o.bytes(K_DPORT);
      o.uint(u16(b, t + 2));
      o.bytes(K_LENGTH);
      o.uint(length);
      o.bytes(K_CHECKSUM);
      o.uint(u16(b, t + 6));
      o.bytes(K_CHECKSUM_OK_NULL);
      o.bytes(EMBEDDED);
      return true;
    }
    case 1:
    case 58: {
      o.bytes(proto === 1 ? K_ICMP_OPEN : K_ICMPV6_OPEN);
      if (t + 4 <= lim) {
        const type = b[t]!;
        o.bytes(K_TYPE);
        o.uint(type);
        o.bytes(K_CODE);
        o.uint(b[t + 1]!);
        o.bytes(K_CHECKSUM);
        o.uint(u16(b, t + 2));
        o.bytes(K_CHECKSUM_OK_NULL);
        if (
          t + 8 <= lim &&
          ((proto === 1 && (type === 0 || type === 8)) || (proto === 58 && (type === 128 || type === 129)))
        ) {
          o.bytes(K_ID);
          o.uint(u16(b, t + 4));
          o.bytes(K_SEQ);
          o.uint(u16(b, t + 6));
        }
      }
      o.bytes(EMBEDDED);
      return true;
    }
    default:
      return true;
  }
}
