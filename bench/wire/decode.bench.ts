// Decode-only throughput of src/wire: decodeFrame over a mix of frames (Ethernet, VLAN, ARP,
// IPv4/IPv6, fragments, TCP/UDP/ICMP/ICMPv6, DNS), median of 3 runs, beside the goal of
// 3,000,000 packets/s (part B's bench compares whole captures with tcpdump and tshark).

import { cpus, loadavg } from 'node:os';
import { parseIPv4, parseIPv6 } from '../../src/core/bytes.js';
import { buildPacket, type LayerSpec } from '../../src/wire/build.js';
import { transportChecksumOk } from '../../src/wire/checksums.js';
import type { DnsMessage } from '../../src/wire/dns.js';
import { decodeFrame } from '../../src/wire/frame.js';
import { median, printTable, ratio } from '../helpers/report.js';

const GOAL = 3_000_000;

export function mixedFrames(): Uint8Array[] {
  const a = parseIPv4('10.0.0.1')!;
  const b = parseIPv4('10.0.0.2')!;
  const q: DnsMessage = {
    id: 1,
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
  const r: DnsMessage = {
    ...q,
    qr: true,
    answers: [{ name: 'www.example.com', type: 1, class: 1, ttl: 60, data: '93.184.216.34' }],
  };
  const data = new Uint8Array(512).fill(0x61);
  const specs: LayerSpec[][] = [
    [
      { layer: 'eth' },
      { layer: 'ipv4', src: a, dst: b },
      {
        layer: 'tcp',
        flags: 2,
        options: [
          { kind: 2, mss: 1460 },
          { kind: 4 },
          { kind: 8, tsval: 1, tsecr: 0 },
          { kind: 1 },
          { kind: 3, shift: 7 },
        ],
      },
    ],
    [
      { layer: 'eth' },
      { layer: 'ipv4', src: b, dst: a },
      {
        layer: 'tcp',
        flags: 0x18,
        ack: 1,
        options: [{ kind: 1 }, { kind: 1 }, { kind: 8, tsval: 2, tsecr: 1 }],
      },
      { layer: 'payload', data },
    ],
    [{ layer: 'eth' }, { layer: 'ipv4', src: a, dst: b }, { layer: 'tcp', flags: 0x10, ack: 1 }],
    [
      { layer: 'eth' },
      { layer: 'vlan', id: 7 },
      { layer: 'ipv4', src: a, dst: b },
      { layer: 'udp', sport: 5000, dport: 53 },
      { layer: 'dns', message: q },
    ],
    [
      { layer: 'eth' },
      { layer: 'ipv4', src: b, dst: a },
      { layer: 'udp', sport: 53, dport: 5000 },
      { layer: 'dns', message: r },
    ],
    [{ layer: 'eth' }, { layer: 'arp' }],
    [{ layer: 'eth' }, { layer: 'ipv6' }, { layer: 'tcp', flags: 0x10, ack: 5 }, { layer: 'payload', data }],
    [
      { layer: 'eth' },
      { layer: 'ipv6' },
      { layer: 'udp', sport: 1, dport: 2 },
      { layer: 'payload', data: data.subarray(0, 100) },
    ],
    [
      { layer: 'eth' },
      { layer: 'ipv4', src: a, dst: b },
      { layer: 'icmp', type: 8 },
      { layer: 'payload', data: data.subarray(0, 56) },
    ],
    [
      { layer: 'eth' },
      { layer: 'ipv6' },
      { layer: 'icmpv6', type: 128 },
      { layer: 'payload', data: data.subarray(0, 56) },
    ],
    [
      { layer: 'eth' },
      { layer: 'ipv4', src: a, dst: b, mf: true, id: 9 },
      { layer: 'udp', dport: 9 },
      { layer: 'payload', data },
    ],
    [{ layer: 'eth' }, { layer: 'ipv4', src: a, dst: b, fragOffset: 65, id: 9 }, { layer: 'payload', data }],
    [
      { layer: 'eth' },
      { layer: 'ipv6', dst: parseIPv6('2001:db8::9') },
      { layer: 'ipv6.fraghdr', more: true, ident: 3 },
      { layer: 'udp', dport: 9 },
      { layer: 'payload', data },
    ],
    [
      { layer: 'eth' },
      { layer: 'vlan', id: 10, tpid: 0x88a8 },
      { layer: 'vlan', id: 20 },
      { layer: 'ipv4', src: a, dst: b },
      { layer: 'tcp', flags: 0x11, ack: 1 },
    ],
  ];
  return specs.map((s) => buildPacket(s).bytes);
}

/** Packets per second of wall time and per second of this process's CPU time (less sensitive to other load). */
function run(frames: Uint8Array[], n: number, checksums: boolean): [number, number] {
  let sink = 0;
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const b = frames[i % frames.length]!;
    const f = decodeFrame(1, b);
    sink += f.layers.length;
    if (checksums) {
      const last = f.layers.length - 1;
      if (transportChecksumOk(b, f, last)) sink++;
    }
  }
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const c = process.cpuUsage(c0);
  if (sink < 0) console.log(sink);
  return [n / secs, n / ((c.user + c.system) / 1e6)];
}

export default async function (): Promise<void> {
  // Build distinct copies so the decoder cannot benefit from one hot buffer.
  const base = mixedFrames();
  const frames: Uint8Array[] = [];
  for (let i = 0; i < 64; i++) for (const f of base) frames.push(Uint8Array.from(f));
  const n = 2_000_000;
  run(frames, 200_000, false); // warm up
  const rows: (string | number)[][] = [];
  for (const [what, count, sums] of [
    ['decodeFrame (decode only)', n, false],
    ['decodeFrame + transport checksum', n / 4, true],
  ] as const) {
    const runs = [run(frames, count, sums), run(frames, count, sums), run(frames, count, sums)];
    const wall = median(runs.map((r) => r[0]));
    const cpu = median(runs.map((r) => r[1]));
    rows.push([what, wall, cpu, GOAL, ratio(wall, GOAL), ratio(cpu, GOAL)]);
  }
  printTable(['what', 'packets/s (wall)', 'packets/CPU-s', 'goal', 'ratio (wall)', 'ratio (CPU)'], rows);
  console.log(
    `\n${base.length} distinct frames × 64 copies; median of 3; load average ${loadavg()[0]!.toFixed(2)} on ${cpus().length} CPUs`,
  );
}
