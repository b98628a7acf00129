// Starts the peers for differential tests and benches: openbsd-inetd (unpacked Debian binary) and
// xinetd, each with a config of its own, built-in services only, on loopback addresses we choose.
// Built-in services are found by name, so they listen on the well-known ports: we keep them apart
// from everything else by binding a loopback address of their own (127.x.y.z). Debian's inetd drops
// UDP from 127.0.0.0/8, so its UDP side listens on ::1.

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { which } from './peers.js';

export const OPENBSD_INETD =
  process.env.NETKIT_OPENBSD_INETD ?? '/var/cache/netkit-peers/openbsd-inetd/usr/sbin/inetd';

export function openbsdInetdPath(): string | undefined {
  return existsSync(OPENBSD_INETD) ? OPENBSD_INETD : undefined;
}

export interface PeerDaemon {
  name: string;
  tcpHost: string;
  udpHost: string | undefined;
  pid: number;
  stop(): Promise<void>;
}

const PORTS: Record<string, number> = { echo: 7, discard: 9, daytime: 13, chargen: 19, time: 37 };

async function waitListening(host: string, ports: number[], proc: ChildProcess, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  for (const port of ports) {
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`peer exited with ${proc.exitCode}`);
      const ok = await new Promise<boolean>((r) => {
        const s = net.connect({ host, port }, () => {
          s.destroy();
          r(true);
        });
        s.on('error', () => r(false));
      });
      if (ok) break;
      if (Date.now() > deadline) throw new Error(`peer not listening on ${host}:${port}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

function stopper(proc: ChildProcess, dir: string): () => Promise<void> {
  return async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      const gone = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await Promise.race([gone, new Promise((r) => setTimeout(r, 2000))]);
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  };
}

/** A loopback address of our own for this process: 127.<a>.<b>.<c>. */
export function privateLoopback(c: number): string {
  return `127.${77 + (process.pid % 100)}.${(process.pid >> 7) % 250}.${c}`;
}

export async function startOpenbsdInetd(opts: {
  tcpHost: string;
  udp?: boolean;
  services?: string[];
}): Promise<PeerDaemon | undefined> {
  const bin = openbsdInetdPath();
  if (!bin) return undefined;
  const services = opts.services ?? Object.keys(PORTS);
  const dir = mkdtempSync(join(tmpdir(), 'netkit-oi-'));
  const lines = [`${opts.tcpHost}:`, ...services.map((s) => `${s} stream tcp4 nowait.1000000 root internal`)];
  if (opts.udp) lines.push('[::1]:', ...services.map((s) => `${s} dgram udp6 wait root internal`));
  const conf = join(dir, 'inetd.conf');
  writeFileSync(conf, `${lines.join('\n')}\n`);
  const proc = spawn(bin, ['-i', '-R', '1000000', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  proc.stderr?.on('data', (c) => (err += c));
  const stop = stopper(proc, dir);
  try {
    await waitListening(
      opts.tcpHost,
      services.map((s) => PORTS[s]!),
      proc,
    );
  } catch (e) {
    await stop();
    throw new Error(`openbsd-inetd did not start: ${(e as Error).message} ${err}`);
  }
  return {
    name: 'openbsd-inetd',
    tcpHost: opts.tcpHost,
    udpHost: opts.udp ? '::1' : undefined,
    pid: proc.pid!,
    stop,
  };
}

export async function startXinetd(opts: {
  host: string;
  udp?: boolean;
  services?: string[];
}): Promise<PeerDaemon | undefined> {
  const bin = which('xinetd');
  if (!bin) return undefined;
  const services = opts.services ?? Object.keys(PORTS);
  const dir = mkdtempSync(join(tmpdir(), 'netkit-xi-'));
  const blocks = ['defaults\n{\n  instances = UNLIMITED\n  cps = 100000 1\n  per_source = UNLIMITED\n}'];
  for (const s of services) {
    blocks.push(
      `service ${s}\n{\n  type = INTERNAL\n  id = ${s}-stream\n  socket_type = stream\n  protocol = tcp\n  user = root\n  wait = no\n  bind = ${opts.host}\n}`,
    );
    if (opts.udp) {
      blocks.push(
        `service ${s}\n{\n  type = INTERNAL\n  id = ${s}-dgram\n  socket_type = dgram\n  protocol = udp\n  user = root\n  wait = yes\n  bind = ${opts.host}\n}`,
      );
    }
  }
  const conf = join(dir, 'xinetd.conf');
  writeFileSync(conf, `${blocks.join('\n')}\n`);
  const proc = spawn(bin, ['-dontfork', '-f', conf, '-pidfile', join(dir, 'pid')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  proc.stderr?.on('data', (c) => (err += c));
  const stop = stopper(proc, dir);
  try {
    await waitListening(
      opts.host,
      services.map((s) => PORTS[s]!),
      proc,
    );
  } catch (e) {
    await stop();
    throw new Error(`xinetd did not start: ${(e as Error).message} ${err.slice(0, 500)}`);
  }
  return {
    name: 'xinetd',
    tcpHost: opts.host,
    udpHost: opts.udp ? opts.host : undefined,
    pid: proc.pid!,
    stop,
  };
}
