// Runs the real `netkit` command (bin/netkit.js) as a child process.

import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const NETKIT = fileURLToPath(new URL('../../bin/netkit.js', import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `netkit ARGS` to completion (killed after timeoutMs), feeding `input` on stdin. */
export function runCli(
  args: string[],
  opts: { input?: string; timeoutMs?: number; env?: Record<string, string> } = {},
): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [NETKIT, ...args], {
      env: { ...process.env, ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const t = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 20_000);
    child.on('close', (code, signal) => {
      clearTimeout(t);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(opts.input ?? '');
  });
}

export interface LongRunning {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves when stdout+stderr match `re`. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit status. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(): void;
}

/** Starts `netkit ARGS` (or any program) and keeps it running; always call kill() in finally. */
export function startProcess(
  cmd: string,
  args: string[],
  opts: { stdin?: 'pipe' | 'ignore' } = {},
): LongRunning {
  const child = spawn(cmd, args, { stdio: [opts.stdin ?? 'pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.on('exit', (code, signal) => r({ code, signal })),
  );
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor(re, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const t0 = Date.now();
        const tick = () => {
          const m = (out + err).match(re);
          if (m) return resolve(m);
          if (Date.now() - t0 > timeoutMs || child.exitCode !== null) {
            return reject(
              new Error(
                `waitFor ${re}: not seen; stdout=${JSON.stringify(out)} stderr=${JSON.stringify(err)}`,
              ),
            );
          }
          setTimeout(tick, 20);
        };
        tick();
      });
    },
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

export function startCli(args: string[], opts: { stdin?: 'pipe' | 'ignore' } = {}): LongRunning {
  return startProcess(process.execPath, [NETKIT, ...args], opts);
}

/** Starts a netkit server on port 0 and returns its port from the "listening on" log line. */
export async function startCliServer(
  args: string[],
  opts: { stdin?: 'pipe' | 'ignore' } = {},
): Promise<LongRunning & { port: number }> {
  const p = startCli([...args, '--port', '0'], opts);
  try {
    const m = await p.waitFor(/listening on tcp [^\s]*:(\d+)|"event":"listening".*?"port":(\d+)/);
    return Object.assign(p, { port: Number(m[1] ?? m[2]) });
  } catch (err) {
    p.kill();
    throw err;
  }
}
