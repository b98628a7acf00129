// Classic services (RFC 862–868): netkit beside openbsd-inetd and xinetd, every row of the table in
// services-notes.md measured by the same C load client (bench/tools/loadgen.c) in one run,
// interleaved (rep 1 of each server, then rep 2 …), 3 reps, medians, ratios to openbsd-inetd.
// NETKIT_BENCH_SECONDS sets the length of one measurement (default 1.2 s); NETKIT_BENCH_ROWS
// (comma-separated substrings of the row labels) picks rows; NETKIT_BENCH_PORTABLE=1 adds netkit's
// portable paths (net.Socket, node:dgram) as a column, to show what the handle fast paths gain.
// A "Node floor" column serves the UDP echo rows with a bare echo on the same UDP handle (no
// checks at all): what any Node UDP server stands on here. A second table gives each server's
// CPU time per unit of work (µs per MB, per round trip, per datagram): netkit's from
// process.cpuUsage() (the servers run in this process; the load client is a child), the peers'
// from /proc/PID/stat utime+stime plus cutime+cstime (inetd's forked stream servers, once reaped).
// A third is the CPU budget: server and load client CPU per unit (the client reports its own), and
// the cores each pair needs at openbsd-inetd's rate.

import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { setFastPathDefault, udpBindings } from '../../src/core/handles.js';
import type { RunningServer } from '../../src/core/service.js';
import { openUdpHandle, type UdpHandleSocket } from '../../src/core/udp-handle.js';
import { type ServiceName, startService } from '../../src/services/catalog.js';
import {
  type PeerDaemon,
  privateLoopback,
  startOpenbsdInetd,
  startXinetd,
} from '../../test/helpers/inetd.js';
import { budgetHeaders, median, printTable, ratio } from '../helpers/report.js';
import {
  connRate,
  echoBulk,
  type LoadResult,
  loadgenPath,
  pingPong,
  readRate,
  udpEcho,
  writeRate,
} from '../tools/loadgen.js';

const SECONDS = Number(process.env.NETKIT_BENCH_SECONDS ?? 1.2);
const REPS = 3;

interface Endpoint {
  name: string;
  /** The peer daemon's PID (undefined for netkit, which runs in this process). */
  pid?: number;
  /** Whether this endpoint serves a row, by its service name and label (default: all rows). */
  serves?: (service: string, label: string) => boolean;
  tcpHost: string;
  udpHost: string | undefined;
  port: (s: ServiceName, proto: 'tcp' | 'udp') => number;
}

interface Row {
  label: string;
  unit: string;
  scale: number;
  /** The unit of work for the CPU table and how many of them one unit of `total` is. */
  cpuUnit: string;
  cpuScale: number;
  goal?: number;
  run: (e: Endpoint) => Promise<LoadResult> | undefined;
}

const P = { echo: 7, discard: 9, daytime: 13, chargen: 19, time: 37 } as Record<string, number>;

const allRows: Row[] = [
  {
    label: 'discard TCP, 1 conn writing 16 KiB',
    unit: 'MB/s',
    scale: 1e-6,
    cpuUnit: 'µs/MB',
    cpuScale: 1e-6,
    goal: 1,
    run: (e) => writeRate({ host: e.tcpHost, port: e.port('discard', 'tcp'), conns: 1, seconds: SECONDS }),
  },
  {
    label: 'discard TCP, 4 conns',
    unit: 'MB/s',
    scale: 1e-6,
    cpuUnit: 'µs/MB',
    cpuScale: 1e-6,
    goal: 1,
    run: (e) => writeRate({ host: e.tcpHost, port: e.port('discard', 'tcp'), conns: 4, seconds: SECONDS }),
  },
  {
    label: 'chargen TCP, 1 conn reading',
    unit: 'MB/s',
    scale: 1e-6,
    cpuUnit: 'µs/MB',
    cpuScale: 1e-6,
    goal: 15,
    run: (e) => readRate({ host: e.tcpHost, port: e.port('chargen', 'tcp'), conns: 1, seconds: SECONDS }),
  },
  {
    label: 'chargen TCP, 4 conns',
    unit: 'MB/s',
    scale: 1e-6,
    cpuUnit: 'µs/MB',
    cpuScale: 1e-6,
    goal: 15,
    run: (e) => readRate({ host: e.tcpHost, port: e.port('chargen', 'tcp'), conns: 4, seconds: SECONDS }),
  },
  {
    label: 'echo TCP, 1 conn, 256 KiB in flight',
    unit: 'MB/s',
    scale: 1e-6,
    cpuUnit: 'µs/MB',
    cpuScale: 1e-6,
    goal: 1,
    run: (e) =>
      echoBulk({
        host: e.tcpHost,
        port: e.port('echo', 'tcp'),
        conns: 1,
        inflight: 262_144,
        seconds: SECONDS,
      }),
  },
  {
    label: 'echo TCP, 4 conns, 256 KiB in flight each',
    unit: 'MB/s',
    scale: 1e-6,
    cpuUnit: 'µs/MB',
    cpuScale: 1e-6,
    goal: 1,
    run: (e) =>
      echoBulk({
        host: e.tcpHost,
        port: e.port('echo', 'tcp'),
        conns: 4,
        inflight: 262_144,
        seconds: SECONDS,
      }),
  },
  {
    label: 'echo TCP, 64-B ping-pong',
    unit: 'round trips/s',
    scale: 1,
    cpuUnit: 'µs/round trip',
    cpuScale: 1,
    goal: 1,
    run: (e) => pingPong({ host: e.tcpHost, port: e.port('echo', 'tcp'), size: 64, seconds: SECONDS }),
  },
  {
    label: 'daytime TCP, 4 parallel connect/read/close',
    unit: 'conn/s',
    scale: 1,
    cpuUnit: 'µs/conn',
    cpuScale: 1,
    goal: 1,
    run: (e) => connRate({ host: e.tcpHost, port: e.port('daytime', 'tcp'), parallel: 4, seconds: SECONDS }),
  },
  {
    label: 'daytime TCP, 16 parallel',
    unit: 'conn/s',
    scale: 1,
    cpuUnit: 'µs/conn',
    cpuScale: 1,
    goal: 1,
    run: (e) => connRate({ host: e.tcpHost, port: e.port('daytime', 'tcp'), parallel: 16, seconds: SECONDS }),
  },
  {
    label: 'time TCP, 4 parallel',
    unit: 'conn/s',
    scale: 1,
    cpuUnit: 'µs/conn',
    cpuScale: 1,
    goal: 1,
    run: (e) => connRate({ host: e.tcpHost, port: e.port('time', 'tcp'), parallel: 4, seconds: SECONDS }),
  },
  {
    label: 'echo UDP, 1 socket × 1 in flight, 64 B',
    unit: 'replies/s',
    scale: 1,
    cpuUnit: 'µs/datagram',
    cpuScale: 1,
    run: (e) =>
      e.udpHost
        ? udpEcho({
            host: e.udpHost,
            port: e.port('echo', 'udp'),
            sockets: 1,
            inflight: 1,
            size: 64,
            seconds: SECONDS,
          })
        : undefined,
  },
  {
    label: 'echo UDP, 4 sockets × 4 in flight, 64 B',
    unit: 'replies/s',
    scale: 1,
    cpuUnit: 'µs/datagram',
    cpuScale: 1,
    goal: 1,
    run: (e) =>
      e.udpHost
        ? udpEcho({
            host: e.udpHost,
            port: e.port('echo', 'udp'),
            sockets: 4,
            inflight: 4,
            size: 64,
            seconds: SECONDS,
          })
        : undefined,
  },
];

/** CPU seconds used so far by a process and its reaped children (Linux /proc), or by this one. */
function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14–17 of proc(5) (utime, stime, cutime, cstime) are 11–14 after the state field.
    const ticks = Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
    return ticks / 100; // USER_HZ is 100 on Linux
  } catch {
    return Number.NaN;
  }
}

/** NETKIT_BENCH_PORTABLE=1 adds a column: the stream and UDP services on their portable paths. */
const PORTABLE = process.env.NETKIT_BENCH_PORTABLE === '1';

const ROW_FILTER = (process.env.NETKIT_BENCH_ROWS ?? '')
  .split(',')
  .map((x) => x.trim())
  .filter(Boolean);

/**
 * The whole machine's CPU budget per row: server and load client CPU per unit for netkit and
 * openbsd-inetd, and how many cores each pair needs to run at openbsd-inetd's rate. Where netkit's
 * figure exceeds the cores this machine has, no scheduling of netkit's work (more threads or
 * processes) can reach that rate here: only less CPU per unit can.
 */
function printBudget(
  rows: Row[],
  raw: { rate: number; server: number; client: number }[][][],
  oi: number,
): void {
  const cores = availableParallelism();
  const med = (xs: { rate: number; server: number; client: number }[], k: 'rate' | 'server' | 'client') =>
    xs.length ? median(xs.map((x) => x[k])) : Number.NaN;
  console.log(
    `\nCPU budget at openbsd-inetd's rate (server + load client; this machine has ${cores} cores):\n`,
  );
  printTable(
    budgetHeaders('service / load', 'unit'),
    rows.map((row, ri) => {
      const nk = raw[ri]![0]!;
      const them = raw[ri]![oi]!;
      const rate = med(them, 'rate');
      const need = (xs: typeof nk) => (rate * (med(xs, 'server') + med(xs, 'client'))) / 1e6;
      const f = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
      return [
        row.label,
        row.cpuUnit,
        f(med(nk, 'server'), 2),
        f(med(nk, 'client'), 2),
        f(med(them, 'server'), 2),
        f(med(them, 'client'), 2),
        f(need(them), 2),
        f(need(nk), 2),
      ];
    }),
  );
}

/**
 * Node's floor for UDP echo: a bare echo on the same UDP handle netkit uses, with no checks at all
 * (no rate limits, no loop breaker, no source rules) — what any Node UDP server here stands on.
 */
async function startUdpEchoFloor(): Promise<{ endpoint: Endpoint; server: RunningServer } | undefined> {
  const b = udpBindings();
  if (!b) return undefined;
  const sock: UdpHandleSocket = openUdpHandle(
    b,
    true,
    '::1',
    0,
    (msg, peer) => sock.send(msg, peer.port, peer.address),
    () => {},
  );
  const address = await sock.bind();
  return {
    endpoint: {
      name: 'Node floor (bare UDP echo)',
      serves: (_s, label) => label.startsWith('echo UDP'),
      tcpHost: '127.0.0.1',
      udpHost: '::1',
      port: () => address.port,
    },
    server: {
      name: 'udp-echo-floor',
      protocol: 'udp',
      address,
      close: () => sock.close(),
      destroy: () => void sock.close(),
    },
  };
}

/**
 * netkit's servers. `portable`: the stream and UDP services on their portable paths (net.Socket
 * streams, node:dgram) — the code before the handle fast paths, measured in the same run; the
 * answer-and-close rows (daytime, time) are left out of that column.
 */
async function startNetkit(portable = false): Promise<{ endpoint: Endpoint; servers: RunningServer[] }> {
  const servers = new Map<string, RunningServer>();
  const host = privateLoopback(portable ? 4 : 1);
  if (portable) setFastPathDefault(false);
  const names = portable
    ? (['echo', 'discard', 'chargen'] as const)
    : (['echo', 'discard', 'daytime', 'chargen', 'time'] as const);
  for (const name of names) {
    // TCP limits as shipped, except the total connection cap, raised like the peers' fork limits.
    servers.set(
      `${name}/tcp`,
      await startService(name, 'tcp', { host, port: 0, tcpLimits: { maxConnections: 100_000 } }),
    );
  }
  // The per-source rate limits are per client address; the bench's single address sends 100,000s
  // of datagrams per second, so they are raised here (as the peers' limiters are). The loop
  // breaker stays on: the load client's payloads are distinct, as a real client's are.
  servers.set(
    'echo/udp',
    await startService('echo', 'udp', {
      host: '::1',
      port: 0,
      udpLimits: { ratePerSec: 1e9, burst: 1e9, peerRatePerSec: 1e9, peerBurst: 1e9 },
    }),
  );
  setFastPathDefault(true);
  return {
    endpoint: {
      name: portable ? 'netkit portable' : 'netkit',
      serves: (s) => servers.has(`${s}/tcp`) || servers.has(`${s}/udp`),
      tcpHost: host,
      udpHost: '::1',
      port: (s, p) => servers.get(`${s}/${p}`)!.address.port,
    },
    servers: [...servers.values()],
  };
}

export default async function bench(): Promise<void> {
  loadgenPath();
  const peers: PeerDaemon[] = [];
  const endpoints: Endpoint[] = [];
  const nk = await startNetkit();
  const extra: RunningServer[] = [];
  endpoints.push(nk.endpoint);
  try {
    try {
      const oi = await startOpenbsdInetd({ tcpHost: privateLoopback(2), udp: true });
      if (oi) peers.push(oi);
      else console.log('openbsd-inetd not found: set NETKIT_OPENBSD_INETD (ratios need it)');
    } catch (e) {
      console.log(`openbsd-inetd: ${(e as Error).message}`);
    }
    try {
      const xi = await startXinetd({ host: privateLoopback(3), udp: true });
      if (xi) peers.push(xi);
      else console.log('xinetd not installed (apt-get install xinetd): its column is skipped');
    } catch (e) {
      console.log(`xinetd: ${(e as Error).message}`);
    }
    for (const p of peers) {
      endpoints.push({
        name: p.name,
        pid: p.pid,
        tcpHost: p.tcpHost,
        udpHost: p.udpHost,
        port: (s) => P[s]!,
      });
    }
    const floor = await startUdpEchoFloor();
    if (floor) {
      extra.push(floor.server);
      endpoints.push(floor.endpoint);
    }
    if (PORTABLE) {
      const np = await startNetkit(true);
      extra.push(...np.servers);
      endpoints.push(np.endpoint);
    }
    const rows = ROW_FILTER.length
      ? allRows.filter((r) => ROW_FILTER.some((f) => r.label.includes(f)))
      : allRows;
    const results: (number | undefined)[][][] = rows.map(() => endpoints.map(() => []));
    const cpu: number[][][] = rows.map(() => endpoints.map(() => []));
    // Per rep, in the CPU table's units (MB, connections, datagrams): the rate, and the server's
    // and the load client's CPU per unit — what a CPU budget of the whole machine needs.
    const raw: { rate: number; server: number; client: number }[][][] = rows.map(() =>
      endpoints.map(() => []),
    );
    const t0 = Date.now();
    for (let rep = 0; rep < REPS; rep++) {
      for (const [ri, row] of rows.entries()) {
        for (const [ei, e] of endpoints.entries()) {
          try {
            if (e.serves && !e.serves(row.label.slice(0, row.label.indexOf(' ')), row.label)) continue;
            const c0 = cpuSeconds(e.pid);
            const r = await row.run(e);
            // Forked inetd children are counted once reaped: give the last ones a moment.
            if (e.pid !== undefined) await new Promise((res) => setTimeout(res, 100));
            const c1 = cpuSeconds(e.pid);
            results[ri]![ei]!.push(r ? r.rate * row.scale : undefined);
            if (r && r.total > 0) {
              cpu[ri]![ei]!.push(((c1 - c0) * 1e6) / (r.total * row.cpuScale));
              const units = r.total * row.cpuScale;
              raw[ri]![ei]!.push({
                rate: r.rate * row.cpuScale,
                server: ((c1 - c0) * 1e6) / units,
                client: r.cpu_us / units,
              });
            }
          } catch (err) {
            console.log(`${e.name} ${row.label}: ${(err as Error).message}`);
          }
        }
      }
    }
    const names = endpoints.map((e) => e.name);
    const oiIndex = names.indexOf('openbsd-inetd');
    const xiIndex = names.indexOf('xinetd');
    const headers = [
      'service / load',
      'unit',
      ...names.map((n) => `${n} (median; reps)`),
      'netkit ÷ openbsd-inetd',
      'goal',
      'netkit ÷ xinetd',
    ];
    const table: (string | number)[][] = [];
    for (const [ri, row] of rows.entries()) {
      const med = results[ri]!.map((xs) => {
        const v = xs.filter((x): x is number => x !== undefined);
        return v.length ? median(v) : Number.NaN;
      });
      const cell = (i: number) => {
        const v = results[ri]![i]!.filter((x): x is number => x !== undefined);
        return v.length
          ? `${Math.round(med[i]!).toLocaleString('en-US')} (${v.map((x) => Math.round(x).toLocaleString('en-US')).join('/')})`
          : 'n/a';
      };
      table.push([
        row.label,
        row.unit,
        ...names.map((_, i) => cell(i)),
        oiIndex >= 0 ? ratio(med[0]!, med[oiIndex]!) : 'n/a',
        row.goal ? `≥ ${row.goal}×` : '',
        xiIndex >= 0 ? ratio(med[0]!, med[xiIndex]!) : 'n/a',
      ]);
    }
    printTable(headers, table);
    console.log('\nServer CPU time per unit of work (median; lower is better):\n');
    printTable(
      ['service / load', 'unit', ...names, 'netkit ÷ openbsd-inetd (CPU)'],
      rows.map((row, ri) => {
        const med = cpu[ri]!.map((xs) => (xs.length ? median(xs) : Number.NaN));
        return [
          row.label,
          row.cpuUnit,
          ...med.map((m) => (Number.isFinite(m) ? m : 'n/a')),
          oiIndex >= 0 && Number.isFinite(med[0]!) && med[oiIndex]! > 0
            ? `${(med[0]! / med[oiIndex]!).toFixed(2)}×`
            : 'n/a',
        ];
      }),
    );
    if (oiIndex >= 0) printBudget(rows, raw, oiIndex);
    console.log(
      `\n${REPS} interleaved reps of ${SECONDS} s per cell, ${((Date.now() - t0) / 1000).toFixed(0)} s in all. Loopback, client and servers share the cores.`,
    );
    console.log(
      'netkit UDP echo runs with its per-source rate limits raised (the loop breaker on); xinetd UDP rows reflect its drain().',
    );
  } finally {
    for (const p of peers) await p.stop();
    for (const s of [...nk.servers, ...extra]) await s.close();
  }
}
