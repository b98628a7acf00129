// netkit read against tcpdump -n -r (summary lines) and tshark -T json (JSON), decode-only
// packets/s, and peak memory at two file sizes. The capture (≥ 1,000,000 mixed packets: Ethernet,
// VLAN, ARP, IPv4/IPv6, fragments, TCP/UDP/ICMP, DNS) is generated into bench/out/.
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
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

const cpuFile = join(outDir, 'cpu-time.txt');

/**
 * Wall time of one run, and its CPU time (user + system of all its threads, from /usr/bin/time,
 * 10 ms resolution): on a loaded machine the CPU time is the steadier figure. Both sides alike.
 */
function timeIt(
  cmd: string,
  args: string[],
  env: Record<string, string> = {},
): { ms: number; cpuMs: number; ok: boolean; stdout: string } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(
    'sh',
    ['-c', `exec /usr/bin/time -o "${cpuFile}" -f '%U %S' "$0" "$@" > /dev/null`, cmd, ...args],
    {
      env: { ...process.env, ...env },
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    },
  );
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const [u, sys] = readFileSync(cpuFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
  return {
    ms,
    cpuMs: ((u ?? Number.NaN) + (sys ?? Number.NaN)) * 1000,
    ok: r.status === 0,
    stdout: r.stderr,
  };
}

function which(p: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${p}`]).status === 0;
}

export default async function (): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  const big = join(outDir, 'read-1m.pcap');
  const small = join(outDir, 'read-250k.pcap');
  const slice = join(outDir, 'read-50k.pcap');
  const one = join(outDir, 'read-1.pcap');
  await generate(big, N);
  await generate(small, SMALL);
  await generate(slice, JSON_SLICE);
  await generate(one, 1);
  const netkit = join(root, 'bin/netkit.js');
  const env = { TZ: 'UTC' };
  const running = spawnSync(process.execPath, [netkit, '--version'], {
    env: { ...process.env, NETKIT_DEBUG: '1' },
    encoding: 'utf8',
  });
  console.log(`${running.stderr.split('\n')[0]} (bin/netkit.js)\n`);
  /** Medians of wall and CPU milliseconds over RUNS runs. */
  const med = (cmd: string, args: string[]) => {
    const runs = Array.from({ length: RUNS }, () => timeIt(cmd, args, env));
    return { ms: median(runs.map((r) => r.ms)), cpu: median(runs.map((r) => r.cpuMs)) };
  };

  // Each row: whole-process rate, and the per-packet rate with the start-up time (the same
  // command on a one-packet file) taken out — node starts in ~0.1 s, tcpdump in ~0.01 s.
  const rows: (string | number)[][] = [];
  const cpuRows: (string | number)[][] = [];
  const nan = { ms: Number.NaN, cpu: Number.NaN };
  const row = (
    task: string,
    n: number,
    ours: [string, string[]],
    theirs: [string, string[]],
    oneArgs: (f: string) => [string[], string[]],
  ) => {
    const a = med(ours[0], ours[1]);
    const a1 = med(ours[0], oneArgs(one)[0]);
    const b = which(theirs[0]) ? med(theirs[0], theirs[1]) : nan;
    const b1 = which(theirs[0]) ? med(theirs[0], oneArgs(one)[1]) : nan;
    for (const [k, out] of [
      ['ms', rows],
      ['cpu', cpuRows],
    ] as const) {
      const wa = n / (a[k] / 1000);
      const wb = n / (b[k] / 1000);
      const pa = n / (Math.max(1, a[k] - a1[k]) / 1000);
      const pb = n / (Math.max(1, b[k] - b1[k]) / 1000);
      out.push([task, wa, wb, ratio(wa, wb), pa, pb, ratio(pa, pb)]);
    }
  };
  row(
    `summary lines vs tcpdump -n -r (${N / 1e6}M pkts)`,
    N,
    [process.execPath, [netkit, 'read', big]],
    ['tcpdump', ['-n', '-r', big]],
    (f) => [
      [netkit, 'read', f],
      ['-n', '-r', f],
    ],
  );
  row(
    `--json vs tshark -T json (${JSON_SLICE / 1000}k pkts)`,
    JSON_SLICE,
    [process.execPath, [netkit, 'read', slice, '--json']],
    ['tshark', ['-r', slice, '-T', 'json']],
    (f) => [
      [netkit, 'read', f, '--json'],
      ['-r', f, '-T', 'json'],
    ],
  );
  const headers = ['task', 'netkit whole', 'peer whole', 'ratio', 'netkit per-pkt', 'peer per-pkt', 'ratio'];
  console.log('Packets/s of wall time, medians of 3, output to /dev/null, TZ=UTC:\n');
  printTable(headers, rows);
  console.log('\nPackets per CPU-second (user + system, all threads; the same runs):\n');
  printTable(headers, cpuRows);

  // Decode-only and memory in fresh processes.
  const child = join(root, 'bench/analyze/read-child.ts');
  const measure = (file: string) =>
    Array.from({ length: RUNS }, () => {
      const r = spawnSync(process.execPath, ['--import', 'tsx', child, file], { encoding: 'utf8' });
      return JSON.parse(r.stdout) as { packets: number; ms: number; maxRssKiB: number };
    });
  // Peak memory of the whole `netkit read` command (summary lines) in MiB.
  const rss = (file: string) =>
    median(
      Array.from({ length: RUNS }, () => {
        const t = spawnSync(
          'sh',
          ['-c', '/usr/bin/time -f %M "$0" "$1" read "$2" > /dev/null', process.execPath, netkit, file],
          {
            encoding: 'utf8',
            env: { ...process.env, TZ: 'UTC' },
          },
        );
        return Number(t.stderr.trim().split('\n').pop()) / 1024;
      }),
    );
  const rate = (ms: { packets: number; ms: number }[]) => median(ms.map((x) => x.packets / (x.ms / 1000)));
  const line = (name: string, file: string) => {
    const m = measure(file);
    return [
      name,
      m[0]!.packets,
      statSync(file).size / 1e6,
      rate(m),
      median(m.map((x) => x.maxRssKiB)) / 1024,
      rss(file),
    ];
  };
  console.log('\nDecode-only (parse + dissect in one process, no output) and peak memory (maxRSS):\n');
  printTable(
    ['file', 'packets', 'MB', 'decode pkts/s', 'decode maxRSS MiB', 'netkit read maxRSS MiB'],
    [line('read-250k.pcap', small), line('read-1m.pcap', big)],
  );
}
