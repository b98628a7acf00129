// NULL and GETPORT calls/s of netkit's portmapper beside Debian's rpcbind (RFC 1833), both
// measured by the same C client (bench/rpc/pmap-client.c, built here against libtirpc) in one run,
// interleaved, medians; with the CPU each server spent per call (netkit: this process, which also
// runs the client processes; rpcbind: /proc/PID/stat). rpcbind needs port 111, so the bench takes
// the same port-111 lock as the interop tests. NETKIT_BENCH_SECONDS sets one measurement (1 s).

import { execFile, spawn, spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync, mkdirSync } from 'node:fs';
import net from 'node:net';
import { PortmapClient } from '../../src/rpc/portmap/client.js';
import { startPortmapper } from '../../src/rpc/portmap/server.js';
import { lockPort111 } from '../../test/helpers/port111.js';
import { procCpuMs, selfCpuMs, withCpu } from '../helpers/cpu.js';
import { fmt, median, printTable, ratio } from '../helpers/report.js';

const here = new URL('.', import.meta.url).pathname;
const outDir = new URL('../out/', import.meta.url).pathname;
const client = `${outDir}pmap-client`;
const SECONDS = Number(process.env.NETKIT_BENCH_SECONDS ?? 1);
const REPS = 3;

function build(): string | undefined {
  mkdirSync(outDir, { recursive: true });
  const r = spawnSync(
    'gcc',
    ['-O2', '-I/usr/include/tirpc', `${here}pmap-client.c`, '-o', client, '-ltirpc'],
    { encoding: 'utf8' },
  );
  return r.status === 0 ? undefined : `gcc failed: ${r.stderr.split('\n')[0]}`;
}

interface Run {
  rate: number;
  calls: number;
}

function measure(port: number, transport: string, proc: string, clients: number): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      client,
      ['127.0.0.1', String(port), transport, proc, String(SECONDS), String(clients)],
      { timeout: 30_000, encoding: 'utf8' },
      (err, stdout) => {
        const [rate, calls] = stdout.trim().split(' ').map(Number);
        resolve(err ? { rate: Number.NaN, calls: Number.NaN } : { rate: rate!, calls: calls! });
      },
    );
  });
}

/** One measurement and the server's CPU µs per call during it. */
async function measureCpu(
  cpu: () => number,
  port: number,
  transport: string,
  proc: string,
  clients: number,
): Promise<{ rate: number; cpuUs: number }> {
  const [r, ms] = await withCpu(cpu, () => measure(port, transport, proc, clients));
  return { rate: r.rate, cpuUs: (ms * 1000) / r.calls };
}

async function answers111(): Promise<boolean> {
  try {
    const c = await PortmapClient.connect({ transport: 'tcp', timeoutMs: 500 });
    await c.close();
    return true;
  } catch {
    return false;
  }
}

/**
 * The socket floor: a Node responder on net.Socket / dgram that answers every NULL call with a
 * fixed reply, no decoding. netkit's servers run on libuv's handles (src/core/fast-*.ts), below it.
 */
async function startFloor(): Promise<{ port: number; close(): void }> {
  const tcp = net.createServer({ noDelay: true }, (c) => {
    c.on('data', (d: Buffer) => {
      for (let i = 0; i + 44 <= d.length; i += 44) {
        const out = Buffer.alloc(28);
        out.writeUInt32BE(0x80000018, 0);
        d.copy(out, 4, i + 4, i + 8);
        out[11] = 1;
        c.write(out);
      }
    });
  });
  await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', () => r()));
  const port = (tcp.address() as net.AddressInfo).port;
  const udp = dgram.createSocket('udp4');
  udp.on('message', (m, r) => {
    const out = Buffer.alloc(24);
    m.copy(out, 0, 0, 4);
    out[7] = 1;
    udp.send(out, r.port, r.address);
  });
  await new Promise<void>((r) => udp.bind(port, '127.0.0.1', () => r()));
  return {
    port,
    close() {
      tcp.close();
      udp.close();
    },
  };
}

export default async function (): Promise<void> {
  const err = build();
  if (err) {
    console.log(`portmap bench skipped: ${err}`);
    return;
  }
  // rpcbind binds 111: wait for the interop tests (and anyone else holding the lock) to finish.
  const release = await lockPort111();
  try {
    await run();
  } finally {
    release();
  }
}

async function run(): Promise<void> {
  const pm = await startPortmapper({ port: 0 });
  const ours = pm.tcp!.address.port;
  const floor = await startFloor();
  let rpcbind: ReturnType<typeof spawn> | undefined;
  let note = '';
  const isRoot = process.getuid?.() === 0;
  if (!isRoot) note = 'rpcbind not measured: needs root (port 111)';
  else if (await answers111()) note = 'rpcbind not measured: port 111 already in use';
  else if (!existsSync('/usr/sbin/rpcbind')) note = 'rpcbind not installed';
  else {
    rpcbind = spawn('/usr/sbin/rpcbind', ['-f'], { stdio: 'ignore' });
    for (let i = 0; i < 50 && !(await answers111()); i++) await new Promise((r) => setTimeout(r, 100));
  }
  try {
    // Warm-up (JIT, socket buffers) so the first row is not a cold start.
    for (const transport of ['udp', 'tcp']) {
      await measure(ours, transport, 'getport', 2);
      await measure(floor.port, transport, 'null', 2);
    }
    const rpcbindCpu = () => procCpuMs(rpcbind!.pid!);
    const rows: (string | number)[][] = [];
    for (const transport of ['udp', 'tcp']) {
      for (const proc of ['null', 'getport']) {
        for (const clients of [1, 4]) {
          const a: number[] = [];
          const b: number[] = [];
          const ca: number[] = [];
          const cb: number[] = [];
          const f: number[] = [];
          for (let rep = 0; rep < REPS; rep++) {
            const x = await measureCpu(selfCpuMs, ours, transport, proc, clients);
            a.push(x.rate);
            ca.push(x.cpuUs);
            if (rpcbind) {
              const y = await measureCpu(rpcbindCpu, 111, transport, proc, clients);
              b.push(y.rate);
              cb.push(y.cpuUs);
            }
            if (proc === 'null') f.push((await measure(floor.port, transport, proc, clients)).rate);
          }
          const na = median(a);
          const nb = rpcbind ? median(b) : Number.NaN;
          rows.push([
            `${proc.toUpperCase()} ${transport}`,
            String(clients),
            na,
            rpcbind ? nb : 'n/a',
            rpcbind ? ratio(na, nb) : 'n/a',
            rpcbind ? `${fmt(median(ca))} / ${fmt(median(cb))}` : fmt(median(ca)),
            proc === 'null' ? median(f) : '',
          ]);
        }
      }
    }
    console.log(
      `C client (libtirpc clnt_call loop, ${SECONDS} s per run, ${REPS} runs, medians); calls/s.` +
        ' "Node socket floor": a net.Socket/dgram responder sending a fixed NULL reply without decoding' +
        ' (netkit serves on libuv’s handles and is not bound by it).',
    );
    if (note) console.log(note);
    printTable(
      [
        'calls',
        'clients',
        'netkit portmap',
        'rpcbind 1.2.6',
        'ratio (goal ≥ 1.0×)',
        'CPU µs/call netkit / rpcbind',
        'Node socket floor',
      ],
      rows,
    );
  } finally {
    floor.close();
    await pm.close();
    if (rpcbind) {
      rpcbind.kill('SIGTERM');
      await new Promise((r) => {
        rpcbind!.once('exit', r);
        setTimeout(r, 2000);
      });
    }
  }
}
