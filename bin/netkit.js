#!/usr/bin/env node
// Entry point: runs the precompiled bundle (dist/, made by scripts/build.mjs) when it was built
// from exactly the sources on disk, else loads the TypeScript sources through tsx; then wires
// process I/O and signals into main(). NETKIT_FROM_SOURCE=1 always uses the sources.
import { readFileSync } from 'node:fs';
import { hashInputs } from '../scripts/build-hash.mjs';

const root = new URL('..', import.meta.url);

/** The bundle's main(), or undefined when there is no build or any input changed since it was made. */
async function fromBuild() {
  if (process.env.NETKIT_FROM_SOURCE === '1') return undefined;
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(new URL('dist/netkit.json', root), 'utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(manifest.inputs) || typeof manifest.bundle !== 'string') return undefined;
  if (hashInputs(root.pathname, manifest.inputs) !== manifest.hash) return undefined;
  try {
    return (await import(new URL(`dist/${manifest.bundle}`, root).href)).main;
  } catch {
    return undefined; // removed by a concurrent rebuild: the sources are always there
  }
}

let main = await fromBuild();
if (process.env.NETKIT_DEBUG)
  process.stderr.write(`netkit: running ${main ? 'dist/ bundle' : 'sources via tsx'}\n`);
if (main === undefined) {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
}

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
