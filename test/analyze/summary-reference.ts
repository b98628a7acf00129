// The reference for src/analyze/summary.ts: the string-building summary formatter as it was before
// the byte writer (TextOut) replaced it, kept verbatim so that tests can check the writer prints
// every line byte for byte the same. Not used by src/.

import {
  type Dissection,
  L2_ETH,
  L2_UNKNOWN,
  NET_ARP,
  NET_IP4,
  NET_IP6,
  NET_OTHER,
} from '../../src/analyze/dissect.js';
import { formatIPv4, formatIPv6, formatMac, readMac } from '../../src/core/bytes.js';
import { decodeDns, decodeDnsSummary, dnsTypeName } from '../../src/wire/dns.js';

const u16 = (b: Uint8Array, o: number) => (b[o]! << 8) | b[o + 1]!;
const u32 = (b: Uint8Array, o: number) =>
  b[o]! * 16777216 + ((b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!);

let lastSec = Number.NaN;
let lastPrefix = '';
const PAD6 = ['000000', '00000', '0000', '000', '00', '0', ''];

/** "HH:MM:SS.uuuuuu" in UTC (tcpdump prints local time; set TZ=UTC to compare). */
export function clockTime(sec: number, nsec: number): string {
  if (sec !== lastSec) {
    let s = sec % 86400;
    if (s < 0) s += 86400;
    const h = (s / 3600) | 0;
    const m = ((s % 3600) / 60) | 0;
    const x = s % 60;
    lastPrefix = `${h < 10 ? '0' : ''}${h}:${m < 10 ? '0' : ''}${m}:${x < 10 ? '0' : ''}${x}.`;
    lastSec = sec;
  }
  const us = String((nsec / 1000) | 0);
  return lastPrefix + PAD6[us.length] + us;
}

const groups = new Int32Array(8);

/** RFC 5952 text of 16 bytes at `o` (as src/core/bytes formatIPv6), without temporary arrays. */
export function fastIPv6(b: Uint8Array, o: number): string {
  for (let i = 0; i < 8; i++) groups[i] = (b[o + 2 * i]! << 8) | b[o + 2 * i + 1]!;
  if (
    groups[0] === 0 &&
    groups[1] === 0 &&
    groups[2] === 0 &&
    groups[3] === 0 &&
    groups[4] === 0 &&
    groups[5] === 0xffff
  )
    return formatIPv6(b, o);
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      out += '::';
      i += bestLen - 1;
      continue;
    }
    if (out !== '' && !out.endsWith(':')) out += ':';
    out += groups[i]!.toString(16);
  }
  return out;
}

const MAX_TCP_CONVERSATIONS = 65536;

/**
 * tcpdump prints sequence numbers relative to the first ACK-bearing segment of a connection
 * (both directions share one entry; a SYN starts it again). This holds that state, bounded.
 */
export class SummaryState {
  private seqs = new Map<string, { seq: number; ack: number }>();
  /** Print absolute sequence numbers (tcpdump -S). */
  absolute = false;
  /** The numbers to print, set by relative()/relative4() (no tuple allocated per packet). */
  seq = 0;
  ack = 0;

  /** [seq, ack] as tcpdump prints them for an ACK-bearing segment. */
  relative(d: Dissection, srcKey: string, dstKey: string): void {
    const fwd = srcKey < dstKey;
    this.lookup(d, fwd ? `${srcKey}|${dstKey}` : `${dstKey}|${srcKey}`, fwd);
  }

  /** The same for IPv4, keyed by numbers (address·65536 + port is exact in a double). */
  relative4(d: Dissection): void {
    const a = d.ip4Src * 65536 + d.sport;
    const b = d.ip4Dst * 65536 + d.dport;
    const fwd = a < b;
    let inner = this.seqs4.get(fwd ? a : b);
    if (inner === undefined) {
      if (this.seqs4.size >= MAX_TCP_CONVERSATIONS) this.seqs4.clear();
      inner = new Map();
      this.seqs4.set(fwd ? a : b, inner);
    }
    this.update(d, inner, fwd ? b : a, fwd);
  }

  private seqs4 = new Map<number, Map<number, { seq: number; ack: number }>>();

  private lookup(d: Dissection, key: string, fwd: boolean): void {
    this.update(d, this.seqs, key, fwd);
  }

  private update<K>(d: Dissection, m: Map<K, { seq: number; ack: number }>, key: K, fwd: boolean): void {
    const e = m.get(key);
    if (e === undefined || (d.tcpFlags & 2) !== 0) {
      if (m.size >= MAX_TCP_CONVERSATIONS) m.clear();
      const ackm1 = (d.tcpAck - 1) >>> 0;
      m.set(key, fwd ? { seq: d.tcpSeq, ack: ackm1 } : { seq: ackm1, ack: d.tcpSeq });
      this.seq = d.tcpSeq;
      this.ack = d.tcpAck;
    } else if (fwd) {
      this.seq = (d.tcpSeq - e.seq) >>> 0;
      this.ack = (d.tcpAck - e.ack) >>> 0;
    } else {
      this.seq = (d.tcpSeq - e.ack) >>> 0;
      this.ack = (d.tcpAck - e.seq) >>> 0;
    }
  }
}

function tcpFlagsText(f: number): string {
  let s = '';
  if (f & 0x01) s += 'F';
  if (f & 0x02) s += 'S';
  if (f & 0x04) s += 'R';
  if (f & 0x08) s += 'P';
  if (f & 0x20) s += 'U';
  if (f & 0x40) s += 'E';
  if (f & 0x80) s += 'W';
  if (f & 0x10) s += '.';
  return s === '' ? 'none' : s;
}

/** "Flags [S.]" for each of the 256 low flag combinations, built once. */
const FLAGS_TEXT = Array.from({ length: 256 }, (_, f) => `Flags [${tcpFlagsText(f)}]`);

/** tcpdump's option list: "mss 1460,nop,nop,sackOK,nop,wscale 7" (unknown kinds as "optN"). */
export function tcpOptionsText(b: Uint8Array, off: number, end: number): string {
  const parts: string[] = [];
  let p = off;
  while (p < end) {
    const k = b[p]!;
    if (k === 0) {
      parts.push('eol');
      break;
    }
    if (k === 1) {
      parts.push('nop');
      p++;
      continue;
    }
    if (p + 2 > end) return `${parts.join(',')}${parts.length ? ',' : ''}[bad opt]`;
    const l = b[p + 1]!;
    if (l < 2 || p + l > end) return `${parts.join(',')}${parts.length ? ',' : ''}[bad opt]`;
    if (k === 2 && l === 4) parts.push(`mss ${u16(b, p + 2)}`);
    else if (k === 3 && l === 3) parts.push(`wscale ${b[p + 2]}`);
    else if (k === 4 && l === 2) parts.push('sackOK');
    else if (k === 8 && l === 10) parts.push(`TS val ${u32(b, p + 2)} ecr ${u32(b, p + 6)}`);
    else if (k === 5 && (l - 2) % 8 === 0) {
      const blocks: string[] = [];
      for (let q = p + 2; q < p + l; q += 8) blocks.push(`{${u32(b, q)}:${u32(b, q + 4)}}`);
      parts.push(`sack ${blocks.length} ${blocks.join('')}`);
    } else if (k === 34)
      parts.push(
        l === 2 ? 'tfo  cookiereq' : `tfo  cookie ${Buffer.from(b.subarray(p + 2, p + l)).toString('hex')}`,
      );
    else parts.push(`opt-${k}:${Buffer.from(b.subarray(p + 2, p + l)).toString('hex')}`);
    p += l;
  }
  return parts.join(',');
}

const ICMP_UNREACH = ['net', 'host', 'protocol', 'port'];

function icmpText(d: Dissection, b: Uint8Array): string {
  const o = d.l4Off;
  const ipLen = d.ipEnd - o;
  const end = Math.min(b.length, d.ipEnd);
  const t = d.icmpType;
  switch (t) {
    case 0:
    case 8: {
      const idseq = o + 8 <= end ? `, id ${u16(b, o + 4)}, seq ${u16(b, o + 6)}` : '';
      return `ICMP echo ${t === 8 ? 'request' : 'reply'}${idseq}, length ${ipLen}`;
    }
    case 3: {
      // The quoted datagram: its header names the destination and, for port unreachable, the port.
      const q = o + 8;
      if (q + 20 <= end && b[q]! >> 4 === 4) {
        const qhl = (b[q]! & 15) * 4;
        const qdst = formatIPv4(u32(b, q + 16));
        const qp = b[q + 9]!;
        if (d.icmpCode === 3 && q + qhl + 4 <= end && (qp === 6 || qp === 17))
          return `ICMP ${qdst} ${qp === 6 ? 'tcp' : 'udp'} port ${u16(b, q + qhl + 2)} unreachable, length ${ipLen}`;
        if (d.icmpCode === 2) return `ICMP ${qdst} protocol ${qp} unreachable, length ${ipLen}`;
        if (d.icmpCode === 4)
          return `ICMP ${qdst} unreachable - need to frag (mtu ${u16(b, o + 6)}), length ${ipLen}`;
        if (d.icmpCode < 2) return `ICMP ${ICMP_UNREACH[d.icmpCode]} ${qdst} unreachable, length ${ipLen}`;
      }
      return `ICMP unreachable code ${d.icmpCode}, length ${ipLen}`;
    }
    case 11:
      return `ICMP time exceeded ${d.icmpCode === 0 ? 'in-transit' : 'ip reassembly'}, length ${ipLen}`;
    case 5:
      return `ICMP redirect, length ${ipLen}`;
    case 12:
      return `ICMP parameter problem, length ${ipLen}`;
    case 13:
    case 14:
      return `ICMP time stamp ${t === 13 ? 'query' : 'reply'}, length ${ipLen}`;
    default:
      return `ICMP type-#${t}, length ${ipLen}`;
  }
}

const ICMP6_NAMES: Record<number, string> = {
  1: 'destination unreachable',
  2: 'packet too big',
  3: 'time exceeded in-transit',
  4: 'parameter problem',
  128: 'echo request',
  129: 'echo reply',
  130: 'multicast listener query',
  131: 'multicast listener report',
  132: 'multicast listener done',
  133: 'router solicitation',
  134: 'router advertisement',
  135: 'neighbor solicitation',
  136: 'neighbor advertisement',
  137: 'redirect',
  143: 'multicast listener report v2',
};

function icmp6Text(d: Dissection, b: Uint8Array): string {
  const o = d.l4Off;
  const plen = d.ipEnd - o;
  const end = Math.min(b.length, d.ipEnd);
  const t = d.icmpType;
  const name = ICMP6_NAMES[t] ?? `icmp6 type ${t}`;
  if ((t === 128 || t === 129) && o + 8 <= end)
    return `ICMP6, ${name}, id ${u16(b, o + 4)}, seq ${u16(b, o + 6)}, length ${plen}`;
  if (t === 135 && o + 24 <= end) return `ICMP6, ${name}, who has ${formatIPv6(b, o + 8)}, length ${plen}`;
  if (t === 136 && o + 24 <= end) return `ICMP6, ${name}, tgt is ${formatIPv6(b, o + 8)}, length ${plen}`;
  return `ICMP6, ${name}, length ${plen}`;
}

const RCODES = [
  '',
  ' FormErr',
  ' ServFail',
  ' NXDomain',
  ' NotImp',
  ' Refused',
  ' YXDomain',
  ' YXRRSet',
  ' NXRRSet',
  ' NotAuth',
  ' NotZone',
];

/** tcpdump's DNS line: "22836+ A? www.example.com. (33)" / "22836 1/0/0 A 93.184.216.34 (49)". */
export function dnsText(b: Uint8Array, off: number, end: number): string {
  const len = end - off;
  try {
    if (off + 12 > end) return `[|domain]`;
    const qr = (b[off + 2]! & 0x80) !== 0;
    if (!qr) {
      const s = decodeDnsSummary(b, off, end);
      let t = `${s.id}${s.rd ? '+' : ''}${s.tc ? '|' : ''}`;
      if (s.opcode !== 0) t += ` op${s.opcode}`;
      // Section counts other than one question, as tcpdump notes them.
      if (s.qdcount !== 1) t += ` [${s.qdcount}q]`;
      if (s.ancount) t += ` [${s.ancount}a]`;
      if (s.nscount) t += ` [${s.nscount}n]`;
      if (s.arcount) t += ` [${s.arcount}au]`;
      if (s.qname !== undefined) t += ` ${dnsTypeName(s.qtype)}? ${s.qname === '' ? '.' : `${s.qname}.`}`;
      return `${t} (${len})`;
    }
    const m = decodeDns(b, off, end);
    let t = `${m.id}${m.aa ? '*' : ''}${m.ra ? '' : '-'}${m.tc ? '|' : ''}${m.ad ? '$' : ''}${RCODES[m.rcode] ?? ` Resp${m.rcode}`}`;
    t += ` ${m.answers.length}/${m.authorities.length}/${m.additionals.length}`;
    const ans = m.answers.map((r) => {
      const data = r.data;
      let v: string;
      if (typeof data === 'string') v = r.type === 1 || r.type === 28 ? data : `${data}.`;
      else if (data instanceof Uint8Array) v = '';
      else if (Array.isArray(data)) v = data.map((x) => `"${Buffer.from(x).toString('latin1')}"`).join(' ');
      else if ('exchange' in data) v = `${data.exchange}. ${data.preference}`;
      else v = '';
      return ` ${dnsTypeName(r.type)}${v ? ` ${v}` : ''}`;
    });
    return `${t}${ans.join(',')} (${len})`;
  } catch {
    return `[|domain]`;
  }
}

function ports(d: Dissection): boolean {
  return d.sport >= 0;
}

function isDns(d: Dissection): boolean {
  return d.sport === 53 || d.dport === 53 || d.sport === 5353 || d.dport === 5353;
}

function etherName(t: number): string {
  switch (t) {
    case 0x88cc:
      return 'LLDP';
    case 0x8863:
    case 0x8864:
      return 'PPPoE';
    case 0x888e:
      return 'EAPOL';
    case 0x8847:
      return 'MPLS';
    default:
      return `ethertype 0x${t.toString(16).padStart(4, '0')}`;
  }
}

/** The summary after the timestamp, e.g. "IP 10.0.0.1.40000 > 10.0.0.2.80: Flags [S], seq 1, …". */
export function summaryText(d: Dissection, st: SummaryState): string {
  const b = d.data;
  if (d.l2 === L2_UNKNOWN) return `unknown link type ${d.linktype}, length ${d.len}`;
  if (d.net === NET_IP4 || d.net === NET_IP6) return ipText(d, b, st);
  if (d.net === NET_ARP) return arpText(d, b);
  if (d.net === NET_OTHER) {
    if (d.llc) return `802.3 LLC, length ${d.len - d.netOff}`;
    return `${etherName(d.etherType)}, length ${d.len - d.netOff}`;
  }
  return d.l2 === L2_ETH ? ' [|ether]' : ` [|${d.err.split(':')[0] ?? 'link'}]`;
}

function arpText(d: Dissection, b: Uint8Array): string {
  const o = d.netOff;
  const len = d.len - o;
  if (d.arpSpa < 0) return `ARP, [|arp]`;
  const hln = b[o + 4]!;
  const spa = formatIPv4(d.arpSpa);
  const tpa = formatIPv4(d.arpTpa);
  switch (d.arpOp) {
    case 1:
      return `ARP, Request who-has ${tpa} tell ${spa}, length ${len}`;
    case 2:
      return `ARP, Reply ${spa} is-at ${hln === 6 ? formatMac(readMac(b, o + 8)) : '?'}, length ${len}`;
    case 3:
      return `RARP, Request who-is ${hln === 6 ? formatMac(readMac(b, o + 18)) : '?'} tell ${hln === 6 ? formatMac(readMac(b, o + 8)) : '?'}, length ${len}`;
    case 4:
      return `RARP, Reply ${hln === 6 ? formatMac(readMac(b, o + 18)) : '?'} at ${tpa}, length ${len}`;
    default:
      return `ARP, op ${d.arpOp}, length ${len}`;
  }
}

function ipText(d: Dissection, b: Uint8Array, st: SummaryState): string {
  const v6 = d.net === NET_IP6;
  if (d.ipHdrLen === 0) return `${v6 ? 'IP6' : 'IP'}  [|${v6 ? 'ip6' : 'ip'}]`;
  const src = v6 ? fastIPv6(b, d.ip6SrcOff) : formatIPv4(d.ip4Src);
  const dst = v6 ? fastIPv6(b, d.ip6DstOff) : formatIPv4(d.ip4Dst);
  const head = v6 ? 'IP6 ' : 'IP ';
  if (d.l4Off < 0) return `${head}${src} > ${dst}:  [|${v6 ? 'ip6' : 'ip'}]`;
  let frag6 = '';
  if (v6 && d.isFragment) {
    frag6 = `frag (${d.fragOff * 8}|${d.ipEnd - d.l4Off})`;
    if (d.fragOff !== 0) return `${head}${src} > ${dst}: ${frag6}`;
  } else if (!v6 && d.fragOff !== 0) {
    return `${head}${src} > ${dst}: ${protoName(d.proto)}`;
  }
  const tail = l4Text(d, b, st, src, dst);
  if (frag6) {
    // tcpdump names ports without addresses after an IPv6 fragment header.
    if (ports(d)) return `${head}${src} > ${dst}: ${frag6} ${d.sport} > ${d.dport}: ${tail}`;
    return `${head}${src} > ${dst}: ${frag6} ${tail}`;
  }
  if (ports(d)) return `${head}${src}.${d.sport} > ${dst}.${d.dport}: ${tail}`;
  return `${head}${src} > ${dst}: ${tail}`;
}

function protoName(p: number): string {
  return `ip-proto-${p}`;
}

function l4Text(d: Dissection, b: Uint8Array, st: SummaryState, src: string, dst: string): string {
  const o = d.l4Off;
  const capEnd = Math.min(b.length, d.ipEnd);
  switch (d.proto) {
    case 6: {
      if (d.tcpHdrLen === 0 || o + d.tcpHdrLen > capEnd) return ' [|tcp]';
      const plen = d.ipEnd - o - d.tcpHdrLen;
      const f = d.tcpFlags;
      let seq = d.tcpSeq;
      let ack = d.tcpAck;
      if (!st.absolute && (f & 0x10) !== 0) {
        if (d.net === NET_IP4) st.relative4(d);
        else st.relative(d, `${src}.${d.sport}`, `${dst}.${d.dport}`);
        seq = st.seq;
        ack = st.ack;
      }
      let s = FLAGS_TEXT[f & 0xff]!;
      if (plen > 0 || (f & 0x07) !== 0) s += plen > 0 ? `, seq ${seq}:${(seq + plen) >>> 0}` : `, seq ${seq}`;
      if (f & 0x10) s += `, ack ${ack}`;
      s += `, win ${d.tcpWin}`;
      if (f & 0x20) s += `, urg ${d.tcpUrg}`;
      if (d.tcpHdrLen > 20) {
        const opts = tcpOptionsText(b, o + 20, o + d.tcpHdrLen);
        s += `, options [${opts}]`;
        if (opts.endsWith('[bad opt]')) return s;
      }
      s += `, length ${plen}`;
      // tcpdump separates DNS over TCP from the length by a space only.
      if (plen > 0 && isDns(d) && o + d.tcpHdrLen + 2 <= capEnd)
        s += ` ${dnsText(b, o + d.tcpHdrLen + 2, capEnd)}`;
      return s;
    }
    case 17:
      if (d.udpLen === 0) return ' [|udp]';
      if (isDns(d)) return dnsText(b, o + 8, Math.min(capEnd, o + d.udpLen));
      return `UDP, length ${d.udpLen - 8}`;
    case 1:
      if (d.icmpType < 0) return ' [|icmp]';
      return icmpText(d, b);
    case 58:
      if (d.icmpType < 0) return ' [|icmp6]';
      return icmp6Text(d, b);
    default:
      return `${protoName(d.proto)} ${d.ipEnd - o}`;
  }
}

/** The summary after the timestamp, plus the decode problem in brackets (as analyzer.ts's lineFor was). */
export function referenceLine(d: Dissection, st: SummaryState): string {
  let s: string;
  try {
    s = summaryText(d, st);
  } catch (e) {
    s = `[analyzer: ${(e as Error)?.message ?? String(e)}]`;
  }
  if (d.err !== '' && !s.includes('[|')) s += ` [${d.err}]`;
  return s;
}
