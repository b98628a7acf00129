// `npm run bench [-- FILTER…]`: runs every bench/**/*.bench.ts (or those whose path contains a
// filter). Each module's default export prints its own figures and ratios against the peers
// it measured in the same run. Benches are bounded in count and time and stop by themselves.
// Each bench file runs in a process of its own, so one bench's heap, JIT state and leftover
// handles never weigh on the next one's figures (or on one side of a ratio more than the other).
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = new URL('.', import.meta.url).pathname;
const files: string[] = [];
(function walk(dir: string) {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith('.bench.ts')) files.push(p);
  }
})(root);

const args = process.argv.slice(2);
if (args[0] === '--one') {
  // The child: one bench file.
  const f = args[1]!;
  const mod = (await import(pathToFileURL(f).href)) as { default: () => Promise<void> };
  await mod.default();
  process.exit(0);
}

const filters = args;
const chosen = filters.length
  ? files.filter((f) => filters.some((x) => relative(root, f).includes(x)))
  : files;
if (chosen.length === 0) {
  console.error(`bench: nothing matched ${filters.join(' ')}`);
  process.exit(2);
}
// Benches spawn bin/netkit.js: measure the precompiled build of the current sources.
spawnSync(process.execPath, [join(root, '../scripts/build.mjs')], { stdio: 'inherit' });
let failed = 0;
for (const f of chosen) {
  console.log(`\n## ${relative(root, f)}\n`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--one', f], {
    stdio: 'inherit',
  });
  if (r.status !== 0) {
    failed++;
    console.log(`bench: ${relative(root, f)} failed (${r.status ?? r.signal})`);
  }
}
process.exitCode = failed ? 1 : 0;
