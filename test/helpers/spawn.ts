// Runs a peer program with a hard time limit; resolves with its output whatever the exit status.

import { spawn } from 'node:child_process';

export interface RunResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

export function runPeer(
  cmd: string,
  args: string[],
  opts: { input?: string | Buffer; timeoutMs?: number; keepStdinOpen?: boolean } = {},
): Promise<RunResult> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    p.stdout.on('data', (c: Buffer) => out.push(c));
    p.stderr.on('data', (c) => (err += c));
    p.stdin.on('error', () => {});
    const timer = setTimeout(() => p.kill('SIGKILL'), opts.timeoutMs ?? 5000);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out), stderr: err });
    });
    if (opts.input !== undefined) p.stdin.end(opts.input);
    else if (!opts.keepStdinOpen) p.stdin.end();
  });
}
