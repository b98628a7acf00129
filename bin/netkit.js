#!/usr/bin/env node
// Entry point: loads the TypeScript sources through tsx, wires process I/O and signals into main().
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');

const controller = new AbortController();
let signals = 0;
const onSignal = (sig) => {
  signals++;
  if (signals > 1) process.exit(sig === 'SIGINT' ? 130 : 143); // second Ctrl-C: stop now
  controller.abort();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
// A closed stdout (netkit read … | head) is a normal end, not a crash.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(0);
});

const code = await main(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  stdinIsTTY: Boolean(process.stdin.isTTY),
  stdoutIsTTY: Boolean(process.stdout.isTTY),
  stderrIsTTY: Boolean(process.stderr.isTTY),
  env: process.env,
  signal: controller.signal,
});
process.exitCode = code;
// Servers have closed by now; don't let a stray handle keep the process alive.
setTimeout(() => process.exit(code), 100).unref();
