// Decode-only throughput of src/wire: decodeFrame over a mix of frames (Ethernet, VLAN, ARP,
// IPv4/IPv6, fragments, TCP/UDP/ICMP/ICMPv6, DNS), median of 3 runs, beside the goal of
// 3,000,000 packets/s (part B's bench compares whole captures with tcpdump and tshark).

import { cpus, loadavg } from 'node:os';
import { transportChecksumOk } from '../../src/wire/checksums.js';
import { decodeFrame } from '../../src/wire/frame.js';
import { mixedFrames } from '../../test/helpers/mixed-frames.js';
import { median, printTable, ratio } from '../helpers/report.js';

const GOAL = 3_000_000;

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
