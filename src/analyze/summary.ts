// tcpdump -n style one-line summaries, from a Dissection (and the frame bytes for DNS, ICMP and TCP
// options), written as bytes into a TextOut (no string per field). The differences from tcpdump
// are listed in docs/protocols/analyze.md.

import { formatIPv6 } from '../core/bytes.js';
import { decodeDns, decodeDnsSummary, dnsTypeName, MAX_NAME_OCTETS } from '../wire/dns.js';
import { type Dissection, L2_ETH, L2_UNKNOWN, NET_ARP, NET_IP4, NET_IP6, NET_OTHER } from './dissect.js';
import { type Ascii, ascii, TextOut } from './text-out.js';

// The most frequent constant words, as bytes.
const B_IP = ascii('IP ');
const B_IP6 = ascii('IP6 ');
const B_GT = ascii(' > ');
const B_SEQ = ascii(', seq ');
const B_ACK = ascii(', ack ');
const B_WIN = ascii(', win ');
const B_LENGTH = ascii(', length ');
const B_UDP_LENGTH = ascii('UDP, length ');
const B_OPTIONS = ascii(', options [');
const B_ID = ascii(', id ');
const B_ECHO_REQUEST = ascii('ICMP echo request');
const B_ECHO_REPLY = ascii('ICMP echo reply');
const B_ICMP6 = ascii('ICMP6, ');
const B_WHO_HAS = ascii('ARP, Request who-has ');
const B_TELL = ascii(' tell ');
const B_REPLY = ascii('ARP, Reply ');
const B_IS_AT = ascii(' is-at ');

const u16 = (b: Uint8Array, o: number) => (b[o]! << 8) | b[o + 1]!;
const u32 = (b: Uint8Array, o: number) =>
  b[o]! * 16777216 + ((b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!);

let lastSec = Number.NaN;
let lastPrefix = '';
let lastPrefixBytes: Ascii = ascii('');
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
    lastPrefixBytes = ascii(lastPrefix);
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

/** Writes "HH:MM:SS.uuuuuu" (as clockTime). */
export function writeClock(o: TextOut, sec: number, nsec: number): void {
  if (sec !== lastSec) clockTime(sec, 0);
  o.bytes(lastPrefixBytes);
  const us = (nsec / 1000) | 0;
  if (us >= 0 && us < 1_000_000) o.pad6(us);
  else o.str(String(us));
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
const FLAGS_TEXT = Array.from({ length: 256 }, (_, f) => ascii(`Flags [${tcpFlagsText(f)}]`));

/**
 * tcpdump's option list: "mss 1460,nop,nop,sackOK,nop,wscale 7" (unknown kinds as "opt-K:hex").
 * Returns false when it ended in "[bad opt]".
 */
function writeTcpOptions(o: TextOut, b: Uint8Array, off: number, end: number): boolean {
  let p = off;
  let any = false;
  while (p < end) {
    const k = b[p]!;
    if (any) o.byte(44);
    any = true;
    if (k === 0) {
      o.str('eol');
      break;
    }
    if (k === 1) {
      o.str('nop');
      p++;
      continue;
    }
    const l = p + 2 > end ? 0 : b[p + 1]!;
    if (l < 2 || p + l > end) {
      o.str('[bad opt]');
      return false;
    }
    if (k === 2 && l === 4) {
      o.str('mss ');
      o.uint(u16(b, p + 2));
    } else if (k === 3 && l === 3) {
      o.str('wscale ');
      o.uint(b[p + 2]!);
    } else if (k === 4 && l === 2) o.str('sackOK');
    else if (k === 8 && l === 10) {
      o.str('TS val ');
      o.uint(u32(b, p + 2));
      o.str(' ecr ');
      o.uint(u32(b, p + 6));
    } else if (k === 5 && (l - 2) % 8 === 0) {
      o.str('sack ');
      o.uint((l - 2) / 8);
      o.byte(32);
      for (let q = p + 2; q < p + l; q += 8) {
        o.byte(123);
        o.uint(u32(b, q));
        o.byte(58);
        o.uint(u32(b, q + 4));
        o.byte(125);
      }
    } else if (k === 34) {
      if (l === 2) o.str('tfo  cookiereq');
      else {
        o.str('tfo  cookie ');
        o.hexBytes(b, p + 2, p + l);
      }
    } else {
      o.str('opt-');
      o.uint(k);
      o.byte(58);
      o.hexBytes(b, p + 2, p + l);
    }
    p += l;
  }
  return true;
}

const scratch = new TextOut(1024);

/** The option list as text (see writeTcpOptions). */
export function tcpOptionsText(b: Uint8Array, off: number, end: number): string {
  const start = scratch.pos;
  writeTcpOptions(scratch, b, off, end);
  return scratch.cut(start);
}

const ICMP_UNREACH = ['net', 'host', 'protocol', 'port'];

function lengthTail(o: TextOut, n: number): void {
  o.bytes(B_LENGTH);
  o.int(n);
}

function writeIcmp(o: TextOut, d: Dissection, b: Uint8Array): void {
  const off = d.l4Off;
  const ipLen = d.ipEnd - off;
  const end = Math.min(b.length, d.ipEnd);
  const t = d.icmpType;
  switch (t) {
    case 0:
    case 8: {
      o.bytes(t === 8 ? B_ECHO_REQUEST : B_ECHO_REPLY);
      if (off + 8 <= end) {
        o.bytes(B_ID);
        o.uint(u16(b, off + 4));
        o.bytes(B_SEQ);
        o.uint(u16(b, off + 6));
      }
      lengthTail(o, ipLen);
      return;
    }
    case 3: {
      // The quoted datagram: its header names the destination and, for port unreachable, the port.
      const q = off + 8;
      const code = d.icmpCode;
      if (q + 20 <= end && b[q]! >> 4 === 4) {
        const qhl = (b[q]! & 15) * 4;
        const qdst = u32(b, q + 16);
        const qp = b[q + 9]!;
        if (code === 3 && q + qhl + 4 <= end && (qp === 6 || qp === 17)) {
          o.str('ICMP ');
          o.ip4(qdst);
          o.str(qp === 6 ? ' tcp port ' : ' udp port ');
          o.uint(u16(b, q + qhl + 2));
          o.str(' unreachable');
          lengthTail(o, ipLen);
          return;
        }
        if (code === 2) {
          o.str('ICMP ');
          o.ip4(qdst);
          o.str(' protocol ');
          o.uint(qp);
          o.str(' unreachable');
          lengthTail(o, ipLen);
          return;
        }
        if (code === 4) {
          o.str('ICMP ');
          o.ip4(qdst);
          o.str(' unreachable - need to frag (mtu ');
          o.uint(u16(b, off + 6));
          o.byte(41);
          lengthTail(o, ipLen);
          return;
        }
        if (code < 2) {
          o.str('ICMP ');
          o.str(ICMP_UNREACH[code]!);
          o.byte(32);
          o.ip4(qdst);
          o.str(' unreachable');
          lengthTail(o, ipLen);
          return;
        }
      }
      o.str('ICMP unreachable code ');
      o.uint(code);
      lengthTail(o, ipLen);
      return;
    }
    case 11:
      o.str(d.icmpCode === 0 ? 'ICMP time exceeded in-transit' : 'ICMP time exceeded ip reassembly');
      break;
    case 5:
      o.str('ICMP redirect');
      break;
    case 12:
      o.str('ICMP parameter problem');
      break;
    case 13:
    case 14:
      o.str(t === 13 ? 'ICMP time stamp query' : 'ICMP time stamp reply');
      break;
    default:
      o.str('ICMP type-#');
      o.uint(t);
  }
  lengthTail(o, ipLen);
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

const ICMP6_BYTES: Record<number, Ascii> = Object.fromEntries(
  Object.entries(ICMP6_NAMES).map(([k, v]) => [k, ascii(v)]),
);

function writeIcmp6(o: TextOut, d: Dissection, b: Uint8Array): void {
  const off = d.l4Off;
  const plen = d.ipEnd - off;
  const end = Math.min(b.length, d.ipEnd);
  const t = d.icmpType;
  o.bytes(B_ICMP6);
  const name = ICMP6_BYTES[t];
  if (name === undefined) {
    o.str('icmp6 type ');
    o.uint(t);
  } else o.bytes(name);
  if ((t === 128 || t === 129) && off + 8 <= end) {
    o.bytes(B_ID);
    o.uint(u16(b, off + 4));
    o.bytes(B_SEQ);
    o.uint(u16(b, off + 6));
  } else if ((t === 135 || t === 136) && off + 24 <= end) {
    o.str(t === 135 ? ', who has ' : ', tgt is ');
    o.ip6(b, off + 8);
  }
  lengthTail(o, plen);
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

/**
 * A DNS query's text (as dnsText) written straight into `o`: the header, and the question's name
 * walked as decodeName walks it (pointers only backwards, 255 octets at most). Responses, and any
 * message that does not decode, go through dnsText.
 */
function writeDns(o: TextOut, b: Uint8Array, off: number, end: number): void {
  if (off + 12 > end || (b[off + 2]! & 0x80) !== 0) {
    o.str(dnsText(b, off, end));
    return;
  }
  const start = o.pos;
  const f = u16(b, off + 2);
  const qdcount = u16(b, off + 4);
  o.uint(u16(b, off));
  if (f & 0x0100) o.byte(0x2b);
  if (f & 0x0200) o.byte(0x7c);
  const opcode = (f >>> 11) & 0xf;
  if (opcode !== 0) {
    o.str(' op');
    o.uint(opcode);
  }
  if (qdcount !== 1) {
    o.str(' [');
    o.uint(qdcount);
    o.str('q]');
  }
  count(o, u16(b, off + 6), 'a]');
  count(o, u16(b, off + 8), 'n]');
  count(o, u16(b, off + 10), 'au]');
  if (qdcount > 0) {
    // The type follows the name in the message and precedes it in the text: one walk to check the
    // name and find the type, one to write it.
    const next = walkName(b, off, end, undefined);
    if (next < 0 || next + 4 > end) {
      dnsFailed(o, start);
      return;
    }
    o.byte(32);
    o.str(dnsTypeName(u16(b, next)));
    o.str('? ');
    walkName(b, off, end, o);
    o.byte(0x2e);
  }
  o.str(' (');
  o.int(end - off);
  o.byte(0x29);
}

function count(o: TextOut, n: number, mark: string): void {
  if (n === 0) return;
  o.str(' [');
  o.uint(n);
  o.str(mark);
}

/**
 * Walks the question's name at off + 12 as decodeName does (pointers only backwards, 255 octets at
 * most), writing it to `o` if given ('.' for the root); returns the offset after it, or -1 where
 * decodeName would throw.
 */
function walkName(b: Uint8Array, off: number, end: number, o: TextOut | undefined): number {
  let p = off + 12;
  let next = -1;
  let limit = p;
  let octets = 1;
  let labels = 0;
  for (;;) {
    if (p + 1 > end) return -1;
    const len = b[p]!;
    if (len === 0) {
      if (next < 0) next = p + 1;
      break;
    }
    const kind = len & 0xc0;
    if (kind === 0xc0) {
      if (p + 2 > end) return -1;
      const target = off + (((len & 0x3f) << 8) | b[p + 1]!);
      if (next < 0) next = p + 2;
      if (target >= limit) return -1;
      limit = target;
      p = target;
      continue;
    }
    if (kind !== 0) return -1;
    octets += len + 1;
    if (octets > MAX_NAME_OCTETS || p + 1 + len > end) return -1;
    if (o !== undefined) {
      if (labels > 0) o.byte(0x2e);
      writeLabel(o, b, p + 1, len);
    }
    labels++;
    p += len + 1;
  }
  if (o !== undefined && labels === 0) o.byte(0x2e);
  return next;
}

function dnsFailed(o: TextOut, start: number): void {
  o.pos = start;
  o.str('[|domain]');
}

/** A label as decodeName shows it: `.` and `\` escaped, other non-printing bytes as \DDD. */
function writeLabel(o: TextOut, b: Uint8Array, p: number, len: number): void {
  for (let i = p; i < p + len; i++) {
    const c = b[i]!;
    if (c === 0x2e || c === 0x5c) {
      o.byte(0x5c);
      o.byte(c);
    } else if (c > 0x20 && c < 0x7f) o.byte(c);
    else {
      o.byte(0x5c);
      o.byte(48 + ((c / 100) | 0));
      o.byte(48 + (((c / 10) | 0) % 10));
      o.byte(48 + (c % 10));
    }
  }
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
export function writeSummary(o: TextOut, d: Dissection, st: SummaryState): void {
  const b = d.data;
  if (d.l2 === L2_UNKNOWN) {
    o.str('unknown link type ');
    o.int(d.linktype);
    lengthTail(o, d.len);
  } else if (d.net === NET_IP4 || d.net === NET_IP6) writeIp(o, d, b, st);
  else if (d.net === NET_ARP) writeArp(o, d, b);
  else if (d.net === NET_OTHER) {
    o.str(d.llc ? '802.3 LLC' : etherName(d.etherType));
    lengthTail(o, d.len - d.netOff);
  } else if (d.l2 === L2_ETH) o.str(' [|ether]');
  else {
    o.str(' [|');
    o.str(d.err.split(':')[0] ?? 'link');
    o.byte(93);
  }
}

/** The summary as a string (see writeSummary). */
export function summaryText(d: Dissection, st: SummaryState): string {
  const start = scratch.pos;
  try {
    writeSummary(scratch, d, st);
  } catch (e) {
    scratch.pos = start;
    throw e;
  }
  return scratch.cut(start);
}

/** Writes ARP's address of `hln` bytes at `at` as tcpdump does (a MAC, or '?' for other lengths). */
function arpHw(o: TextOut, b: Uint8Array, hln: number, at: number): void {
  if (hln === 6) o.mac(b, at);
  else o.byte(63);
}

function writeArp(o: TextOut, d: Dissection, b: Uint8Array): void {
  const off = d.netOff;
  const len = d.len - off;
  if (d.arpSpa < 0) {
    o.str('ARP, [|arp]');
    return;
  }
  const hln = b[off + 4]!;
  switch (d.arpOp) {
    case 1:
      o.bytes(B_WHO_HAS);
      o.ip4(d.arpTpa);
      o.bytes(B_TELL);
      o.ip4(d.arpSpa);
      break;
    case 2:
      o.bytes(B_REPLY);
      o.ip4(d.arpSpa);
      o.bytes(B_IS_AT);
      arpHw(o, b, hln, off + 8);
      break;
    case 3:
      o.str('RARP, Request who-is ');
      arpHw(o, b, hln, off + 18);
      o.str(' tell ');
      arpHw(o, b, hln, off + 8);
      break;
    case 4:
      o.str('RARP, Reply ');
      arpHw(o, b, hln, off + 18);
      o.str(' at ');
      o.ip4(d.arpTpa);
      break;
    default:
      o.str('ARP, op ');
      o.uint(d.arpOp);
  }
  lengthTail(o, len);
}

function writeAddr(o: TextOut, d: Dissection, b: Uint8Array, src: boolean): void {
  if (d.net === NET_IP6) o.ip6(b, src ? d.ip6SrcOff : d.ip6DstOff);
  else o.ip4(src ? d.ip4Src : d.ip4Dst);
}

function writeIp(o: TextOut, d: Dissection, b: Uint8Array, st: SummaryState): void {
  const v6 = d.net === NET_IP6;
  if (d.ipHdrLen === 0) {
    o.str(v6 ? 'IP6  [|ip6]' : 'IP  [|ip]');
    return;
  }
  o.bytes(v6 ? B_IP6 : B_IP);
  const ports = d.sport >= 0;
  const frag6 = v6 && d.isFragment;
  const noL4 = d.l4Off < 0 || (frag6 ? d.fragOff !== 0 : !v6 && d.fragOff !== 0);
  writeAddr(o, d, b, true);
  // Ports follow the addresses unless an IPv6 fragment header comes between.
  if (ports && !noL4 && !frag6) {
    o.byte(46);
    o.uint(d.sport);
  }
  o.bytes(B_GT);
  writeAddr(o, d, b, false);
  if (ports && !noL4 && !frag6) {
    o.byte(46);
    o.uint(d.dport);
  }
  o.byte(58);
  if (d.l4Off < 0) {
    o.str(v6 ? '  [|ip6]' : '  [|ip]');
    return;
  }
  o.byte(32);
  if (frag6) {
    o.str('frag (');
    o.uint(d.fragOff * 8);
    o.byte(124);
    o.int(d.ipEnd - d.l4Off);
    o.byte(41);
    if (d.fragOff !== 0) return;
    o.byte(32);
    // tcpdump names ports without addresses after an IPv6 fragment header.
    if (ports) {
      o.uint(d.sport);
      o.str(' > ');
      o.uint(d.dport);
      o.str(': ');
    }
  } else if (!v6 && d.fragOff !== 0) {
    o.str('ip-proto-');
    o.uint(d.proto);
    return;
  }
  writeL4(o, d, b, st);
}

function writeL4(o: TextOut, d: Dissection, b: Uint8Array, st: SummaryState): void {
  const off = d.l4Off;
  const capEnd = Math.min(b.length, d.ipEnd);
  switch (d.proto) {
    case 6: {
      if (d.tcpHdrLen === 0 || off + d.tcpHdrLen > capEnd) {
        o.str(' [|tcp]');
        return;
      }
      const plen = d.ipEnd - off - d.tcpHdrLen;
      const f = d.tcpFlags;
      let seq = d.tcpSeq;
      let ack = d.tcpAck;
      if (!st.absolute && (f & 0x10) !== 0) {
        if (d.net === NET_IP4) st.relative4(d);
        else
          st.relative(d, `${fastIPv6(b, d.ip6SrcOff)}.${d.sport}`, `${fastIPv6(b, d.ip6DstOff)}.${d.dport}`);
        seq = st.seq;
        ack = st.ack;
      }
      o.bytes(FLAGS_TEXT[f & 0xff]!);
      if (plen > 0) {
        o.bytes(B_SEQ);
        o.uint(seq);
        o.byte(58);
        o.uint((seq + plen) >>> 0);
      } else if ((f & 0x07) !== 0) {
        o.bytes(B_SEQ);
        o.uint(seq);
      }
      if (f & 0x10) {
        o.bytes(B_ACK);
        o.uint(ack);
      }
      o.bytes(B_WIN);
      o.uint(d.tcpWin);
      if (f & 0x20) {
        o.str(', urg ');
        o.uint(d.tcpUrg);
      }
      if (d.tcpHdrLen > 20) {
        o.bytes(B_OPTIONS);
        const ok = writeTcpOptions(o, b, off + 20, off + d.tcpHdrLen);
        o.byte(93);
        if (!ok) return;
      }
      lengthTail(o, plen);
      // tcpdump separates DNS over TCP from the length by a space only.
      if (plen > 0 && isDns(d) && off + d.tcpHdrLen + 2 <= capEnd) {
        o.byte(32);
        writeDns(o, b, off + d.tcpHdrLen + 2, capEnd);
      }
      return;
    }
    case 17:
      if (d.udpLen === 0) o.str(' [|udp]');
      else if (isDns(d)) writeDns(o, b, off + 8, Math.min(capEnd, off + d.udpLen));
      else {
        o.bytes(B_UDP_LENGTH);
        o.int(d.udpLen - 8);
      }
      return;
    case 1:
      if (d.icmpType < 0) o.str(' [|icmp]');
      else writeIcmp(o, d, b);
      return;
    case 58:
      if (d.icmpType < 0) o.str(' [|icmp6]');
      else writeIcmp6(o, d, b);
      return;
    default:
      o.str('ip-proto-');
      o.uint(d.proto);
      o.byte(32);
      o.int(d.ipEnd - off);
  }
}
