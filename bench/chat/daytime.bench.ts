// The course's day/time server (ctime + "Have a nice day!") beside openbsd-inetd's built-in
// daytime, measured by the same C load client (bench/tools/loadgen.c) in one run: connections per
// second with 4 and 16 connections in flight, interleaved, 3 reps, medians, ratio to inetd; then
// the CPU per connection of each server and of the load client, and the cores each pair needs.
// Two bare Node servers (./node-floor.ts) are measured beside them: the floor under any Node
// daytime server here, with and without a graceful close.
// NETKIT_BENCH_SECONDS sets one measurement's length (default 1.5 s).

import { availableParallelism } from 'node:os';
import { daytimeMessage, serveCourseDaytime } from '../../src/chat/daytime.js';
import { ctime } from '../../src/core/time.js';
import { privateLoopback, startOpenbsdInetd } from '../../test/helpers/inetd.js';
import { procCpuMs, selfCpuMs, withCpu } from '../helpers/cpu.js';
import { budgetHeaders, median, printTable, ratio } from '../helpers/report.js';
import { connRate, loadgenPath } from '../tools/loadgen.js';
import { type FloorServer, startNodeFloor } from './node-floor.js';

const SECONDS = Number(process.env.NETKIT_BENCH_SECONDS ?? 1.5);
const REPS = 3;

export default async function bench(): Promise<void> {
  loadgenPath(); // build the load client before anything is timed
  const netkit = await serveCourseDaytime({ host: '127.0.0.1', port: 0 });
  const inetdHost = privateLoopback(21);
  const inetd = await startOpenbsdInetd({ tcpHost: inetdHost, services: ['daytime'] }).catch((e: Error) => {
    console.log(`openbsd-inetd not measured: ${e.message}`);
    return undefined;
  });
  if (!inetd) console.log('openbsd-inetd not found (apt-get download openbsd-inetd; see .ci/run): no ratio');
  // Node's floor on this machine (./node-floor.ts): what any Node daytime server stands on.
  const reply = Buffer.from(daytimeMessage(ctime()), 'ascii');
  const floors: [string, FloorServer][] = [];
  for (const mode of ['abrupt', 'shutdown'] as const) {
    const f = await startNodeFloor(mode, reply).catch((e: Error) => {
      console.log(`Node floor (${mode}) not measured: ${e.message}`);
      return undefined;
    });
    if (f) floors.push([mode === 'abrupt' ? 'write, close' : 'write, FIN, close', f]);
  }
  try {
    const rows: (string | number)[][] = [];
    const budget: (string | number)[][] = [];
    // µs of CPU per connection: [server, load client], per rep.
    const perConn = (r: { total: number; cpu_us: number }, serverMs: number) => [
      (serverMs * 1000) / r.total,
      r.cpu_us / r.total,
    ];
    for (const parallel of [4, 16]) {
      const ours: number[] = [];
      const theirs: number[] = [];
      const oursCpu: number[][] = [];
      const theirsCpu: number[][] = [];
      const floorRates: number[][] = floors.map(() => []);
      for (let rep = 0; rep < REPS; rep++) {
        for (const [i, [, f]] of floors.entries()) {
          floorRates[i]!.push(
            (await connRate({ host: '127.0.0.1', port: f.port, parallel, seconds: SECONDS })).rate,
          );
        }
        const [a, ms] = await withCpu(selfCpuMs, () =>
          connRate({ host: '127.0.0.1', port: netkit.address.port, parallel, seconds: SECONDS }),
        );
        ours.push(a.rate);
        oursCpu.push(perConn(a, ms));
        if (inetd) {
          const [b, ims] = await withCpu(
            () => procCpuMs(inetd.pid),
            () => connRate({ host: inetdHost, port: 13, parallel, seconds: SECONDS }),
          );
          theirs.push(b.rate);
          theirsCpu.push(perConn(b, ims));
        }
      }
      const a = median(ours);
      const b = inetd ? median(theirs) : Number.NaN;
      if (inetd) {
        const m = (xs: number[][], i: number) => median(xs.map((x) => x[i]!));
        const cores = (xs: number[][]) => (b * (m(xs, 0) + m(xs, 1))) / 1e6;
        budget.push([
          `daytime, ${parallel} in flight`,
          m(oursCpu, 0),
          m(oursCpu, 1),
          m(theirsCpu, 0),
          m(theirsCpu, 1),
          cores(theirsCpu),
          cores(oursCpu),
        ]);
      }
      rows.push([
        `daytime, ${parallel} in flight`,
        'conn/s',
        a,
        inetd ? b : 'n/a',
        inetd ? ratio(a, b) : 'n/a',
        '≥ 1.0×',
        ...floorRates.map((xs) => {
          const f = median(xs);
          return inetd ? `${Math.round(f).toLocaleString('en-US')} (${ratio(f, b)})` : f;
        }),
      ]);
    }
    printTable(
      [
        'course daytime-server',
        'unit',
        'netkit',
        'openbsd-inetd',
        'ratio',
        'goal',
        ...floors.map(([name]) => `Node floor: ${name} (÷ inetd)`),
      ],
      rows,
    );
    if (budget.length) {
      // Where netkit needs more cores than the machine has at inetd's rate, no scheduling of its
      // work can reach that rate here; only less CPU per connection can.
      console.log(
        `\nCPU per connection, µs (server; load client), and the cores each pair needs at openbsd-inetd's rate (this machine: ${availableParallelism()}):\n`,
      );
      printTable(budgetHeaders('course daytime-server'), budget);
    }
  } finally {
    await netkit.close();
    await inetd?.stop();
    for (const [, f] of floors) await f.close();
  }
}
