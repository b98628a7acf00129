// DEMO_ADD calls/s of netkit's demo server beside the rpcgen-built C server (libtirpc), both driven
// by the same C client (stubs from Debian's rpcgen) in one run: TCP and UDP, interleaved, medians
// of 5, with the CPU each server spent per call (/proc/PID/stat of each server process).
// NETKIT_BENCH_CALLS sets the calls per run (20,000). Node's floor is measured beside them
// (./demo-floor.ts): bare responders on the same TCP and UDP handles, answering a fixed reply.
//
// Both servers run in processes of their own. (The netkit server used to run inside this bench
// process, whose event loop also spawns the client processes and reads their output: that work
// shared the server's thread and was counted in its CPU, which the C server never had to carry.)

import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { which } from '../../test/helpers/peers.js';
import { buildCDemo, runCClient, startCServer } from '../../test/rpc/demo/c-peer.js';
import { procCpuMs, withCpu } from '../helpers/cpu.js';
import { fmt, median, printTable, ratio } from '../helpers/report.js';

const CALLS = Number(process.env.NETKIT_BENCH_CALLS ?? 20_000);
const REPEATS = 5;

/** Calls/s of `clients` C client processes in parallel, each making CALLS/clients DEMO_ADD calls in a loop. */
async function rate(
  client: Parameters<typeof runCClient>[0],
  port: number,
  transport: string,
  clients: number,
): Promise<number> {
  const each = Math.floor(CALLS / clients);
  const outs = await Promise.all(
    Array.from({ length: clients }, () =>
      runCClient(client, [String(port), transport, 'bench', String(each)], 60_000),
    ),
  );
  let calls = 0;
  let slowest = 0;
  for (const out of outs) {
    const m = /CALLS (\d+) SECONDS ([\d.]+)/.exec(out);
    if (!m) throw new Error(`unexpected client output: ${out}`);
    calls += Number(m[1]);
    slowest = Math.max(slowest, Number(m[2]));
  }
  return calls / slowest;
}

/** Starts a bench server file (bench/rpc/demo-server.ts) in its own Node process; resolves with its port. */
function startNetkitServer(
  file = 'bench/rpc/demo-server.ts',
): Promise<{ port: number; proc: ReturnType<typeof spawn> }> {
  const root = new URL('../..', import.meta.url).pathname;
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', file], {
      cwd: root,
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error('netkit demo server did not start within 20 s'));
    }, 20_000);
    proc.once('error', reject);
    createInterface({ input: proc.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      const m = /^PORT (\d+)$/.exec(line);
      if (m) resolve({ port: Number(m[1]), proc });
      else reject(new Error(`netkit demo server said: ${line}`));
    });
  });
}

export default async function bench(): Promise<void> {
  const rpcgen = which('rpcgen');
  const gcc = which('gcc');
  if (!rpcgen || !gcc) {
    console.log('rpc/demo: rpcgen or gcc missing (apt-get install rpcsvc-proto gcc libtirpc-dev); skipped');
    return;
  }
  const c = buildCDemo(rpcgen, gcc);
  const cServer = await startCServer(c);
  const netkit = await startNetkitServer();
  const floor = await startNetkitServer('bench/rpc/demo-floor.ts').catch((e: Error) => {
    console.log(`Node floor not measured: ${e.message}`);
    return undefined;
  });
  const cServerCpu = () => procCpuMs(cServer.proc.pid!);
  const netkitCpu = () => procCpuMs(netkit.proc.pid!);
  try {
    const rows: (string | number)[][] = [];
    for (const clients of [1, 4]) {
      for (const transport of ['tcp', 'udp'] as const) {
        const ours: number[] = [];
        const theirs: number[] = [];
        const cpuOurs: number[] = [];
        const cpuTheirs: number[] = [];
        const floorRates: number[] = [];
        const netkitPort = netkit.port;
        await rate(c, netkitPort, transport, clients); // warm-up: JIT, connection paths
        const calls = Math.floor(CALLS / clients) * clients;
        for (let i = 0; i < REPEATS; i++) {
          const [a, ca] = await withCpu(netkitCpu, () => rate(c, netkitPort, transport, clients));
          ours.push(a);
          cpuOurs.push((ca * 1000) / calls);
          const [b, cb] = await withCpu(cServerCpu, () => rate(c, cServer.port, transport, clients));
          theirs.push(b);
          cpuTheirs.push((cb * 1000) / calls);
          if (floor) floorRates.push(await rate(c, floor.port, transport, clients));
        }
        const label = `DEMO_ADD ${transport}, ${clients} C client${clients > 1 ? 's' : ''}`;
        rows.push([
          label,
          median(ours),
          median(theirs),
          ratio(median(ours), median(theirs)),
          `${fmt(median(cpuOurs))} / ${fmt(median(cpuTheirs))}`,
          floorRates.length
            ? `${fmt(median(floorRates))} (${ratio(median(floorRates), median(theirs))})`
            : '',
        ]);
      }
    }
    printTable(
      [
        `calls/s (${CALLS} calls each)`,
        'netkit server',
        'rpcgen C server',
        'ratio',
        'CPU µs/call netkit / C',
        'Node floor: bare responder (÷ C)',
      ],
      rows,
    );
  } finally {
    cServer.proc.kill('SIGKILL');
    floor?.proc.stdin?.end();
    netkit.proc.stdin!.end();
    await new Promise((r) => {
      netkit.proc.once('exit', r);
      setTimeout(() => {
        netkit.proc.kill('SIGKILL');
        r(undefined);
      }, 3000).unref();
    });
    c.cleanup();
  }
}
