// `npm run bench [-- FILTER…]`: runs every bench/**/*.bench.ts (or those whose path contains a
// filter). Each module's default export prints its own figures and ratios against the peers
// it measured in the same run. Benches are bounded in count and time and stop by themselves.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = new URL('.', import.meta.url).pathname;
const files: string[] = [];
(function walk(dir: string) {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith('.bench.ts')) files.push(p);
  }
})(root);

const filters = process.argv.slice(2);
const chosen = filters.length
  ? files.filter((f) => filters.some((x) => relative(root, f).includes(x)))
  : files;
if (chosen.length === 0) {
  console.error(`bench: nothing matched ${filters.join(' ')}`);
  process.exit(2);
}
// Benches spawn bin/netkit.js: measure the precompiled build of the current sources.
spawnSync(process.execPath, [join(root, '../scripts/build.mjs')], { stdio: 'inherit' });
for (const f of chosen) {
  console.log(`\n## ${relative(root, f)}\n`);
  const mod = (await import(pathToFileURL(f).href)) as { default: () => Promise<void> };
  await mod.default();
}
