// Differential test against Wireshark: packets built by src/wire/build.ts are written to a pcap,
// decoded by `tshark -T fields` with checksum validation on, and by src/wire/frame.ts; every
// compared field must be equal, and every computed checksum must be "Good" (or "Bad" when built bad).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  formatHw,
  formatIPv4,
  formatIPv6,
  formatMac,
  fromHex,
  parseIPv4,
  parseIPv6,
  parseMac,
} from '../../src/core/bytes.js';
import { encodeCapture, PcapWriter } from '../../src/pcap/writer.js';
import { arpIPv4 } from '../../src/wire/arp.js';
import { type BuildOptions, buildPacket, type LayerSpec } from '../../src/wire/build.js';
import { ipv4LayerChecksumOk, transportChecksumOk } from '../../src/wire/checksums.js';
import { type DnsMessage, decodeDns } from '../../src/wire/dns.js';
import { decodeFrame } from '../../src/wire/frame.js';
import { decodeNd } from '../../src/wire/icmpv6.js';
import { decodeTcpOptions } from '../../src/wire/tcp.js';
import { needPeer } from '../helpers/peers.js';

const ip4 = (s: string) => parseIPv4(s)!;
const ip6 = (s: string) => parseIPv6(s)!;
const text = (s: string) => new TextEncoder().encode(s);

const query: DnsMessage = {
  id: 0x5934,
  qr: false,
  opcode: 0,
  aa: false,
  tc: false,
  rd: true,
  ra: false,
  z: false,
  ad: false,
  cd: false,
  rcode: 0,
  questions: [{ name: 'www.example.com', type: 1, class: 1 }],
  answers: [],
  authorities: [],
  additionals: [],
};
const reply: DnsMessage = {
  ...query,
  qr: true,
  ra: true,
  answers: [
    { name: 'www.example.com', type: 5, class: 1, ttl: 300, data: 'web.example.com' },
    { name: 'web.example.com', type: 1, class: 1, ttl: 60, data: '93.184.216.34' },
    { name: 'web.example.com', type: 28, class: 1, ttl: 60, data: '2606:2800:220:1:248:1893:25c8:1946' },
  ],
  authorities: [
    {
      name: 'example.com',
      type: 6,
      class: 1,
      ttl: 3600,
      data: {
        mname: 'ns.icann.org',
        rname: 'noc.dns.icann.org',
        serial: 2024010101,
        refresh: 7200,
        retry: 3600,
        expire: 1209600,
        minimum: 3600,
      },
    },
  ],
  additionals: [
    {
      name: 'example.com',
      type: 15,
      class: 1,
      ttl: 60,
      data: { preference: 10, exchange: 'mail.example.com' },
    },
    { name: 'example.com', type: 16, class: 1, ttl: 60, data: [text('v=spf1 -all')] },
    { name: 'example.com', type: 99, class: 1, ttl: 60, data: Uint8Array.from([1, 2, 3]) },
  ],
};

interface Case {
  name: string;
  layers: LayerSpec[];
  opts?: BuildOptions;
}

const eth: LayerSpec = {
  layer: 'eth',
  src: parseMac('00:11:22:33:44:55'),
  dst: parseMac('00:11:22:33:44:66'),
};
const cases: Case[] = [
  {
    name: 'TCP SYN with MSS, SACK-permitted, timestamps, NOP, window scale',
    layers: [
      eth,
      { layer: 'ipv4', src: ip4('10.0.0.1'), dst: ip4('10.0.0.2'), ttl: 63, id: 0x1234, df: true },
      {
        layer: 'tcp',
        sport: 40000,
        dport: 80,
        seq: 0xdeadbeef,
        flags: 0x002,
        window: 64240,
        options: [
          { kind: 2, mss: 1460 },
          { kind: 4 },
          { kind: 8, tsval: 123456, tsecr: 0 },
          { kind: 1 },
          { kind: 3, shift: 7 },
        ],
      },
    ],
  },
  {
    name: 'TCP data with ACK and PSH and a payload of odd length',
    layers: [
      eth,
      { layer: 'ipv4', src: ip4('10.0.0.2'), dst: ip4('10.0.0.1') },
      {
        layer: 'tcp',
        sport: 80,
        dport: 40000,
        seq: 1,
        ack: 0xdeadbef0,
        flags: 0x018,
        options: [{ kind: 1 }, { kind: 1 }, { kind: 8, tsval: 9, tsecr: 123456 }],
      },
      { layer: 'payload', data: text('HTTP/1.1 200 OK\r\n\r\nhello') },
    ],
  },
  {
    name: 'DNS query over UDP inside an 802.1Q tag',
    layers: [
      eth,
      { layer: 'vlan', id: 100, pcp: 5 },
      { layer: 'ipv4', src: ip4('192.168.1.11'), dst: ip4('209.87.249.18') },
      { layer: 'udp', sport: 43966, dport: 53 },
      { layer: 'dns', message: query },
    ],
  },
  {
    name: 'DNS answer with CNAME, A, AAAA, SOA, MX, TXT and an unknown type, compressed, over Q-in-Q',
    layers: [
      eth,
      { layer: 'vlan', id: 10, tpid: 0x88a8 },
      { layer: 'vlan', id: 200, pcp: 3, dei: true },
      { layer: 'ipv4', src: ip4('209.87.249.18'), dst: ip4('192.168.1.11') },
      { layer: 'udp', sport: 53, dport: 43966 },
      { layer: 'dns', message: reply },
    ],
  },
  {
    name: 'ARP request',
    layers: [
      { ...eth, dst: 0xffffffffffff } as LayerSpec,
      { layer: 'arp', op: 1, sha: parseMac('00:11:22:33:44:55'), spa: ip4('10.0.0.1'), tpa: ip4('10.0.0.2') },
    ],
  },
  {
    name: 'ICMP echo request',
    layers: [
      eth,
      { layer: 'ipv4', src: ip4('10.0.0.1'), dst: ip4('10.0.0.2') },
      { layer: 'icmp', type: 8, rest: 0x12340001 },
      { layer: 'payload', data: text('abcdefghijklmnopqrstuvwabcdefghi') },
    ],
  },
  {
    name: 'ICMP port unreachable quoting the IPv4/UDP datagram',
    layers: [
      eth,
      { layer: 'ipv4', src: ip4('10.0.0.2'), dst: ip4('10.0.0.1') },
      { layer: 'icmp', type: 3, code: 3 },
      { layer: 'ipv4', src: ip4('10.0.0.1'), dst: ip4('10.0.0.2'), ttl: 1 },
      { layer: 'udp', sport: 33434, dport: 33435 },
      { layer: 'payload', data: text('probe') },
    ],
  },
  {
    name: 'IPv4 with a Router Alert option, carrying UDP',
    layers: [
      eth,
      {
        layer: 'ipv4',
        src: ip4('10.1.1.1'),
        dst: ip4('224.0.0.22'),
        options: Uint8Array.from([0x94, 4, 0, 0]),
      },
      { layer: 'udp', sport: 1, dport: 2 },
      { layer: 'payload', data: text('x') },
    ],
  },
  {
    name: 'IPv6 TCP SYN/ACK',
    layers: [
      eth,
      { layer: 'ipv6', src: ip6('2001:db8::1'), dst: ip6('2001:db8::2'), flow: 0x12345, tclass: 0x20 },
      { layer: 'tcp', sport: 443, dport: 50000, seq: 7, ack: 8, flags: 0x012 },
    ],
  },
  {
    name: 'IPv6 UDP behind hop-by-hop, destination options and a type 0 routing header (final destination in the pseudo-header)',
    layers: [
      eth,
      { layer: 'ipv6', src: ip6('fe80::1'), dst: ip6('2001:db8::a') },
      { layer: 'ipv6.hopopts', options: [{ type: 5, data: Uint8Array.from([0, 0]) }] },
      { layer: 'ipv6.dstopts', options: [] },
      { layer: 'ipv6.routing', type: 0, addresses: [ip6('2001:db8::b'), ip6('2001:db8::c')] },
      { layer: 'udp', sport: 1000, dport: 2000 },
      { layer: 'payload', data: text('routed') },
    ],
  },
  {
    name: 'IPv6 TCP behind a segment routing header',
    layers: [
      eth,
      { layer: 'ipv6', src: ip6('2001:db8::1'), dst: ip6('2001:db8::5') },
      {
        layer: 'ipv6.routing',
        type: 4,
        addresses: [ip6('2001:db8::9'), ip6('2001:db8::5')],
        segmentsLeft: 1,
      },
      { layer: 'tcp', sport: 1, dport: 2, flags: 0x002 },
    ],
  },
  {
    name: 'IPv6 UDP with a Home Address option (its address replaces the source in the pseudo-header)',
    layers: [
      eth,
      { layer: 'ipv6', src: ip6('2001:db8::1'), dst: ip6('2001:db8::2') },
      { layer: 'ipv6.dstopts', options: [{ type: 0xc9, data: ip6('2001:db8:ffff::1') }] },
      { layer: 'udp', sport: 7, dport: 7 },
      { layer: 'payload', data: text('mobile') },
    ],
  },
  {
    name: 'IPv6 first fragment',
    layers: [
      eth,
      { layer: 'ipv6' },
      { layer: 'ipv6.fraghdr', more: true, ident: 0xabcdef01 },
      { layer: 'udp', sport: 9, dport: 9, length: 1000 },
      { layer: 'payload', data: new Uint8Array(64) },
    ],
  },
  {
    name: 'ICMPv6 neighbour solicitation with a source link-layer address option',
    layers: [
      eth,
      { layer: 'ipv6', src: ip6('fe80::211:22ff:fe33:4455'), dst: ip6('ff02::1:ff00:2'), hopLimit: 255 },
      {
        layer: 'icmpv6',
        type: 135,
        target: ip6('2001:db8::2'),
        ndOptions: [{ type: 1, data: fromHex('0011 2233 4455')! }],
      },
    ],
  },
  {
    name: 'ICMPv6 echo request',
    layers: [
      eth,
      { layer: 'ipv6' },
      { layer: 'icmpv6', type: 128, rest: 0x00010002 },
      { layer: 'payload', data: text('ping') },
    ],
  },
  {
    name: 'TCP and IPv4 with deliberately bad checksums',
    layers: [eth, { layer: 'ipv4' }, { layer: 'tcp', flags: 0x004 }],
    opts: { badChecksum: true },
  },
  {
    name: 'UDP over IPv6 with a deliberately bad checksum',
    layers: [eth, { layer: 'ipv6' }, { layer: 'udp', dport: 7 }, { layer: 'payload', data: text('bad') }],
    opts: { badChecksum: true },
  },
  {
    name: 'bare IPv4 TCP with the checksum set by hand to a wrong value',
    layers: [eth, { layer: 'ipv4' }, { layer: 'tcp', checksum: 0x1234 }],
  },
];

const FIELDS = [
  'eth.src',
  'eth.dst',
  'eth.type',
  'vlan.id',
  'vlan.priority',
  'vlan.dei',
  'vlan.etype',
  'ieee8021ad.id',
  'ieee8021ad.priority',
  'ieee8021ad.dei',
  'arp.opcode',
  'arp.src.hw_mac',
  'arp.src.proto_ipv4',
  'arp.dst.hw_mac',
  'arp.dst.proto_ipv4',
  'ip.src',
  'ip.dst',
  'ip.ttl',
  'ip.id',
  'ip.proto',
  'ip.len',
  'ip.hdr_len',
  'ip.flags.df',
  'ip.flags.mf',
  'ip.dsfield',
  'ip.checksum',
  'ip.checksum.status',
  'ipv6.src',
  'ipv6.dst',
  'ipv6.nxt',
  'ipv6.plen',
  'ipv6.hlim',
  'ipv6.flow',
  'ipv6.tclass',
  'ipv6.routing.type',
  'ipv6.routing.segleft',
  'ipv6.fraghdr.ident',
  'ipv6.fraghdr.more',
  'tcp.srcport',
  'tcp.dstport',
  'tcp.seq_raw',
  'tcp.ack_raw',
  'tcp.flags',
  'tcp.window_size_value',
  'tcp.hdr_len',
  'tcp.urgent_pointer',
  'tcp.checksum',
  'tcp.checksum.status',
  'tcp.options.mss_val',
  'tcp.options.wscale.shift',
  'tcp.options.timestamp.tsval',
  'tcp.options.timestamp.tsecr',
  'udp.srcport',
  'udp.dstport',
  'udp.length',
  'udp.checksum',
  'udp.checksum.status',
  'icmp.type',
  'icmp.code',
  'icmp.checksum',
  'icmp.checksum.status',
  'icmp.ident',
  'icmp.seq',
  'icmpv6.type',
  'icmpv6.code',
  'icmpv6.checksum',
  'icmpv6.checksum.status',
  'icmpv6.nd.ns.target_address',
  'icmpv6.opt.linkaddr',
  'dns.id',
  'dns.flags.response',
  'dns.flags.opcode',
  'dns.flags.rcode',
  'dns.flags.recdesired',
  'dns.count.queries',
  'dns.count.answers',
  'dns.count.auth_rr',
  'dns.count.add_rr',
  'dns.qry.name',
  'dns.qry.type',
  'dns.a',
  'dns.aaaa',
  'dns.cname',
  'dns.soa.mname',
  'dns.soa.rname',
  'dns.soa.serial_number',
  'dns.mx.mail_exchange',
  'dns.mx.preference',
  'dns.txt',
];
/** Fields whose later occurrences (inside ICMP errors) tshark does not judge the same way. */
const FIRST_ONLY = new Set(FIELDS.filter((f) => f.endsWith('.status')));

type Fields = Map<string, string[]>;

/** What src/wire decodes, in tshark's field vocabulary. */
function ourFields(bytes: Uint8Array): Fields {
  const f: Fields = new Map();
  const add = (k: string, v: string | number | boolean) => {
    const list = f.get(k) ?? [];
    list.push(typeof v === 'boolean' ? (v ? '1' : '0') : String(v));
    f.set(k, list);
  };
  const frame = decodeFrame(1, bytes);
  assert.equal(frame.error, undefined, String(frame.error));
  const status = (ok: boolean | null) => (ok === null ? 2 : ok ? 1 : 0);
  frame.layers.forEach((l, i) => {
    switch (l.name) {
      case 'eth':
        add('eth.src', formatMac(l.header.src));
        add('eth.dst', formatMac(l.header.dst));
        add('eth.type', l.header.type);
        break;
      case 'vlan':
        if (l.header.tpid === 0x88a8) {
          // Wireshark's 802.1ad dissector names S-tag fields separately.
          add('ieee8021ad.id', l.header.id);
          add('ieee8021ad.priority', l.header.pcp);
          add('ieee8021ad.dei', l.header.dei);
          break;
        }
        add('vlan.id', l.header.id);
        add('vlan.priority', l.header.pcp);
        add('vlan.dei', l.header.dei);
        add('vlan.etype', l.header.type);
        break;
      case 'arp':
        add('arp.opcode', l.header.op);
        add('arp.src.hw_mac', formatHw(l.header.sha));
        add('arp.src.proto_ipv4', formatIPv4(arpIPv4(l.header.spa)));
        add('arp.dst.hw_mac', formatHw(l.header.tha));
        add('arp.dst.proto_ipv4', formatIPv4(arpIPv4(l.header.tpa)));
        break;
      case 'ipv4':
        add('ip.src', formatIPv4(l.header.src));
        add('ip.dst', formatIPv4(l.header.dst));
        add('ip.ttl', l.header.ttl);
        add('ip.id', l.header.id);
        add('ip.proto', l.header.protocol);
        add('ip.len', l.header.totalLength);
        add('ip.hdr_len', l.length);
        add('ip.flags.df', l.header.df);
        add('ip.flags.mf', l.header.mf);
        add('ip.dsfield', l.header.tos);
        add('ip.checksum', l.header.checksum);
        add('ip.checksum.status', status(ipv4LayerChecksumOk(bytes, l)));
        break;
      case 'ipv6':
        add('ipv6.src', formatIPv6(l.header.src));
        add('ipv6.dst', formatIPv6(l.header.dst));
        add('ipv6.nxt', l.header.nextHeader);
        add('ipv6.plen', l.header.payloadLength);
        add('ipv6.hlim', l.header.hopLimit);
        add('ipv6.flow', l.header.flow);
        add('ipv6.tclass', l.header.tclass);
        break;
      case 'ipv6.routing':
        add('ipv6.routing.type', l.header.routingType);
        add('ipv6.routing.segleft', l.header.segmentsLeft);
        break;
      case 'ipv6.fraghdr':
        add('ipv6.fraghdr.ident', l.header.ident);
        add('ipv6.fraghdr.more', l.header.more);
        break;
      case 'tcp': {
        add('tcp.srcport', l.header.sport);
        add('tcp.dstport', l.header.dport);
        add('tcp.seq_raw', l.header.seq);
        add('tcp.ack_raw', l.header.ack);
        add('tcp.flags', l.header.flags);
        add('tcp.window_size_value', l.header.window);
        add('tcp.hdr_len', l.length);
        add('tcp.urgent_pointer', l.header.urgent);
        add('tcp.checksum', l.header.checksum);
        add('tcp.checksum.status', status(transportChecksumOk(bytes, frame, i)));
        for (const o of decodeTcpOptions(l.header.options)) {
          if (o.kind === 2) add('tcp.options.mss_val', (o as { mss: number }).mss);
          if (o.kind === 3) add('tcp.options.wscale.shift', (o as { shift: number }).shift);
          if (o.kind === 8) {
            add('tcp.options.timestamp.tsval', (o as { tsval: number }).tsval);
            add('tcp.options.timestamp.tsecr', (o as { tsecr: number }).tsecr);
          }
        }
        break;
      }
      case 'udp':
        add('udp.srcport', l.header.sport);
        add('udp.dstport', l.header.dport);
        add('udp.length', l.header.length);
        add('udp.checksum', l.header.checksum);
        add('udp.checksum.status', status(transportChecksumOk(bytes, frame, i)));
        break;
      case 'icmp':
        add('icmp.type', l.header.type);
        add('icmp.code', l.header.code);
        add('icmp.checksum', l.header.checksum);
        add('icmp.checksum.status', status(transportChecksumOk(bytes, frame, i)));
        if (l.header.type === 8 || l.header.type === 0) {
          add('icmp.ident', l.header.rest >>> 16);
          add('icmp.seq', l.header.rest & 0xffff);
        }
        break;
      case 'icmpv6': {
        add('icmpv6.type', l.header.type);
        add('icmpv6.code', l.header.code);
        add('icmpv6.checksum', l.header.checksum);
        add('icmpv6.checksum.status', status(transportChecksumOk(bytes, frame, i)));
        if (l.header.type === 135) {
          const nd = decodeNd(bytes, l.offset, frame.payloadEnd);
          add('icmpv6.nd.ns.target_address', formatIPv6(nd.target!));
          for (const o of nd.options) if (o.type === 1) add('icmpv6.opt.linkaddr', formatHw(o.data));
        }
        break;
      }
      case 'dns': {
        const m = decodeDns(bytes, l.offset, l.offset + l.length);
        add('dns.id', m.id);
        add('dns.flags.response', m.qr);
        add('dns.flags.opcode', m.opcode);
        if (m.qr) add('dns.flags.rcode', m.rcode); // tshark shows the reply code in responses only
        add('dns.flags.recdesired', m.rd);
        add('dns.count.queries', m.questions.length);
        add('dns.count.answers', m.answers.length);
        add('dns.count.auth_rr', m.authorities.length);
        add('dns.count.add_rr', m.additionals.length);
        for (const q of m.questions) {
          add('dns.qry.name', q.name);
          add('dns.qry.type', q.type);
        }
        for (const r of [...m.answers, ...m.authorities, ...m.additionals]) {
          if (r.type === 1) add('dns.a', r.data as string);
          if (r.type === 28) add('dns.aaaa', r.data as string);
          if (r.type === 5) add('dns.cname', r.data as string);
          if (r.type === 6) {
            const s = r.data as { mname: string; rname: string; serial: number };
            add('dns.soa.mname', s.mname);
            add('dns.soa.rname', s.rname);
            add('dns.soa.serial_number', s.serial);
          }
          if (r.type === 15) {
            const mx = r.data as { preference: number; exchange: string };
            add('dns.mx.mail_exchange', mx.exchange);
            add('dns.mx.preference', mx.preference);
          }
          if (r.type === 16)
            for (const s of r.data as Uint8Array[]) add('dns.txt', new TextDecoder().decode(s));
        }
        break;
      }
      default:
    }
  });
  return f;
}

/** Numbers compare by value whatever tshark's base (0x… or decimal); True/False as 1/0. */
function norm(v: string): string {
  if (/^0x[0-9a-f]+$/i.test(v)) return String(Number.parseInt(v, 16));
  if (v === 'True') return '1';
  if (v === 'False') return '0';
  return v;
}

test('tshark decodes every built packet as src/wire does, with checksums judged the same', (t) => {
  const tshark = needPeer(t, 'tshark');
  if (!tshark) return;
  const dir = mkdtempSync(join(tmpdir(), 'netkit-wire-'));
  try {
    const built = cases.map((c) => buildPacket(c.layers, c.opts));
    const file = join(dir, 'built.pcap');
    writeFileSync(
      file,
      encodeCapture(
        new PcapWriter({ linktype: 1 }),
        built.map((b) => ({ data: b.bytes })),
      ),
    );
    const args = [
      '-r',
      file,
      '-n',
      '-T',
      'fields',
      '-E',
      'separator=/t',
      '-E',
      'occurrence=a',
      '-E',
      'aggregator=|',
    ];
    for (const p of ['tcp.check_checksum', 'udp.check_checksum', 'ip.check_checksum'])
      args.push('-o', `${p}:TRUE`);
    // Without reassembly tshark decodes the headers in a first fragment, as src/wire does.
    args.push('-o', 'ipv6.defragment:FALSE', '-o', 'ip.defragment:FALSE');
    for (const f of FIELDS) args.push('-e', f);
    const r = spawnSync(tshark, args, { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    const rows = r.stdout.trimEnd().split('\n');
    assert.equal(rows.length, cases.length);
    let compared = 0;
    rows.forEach((row, i) => {
      const cols = row.split('\t');
      const ours = ourFields(built[i]!.bytes);
      FIELDS.forEach((field, j) => {
        let theirs = (cols[j] ?? '') === '' ? [] : cols[j]!.split('|').map(norm);
        let mine = (ours.get(field) ?? []).map(norm);
        if (FIRST_ONLY.has(field)) {
          theirs = theirs.slice(0, 1);
          mine = mine.slice(0, 1);
        }
        assert.deepEqual(mine, theirs, `${cases[i]!.name}: ${field}`);
        compared += mine.length;
      });
    });
    assert.ok(compared > 300, `compared ${compared} values`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every computed checksum in the built packets is judged good by tshark, and bad ones bad', (t) => {
  const tshark = needPeer(t, 'tshark');
  if (!tshark) return;
  const dir = mkdtempSync(join(tmpdir(), 'netkit-wire-'));
  try {
    const built = cases.map((c) => buildPacket(c.layers, c.opts));
    const file = join(dir, 'built.pcap');
    writeFileSync(
      file,
      encodeCapture(
        new PcapWriter({ linktype: 1 }),
        built.map((b) => ({ data: b.bytes })),
      ),
    );
    const fields = [
      'ip.checksum.status',
      'tcp.checksum.status',
      'udp.checksum.status',
      'icmp.checksum.status',
      'icmpv6.checksum.status',
    ];
    const args = ['-r', file, '-n', '-T', 'fields', '-E', 'occurrence=f'];
    for (const p of ['tcp.check_checksum', 'udp.check_checksum', 'ip.check_checksum'])
      args.push('-o', `${p}:TRUE`);
    for (const f of fields) args.push('-e', f);
    const r = spawnSync(tshark, args, { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    r.stdout
      .trimEnd()
      .split('\n')
      .forEach((row, i) => {
        const c = cases[i]!;
        const verdicts = row.split('\t').filter((x) => x !== '');
        const fragment = c.layers.some((l) => l.layer === 'ipv6.fraghdr');
        if (fragment) {
          assert.deepEqual(verdicts, [], `${c.name}: a fragment's checksum cannot be judged`);
          return;
        }
        assert.ok(
          verdicts.length >= 1 || c.layers.some((l) => l.layer === 'arp'),
          `${c.name}: no checksum judged`,
        );
        const handSet = c.layers.some((l) => 'checksum' in l && l.checksum !== undefined);
        const want = c.opts?.badChecksum || handSet ? '0' : '1';
        // With a hand-set TCP checksum, the IPv4 header checksum (first verdict) is still computed.
        if (handSet) assert.deepEqual(verdicts, ['1', '0'], `${c.name}: ${row}`);
        else for (const v of verdicts) assert.equal(v, want, `${c.name}: ${row}`);
      });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('tshark accepts the FCS that buildPacket appends and rejects a deliberately bad one', (t) => {
  const tshark = needPeer(t, 'tshark');
  if (!tshark) return;
  const dir = mkdtempSync(join(tmpdir(), 'netkit-wire-'));
  try {
    const layers: LayerSpec[] = [
      eth,
      { layer: 'ipv4' },
      { layer: 'udp', dport: 9 },
      { layer: 'payload', data: text('fcs') },
    ];
    const frames = [buildPacket(layers, { fcs: true }), buildPacket(layers, { fcs: true, badFcs: true })];
    const file = join(dir, 'fcs.pcap');
    writeFileSync(
      file,
      encodeCapture(
        new PcapWriter({ linktype: 1 }),
        frames.map((b) => ({ data: b.bytes })),
      ),
    );
    const r = spawnSync(
      tshark,
      [
        '-r',
        file,
        '-o',
        'eth.fcs:TRUE',
        '-o',
        'eth.check_fcs:TRUE',
        '-T',
        'fields',
        '-e',
        'eth.fcs.status',
        '-e',
        'udp.length',
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.stdout.trimEnd().split('\n'), ['1\t11', '0\t11']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('IPv6 addresses print as tshark prints them (RFC 5952), edge cases and random ones', (t) => {
  const tshark = needPeer(t, 'tshark');
  if (!tshark) return;
  const edge = [
    '::',
    '::1',
    '1::',
    '1:0:0:1::',
    '1:0:0:2:0:0:0:3',
    '2001:db8:0:0:1:0:0:1',
    'fe80::1',
    '::ffff:1.2.3.4',
    '64:ff9b::102:304',
    'ff02::1:ff00:2',
    '1:2:3:4:5:6:7:8',
    '0:1:0:1:0:1:0:1',
  ];
  const addrs = edge.map((a) => ip6(a));
  let seed = 12345;
  for (let i = 0; i < 40; i++) {
    const a = new Uint8Array(16);
    for (let j = 0; j < 16; j++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      // Many zero bytes, so that runs of zero groups of every length occur.
      a[j] = (seed >>> 16) % 3 === 0 ? (seed >>> 8) & 0xff : 0;
    }
    addrs.push(a);
  }
  const dir = mkdtempSync(join(tmpdir(), 'netkit-wire-'));
  try {
    const file = join(dir, 'addr.pcap');
    const pkts = addrs.map((src) =>
      buildPacket([eth, { layer: 'ipv6', src }, { layer: 'payload', data: new Uint8Array(0) }]),
    );
    writeFileSync(
      file,
      encodeCapture(
        new PcapWriter({ linktype: 1 }),
        pkts.map((b) => ({ data: b.bytes })),
      ),
    );
    const r = spawnSync(tshark, ['-r', file, '-n', '-T', 'fields', '-e', 'ipv6.src'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(
      r.stdout.trimEnd().split('\n'),
      addrs.map((a) => formatIPv6(a)),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
