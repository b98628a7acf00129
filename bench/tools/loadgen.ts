// The shared load client for benches: builds bench/tools/loadgen.c with gcc into bench/out/ (once
// per source change) and runs one measurement, returning its figures. Reusable by any bench:
// `await connRate({ host, port, parallel: 4, seconds: 3 })`.

import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('./loadgen.c', import.meta.url));
const OUT_DIR = fileURLToPath(new URL('../out/', import.meta.url));
const BIN = `${OUT_DIR}loadgen`;

export interface LoadResult {
  mode: string;
  /** Connections, bytes, round trips or replies, by mode. */
  total: number;
  seconds: number;
  /** total / seconds. */
  rate: number;
  errors: number;
  lost: number;
  /** The load client's own CPU time (user + system, all threads), µs. */
  cpu_us: number;
}

/** Path of the compiled load client, building it first if needed (needs gcc). */
export function loadgenPath(): string {
  if (!existsSync(BIN) || statSync(BIN).mtimeMs < statSync(SRC).mtimeMs) {
    mkdirSync(OUT_DIR, { recursive: true });
    execFileSync('gcc', ['-O2', '-Wall', '-pthread', '-o', BIN, SRC], { stdio: 'inherit' });
  }
  return BIN;
}

export function runLoadgen(args: (string | number)[], timeoutMs: number): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(loadgenPath(), args.map(String), { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (c) => (out += c));
    p.stderr.on('data', (c) => (err += c));
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('close', (code) => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(out) as LoadResult);
      } catch {
        reject(new Error(`loadgen ${args.join(' ')} failed (${code}): ${err || out}`));
      }
    });
  });
}

interface Target {
  host: string;
  port: number;
  seconds: number;
}
const limit = (t: Target) => t.seconds * 1000 + 15_000;

/** PARALLEL loops of connect, read to EOF, close: connections per second. */
export function connRate(t: Target & { parallel: number }): Promise<LoadResult> {
  return runLoadgen(['conn', t.host, t.port, t.parallel, t.seconds], limit(t));
}
/** CONNS connections reading as fast as they can (chargen): bytes per second. */
export function readRate(t: Target & { conns: number }): Promise<LoadResult> {
  return runLoadgen(['read', t.host, t.port, t.conns, t.seconds], limit(t));
}
/** CONNS connections writing 16 KiB chunks (discard): bytes per second. */
export function writeRate(t: Target & { conns: number }): Promise<LoadResult> {
  return runLoadgen(['write', t.host, t.port, t.conns, t.seconds], limit(t));
}
/** CONNS connections keeping INFLIGHT bytes outstanding (echo bulk): echoed bytes per second. */
export function echoBulk(t: Target & { conns: number; inflight: number }): Promise<LoadResult> {
  return runLoadgen(['echo', t.host, t.port, t.conns, t.seconds, t.inflight], limit(t));
}
/** One connection, one SIZE-byte message at a time: round trips per second. */
export function pingPong(t: Target & { size: number }): Promise<LoadResult> {
  return runLoadgen(['pingpong', t.host, t.port, t.seconds, t.size], limit(t));
}
/** SOCKETS UDP sockets with INFLIGHT datagrams each (distinct payloads): replies per second. */
export function udpEcho(
  t: Target & { sockets: number; inflight: number; size: number },
): Promise<LoadResult> {
  return runLoadgen(['udpecho', t.host, t.port, t.sockets, t.inflight, t.seconds, t.size], limit(t));
}
