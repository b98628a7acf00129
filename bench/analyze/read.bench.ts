// netkit read against tcpdump -n -r (summary lines) and tshark -T json (JSON), decode-only
// packets/s, and peak memory at two file sizes. The capture (≥ 1,000,000 mixed packets: Ethernet,
// VLAN, ARP, IPv4/IPv6, fragments, TCP/UDP/ICMP, DNS) is generated into bench/out/.
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CaptureSink, PcapWriter } from '../../src/pcap/writer.js';
import { frames } from '../../test/analyze/sample.js';
import { median, printTable, ratio } from '../helpers/report.js';

const root = new URL('../..', import.meta.url).pathname;
const outDir = join(root, 'bench/out');
const N = 1_000_000;
const SMALL = 250_000;
const JSON_SLICE = 50_000;
const RUNS = 3;

/** Writes n packets cycling through the sample frames, varying addresses' last byte, ports and ids. */
async function generate(path: string, n: number): Promise<void> {
  if (existsSync(path) && statSync(path).size > n * 40) return;
  const templates = frames.filter((f) => f.length >= 14 && f.length > 40);
  const sink = new CaptureSink(createWriteStream(path), new PcapWriter({ snaplen: 262144 }));
  for (let i = 0; i < n; i++) {
    const t = templates[i % templates.length]!;
    const f = new Uint8Array(t);
    // Spread conversations: vary the IPv4 id and the low byte of ports where the frame has them.
    if (f[12] === 0x08 && f[13] === 0x00 && f.length >= 38) {
      f[18] = (i >> 8) & 0xff;
      f[19] = i & 0xff;
      f[14 + 20 + 1] = i & 0x3f;
    }
    const w = sink.write({
      data: f,
      tsSec: 1_700_000_000 + Math.floor(i / 1000),
      tsNsec: (i % 1000) * 1_000_000,
    });
    if (w) await w;
  }
  await sink.end();
}

function timeIt(
  cmd: string,
  args: string[],
  env: Record<string, string> = {},
): { ms: number; ok: boolean; stdout: string } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('sh', ['-c', `exec "$0" "$@" > /dev/null`, cmd, ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, ok: r.status === 0, stdout: r.stderr };
}

function which(p: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${p}`]).status === 0;
}

export default async function (): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  const big = join(outDir, 'read-1m.pcap');
  const small = join(outDir, 'read-250k.pcap');
  const slice = join(outDir, 'read-50k.pcap');
  await generate(big, N);
  await generate(small, SMALL);
  await generate(slice, JSON_SLICE);
  const netkit = join(root, 'bin/netkit.js');
  const env = { TZ: 'UTC' };

  // Summary lines.
  const rows: (string | number)[][] = [];
  const nk = median(
    Array.from({ length: RUNS }, () => timeIt(process.execPath, [netkit, 'read', big], env).ms),
  );
  let td = Number.NaN;
  if (which('tcpdump'))
    td = median(Array.from({ length: RUNS }, () => timeIt('tcpdump', ['-n', '-r', big], env).ms));
  rows.push(['summary lines (1M pkts)', N / (nk / 1000), N / (td / 1000), ratio(N / nk, N / td)]);

  // JSON on a slice.
  const nj = median(
    Array.from({ length: RUNS }, () => timeIt(process.execPath, [netkit, 'read', slice, '--json'], env).ms),
  );
  let tj = Number.NaN;
  if (which('tshark'))
    tj = median(Array.from({ length: RUNS }, () => timeIt('tshark', ['-r', slice, '-T', 'json'], env).ms));
  rows.push([
    `--json vs tshark -T json (${JSON_SLICE / 1000}k pkts)`,
    JSON_SLICE / (nj / 1000),
    JSON_SLICE / (tj / 1000),
    ratio(JSON_SLICE / nj, JSON_SLICE / tj),
  ]);
  console.log('Whole-process packets/s (medians of 3; output to /dev/null; TZ=UTC):\n');
  printTable(['task', 'netkit pkts/s', 'peer pkts/s', 'ratio'], rows);

  // Decode-only and memory in fresh processes.
  const child = join(root, 'bench/analyze/read-child.ts');
  const measure = (file: string) =>
    Array.from({ length: RUNS }, () => {
      const r = spawnSync(process.execPath, ['--import', 'tsx', child, file], { encoding: 'utf8' });
      return JSON.parse(r.stdout) as { packets: number; ms: number; maxRssKiB: number };
    });
  const m1 = measure(small);
  const m2 = measure(big);
  // Peak memory of the whole `netkit read` command (summary lines) at both sizes.
  const rss = (file: string) =>
    median(
      Array.from({ length: RUNS }, () => {
        const t = spawnSync(
          'sh',
          ['-c', `/usr/bin/time -f %M "$0" "$1" read "$2" > /dev/null`, process.execPath, netkit, file],
          {
            encoding: 'utf8',
            env: { ...process.env, TZ: 'UTC' },
          },
        );
        return Number(t.stderr.trim().split('\n').pop()) / 1024;
      }),
    );
  const rate = (ms: { packets: number; ms: number }[]) => median(ms.map((x) => x.packets / (x.ms / 1000)));
  console.log('\nDecode-only (parse + dissect, no output) and peak memory:\n');
  printTable(
    ['file', 'packets', 'MB', 'decode pkts/s', 'maxRSS MiB'],
    [
      [
        'read-250k.pcap',
        m1[0]!.packets,
        statSync(small).size / 1e6,
        rate(m1),
        median(m1.map((x) => x.maxRssKiB)) / 1024,
      ],
      [
        'read-1m.pcap',
        m2[0]!.packets,
        statSync(big).size / 1e6,
        rate(m2),
        median(m2.map((x) => x.maxRssKiB)) / 1024,
      ],
    ],
  );
}
