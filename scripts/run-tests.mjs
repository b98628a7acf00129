// Runs every test/**/*.test.ts through node:test with tsx, as an explicit file list: Node 20's
// --test does not expand *.ts globs and, given a folder, may run nothing and still exit 0.
// Arguments filter the list by substring: `node scripts/run-tests.mjs services/echo`.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const found = [];
(function walk(dir) {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (name === 'fixtures' || name === 'node_modules') continue;
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith('.test.ts')) found.push(relative(root, p));
  }
})(join(root, 'test'));

const filters = process.argv.slice(2);
const files = filters.length ? found.filter((f) => filters.some((x) => f.includes(x))) : found;
if (files.length === 0) {
  console.error(`run-tests: no test files matched (${found.length} found in test/)`);
  process.exit(1);
}
// Tests spawn bin/netkit.js: refresh the precompiled build first so that they run the current
// sources at full speed (bin/netkit.js would fall back to the sources anyway if it were stale).
spawnSync(process.execPath, [join(root, 'scripts/build.mjs'), '--quiet'], { cwd: root, stdio: 'inherit' });
console.log(`run-tests: ${files.length} test files`);
const r = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--import',
    './test/helpers/fc-setup.ts',
    '--test',
    '--test-reporter=spec',
    '--test-timeout=180000',
    ...files,
  ],
  { cwd: root, stdio: 'inherit', env: { ...process.env, NETKIT_TEST_RUNNER: '1' } },
);
process.exit(r.status ?? 1);
