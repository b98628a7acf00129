// `netkit read --stats`: protocol hierarchy, conversations and top talkers, in bounded memory.

import { formatIPv4, formatIPv6 } from '../core/bytes.js';
import {
  type Dissection,
  L2_ETH,
  L2_NULL,
  L2_RAW,
  L2_SLL,
  L2_SLL2,
  NET_ARP,
  NET_IP4,
  NET_IP6,
  NET_OTHER,
} from './dissect.js';

/** Conversations and talkers beyond this many distinct keys are counted under "(other)". */
const MAX_KEYS = 100_000;

interface Count {
  packets: number;
  bytes: number;
}

function bump(m: Map<string, Count>, key: string, bytes: number): void {
  let c = m.get(key);
  if (c === undefined) {
    if (m.size >= MAX_KEYS) key = '(other)';
    c = m.get(key);
    if (c === undefined) {
      c = { packets: 0, bytes: 0 };
      m.set(key, c);
    }
  }
  c.packets++;
  c.bytes += bytes;
}

const PROTO: Record<number, string> = {
  1: 'icmp',
  6: 'tcp',
  17: 'udp',
  58: 'icmpv6',
  47: 'gre',
  50: 'esp',
  132: 'sctp',
};

export interface StatsReport {
  packets: number;
  bytes: number;
  hierarchy: { path: string; packets: number; bytes: number }[];
  conversations: { proto: string; a: string; b: string; packets: number; bytes: number }[];
  talkers: { address: string; packets: number; bytes: number }[];
  firstTs: number | undefined;
  lastTs: number | undefined;
}

export class Stats {
  packets = 0;
  bytes = 0;
  private hier = new Map<string, Count>();
  private conv = new Map<string, Count>();
  private talk = new Map<string, Count>();
  private first: number | undefined;
  private last: number | undefined;

  add(d: Dissection, ts: number): void {
    this.packets++;
    this.bytes += d.len;
    if (this.first === undefined) this.first = ts;
    this.last = ts;
    let path =
      d.l2 === L2_ETH
        ? 'eth'
        : d.l2 === L2_SLL
          ? 'linux_sll'
          : d.l2 === L2_SLL2
            ? 'linux_sll2'
            : d.l2 === L2_NULL
              ? 'null'
              : d.l2 === L2_RAW
                ? 'raw'
                : `linktype-${d.linktype}`;
    if (d.vlanCount > 0) path += '/vlan';
    let src = '';
    let dst = '';
    if (d.net === NET_IP4 || d.net === NET_IP6) {
      path += d.net === NET_IP4 ? '/ipv4' : '/ipv6';
      src =
        d.net === NET_IP4 ? formatIPv4(d.ip4Src) : d.ip6SrcOff >= 0 ? formatIPv6(d.data, d.ip6SrcOff) : '?';
      dst =
        d.net === NET_IP4 ? formatIPv4(d.ip4Dst) : d.ip6DstOff >= 0 ? formatIPv6(d.data, d.ip6DstOff) : '?';
      if (d.fragOff !== 0) path += '/fragment';
      else if (d.proto >= 0) {
        const name = PROTO[d.proto] ?? `proto-${d.proto}`;
        path += `/${name}`;
        if ((d.proto === 17 || d.proto === 6) && (d.sport === 53 || d.dport === 53)) path += '/dns';
      }
    } else if (d.net === NET_ARP) path += '/arp';
    else if (d.net === NET_OTHER)
      path += d.llc ? '/llc' : `/ethertype-0x${d.etherType.toString(16).padStart(4, '0')}`;
    // Every prefix of the path is a level of the hierarchy.
    let i = path.indexOf('/');
    while (i >= 0) {
      bump(this.hier, path.slice(0, i), d.len);
      i = path.indexOf('/', i + 1);
    }
    bump(this.hier, path, d.len);
    if (src) {
      const proto = PROTO[d.proto] ?? `proto-${d.proto}`;
      const a = d.sport >= 0 ? `${src}:${d.sport}` : src;
      const b = d.dport >= 0 ? `${dst}:${d.dport}` : dst;
      bump(this.conv, a < b ? `${proto} ${a} ${b}` : `${proto} ${b} ${a}`, d.len);
      bump(this.talk, src, d.len);
      if (dst !== src) bump(this.talk, dst, d.len);
    }
  }

  report(top = 10): StatsReport {
    const sorted = (m: Map<string, Count>) =>
      [...m.entries()].sort((x, y) => y[1].bytes - x[1].bytes || (x[0] < y[0] ? -1 : 1));
    return {
      packets: this.packets,
      bytes: this.bytes,
      hierarchy: [...this.hier.entries()]
        .sort((x, y) => (x[0] < y[0] ? -1 : 1))
        .map(([path, c]) => ({ path, ...c })),
      conversations: sorted(this.conv)
        .slice(0, top)
        .map(([k, c]) => {
          const [proto, a, b] = k.split(' ') as [string, string, string];
          return { proto, a: a ?? '', b: b ?? '', ...c };
        }),
      talkers: sorted(this.talk)
        .slice(0, top)
        .map(([address, c]) => ({ address, ...c })),
      firstTs: this.first,
      lastTs: this.last,
    };
  }
}

export function formatStats(r: StatsReport): string {
  const lines: string[] = [];
  const dur = r.firstTs !== undefined && r.lastTs !== undefined ? r.lastTs - r.firstTs : 0;
  lines.push(`${r.packets} packets, ${r.bytes} bytes, ${dur.toFixed(6)} s`);
  lines.push('', 'Protocol hierarchy:');
  for (const h of r.hierarchy) {
    const depth = h.path.split('/').length - 1;
    const name = h.path.split('/').pop()!;
    const pct = r.packets ? ((100 * h.packets) / r.packets).toFixed(1) : '0.0';
    lines.push(
      `  ${'  '.repeat(depth)}${name.padEnd(24 - 2 * depth)} ${String(h.packets).padStart(10)} pkts ${String(h.bytes).padStart(12)} bytes ${pct.padStart(6)}%`,
    );
  }
  lines.push('', 'Conversations (by bytes):');
  for (const c of r.conversations)
    lines.push(`  ${c.proto.padEnd(7)} ${c.a} <-> ${c.b}  ${c.packets} pkts ${c.bytes} bytes`);
  lines.push('', 'Top talkers (by bytes):');
  for (const t of r.talkers)
    lines.push(
      `  ${t.address.padEnd(40)} ${String(t.packets).padStart(10)} pkts ${String(t.bytes).padStart(12)} bytes`,
    );
  return `${lines.join('\n')}\n`;
}
