// Builds the C peer of the demo program: Debian's rpcgen makes the header, XDR routines, client
// stubs and dispatcher from examples/rpc/demo.x; gcc links them with our demo_server.c and
// demo_client.c (test/fixtures/rpc) against libtirpc. Used by the interop test and the bench.

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const root = new URL('../../..', import.meta.url).pathname;

export interface CDemo {
  dir: string;
  server: string;
  client: string;
  cleanup(): void;
}

export function buildCDemo(rpcgen: string, gcc: string): CDemo {
  const dir = mkdtempSync(join(tmpdir(), 'netkit-rpcdemo-'));
  copyFileSync(join(root, 'examples/rpc/demo.x'), join(dir, 'demo.x'));
  for (const f of ['demo_server.c', 'demo_client.c'])
    copyFileSync(join(root, 'test/fixtures/rpc', f), join(dir, f));
  const run = (cmd: string, args: string[]) =>
    execFileSync(cmd, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  run(rpcgen, ['-h', 'demo.x', '-o', 'demo.h']);
  run(rpcgen, ['-c', 'demo.x', '-o', 'demo_xdr.c']);
  run(rpcgen, ['-l', 'demo.x', '-o', 'demo_clnt.c']);
  run(rpcgen, ['-m', 'demo.x', '-o', 'demo_svc.c']);
  const cc = ['-O2', '-I/usr/include/tirpc', '-w'];
  run(gcc, [...cc, '-o', 'demo_server', 'demo_server.c', 'demo_svc.c', 'demo_xdr.c', '-ltirpc']);
  run(gcc, [...cc, '-o', 'demo_client', 'demo_client.c', 'demo_clnt.c', 'demo_xdr.c', '-ltirpc']);
  return {
    dir,
    server: join(dir, 'demo_server'),
    client: join(dir, 'demo_client'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Starts the C server on a free loopback port (TCP and UDP); resolves once it prints its port. */
export function startCServer(c: CDemo): Promise<{ port: number; proc: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(c.server, ['0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = setTimeout(() => {
      proc.kill();
      reject(new Error('C demo server did not start within 5 s'));
    }, 5000);
    proc.once('error', reject);
    const rl = createInterface({ input: proc.stdout! });
    rl.once('line', (line) => {
      clearTimeout(timer);
      const m = /^PORT (\d+)$/.exec(line);
      if (!m) reject(new Error(`C demo server said: ${line}`));
      else resolve({ port: Number(m[1]), proc });
    });
  });
}

/** Runs the C client; resolves with its stdout (rejects on a non-zero exit or after timeoutMs). */
export function runCClient(c: CDemo, args: string[], timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const proc = spawn(c.client, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString('utf8');
    });
    proc.stderr!.on('data', (d: Buffer) => {
      err += d.toString('utf8');
    });
    const timer = setTimeout(() => proc.kill(), timeoutMs);
    proc.once('error', reject);
    proc.once('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`demo_client ${args.join(' ')} exited ${code}: ${out}${err}`));
    });
  });
}
