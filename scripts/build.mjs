// Precompiled build of the CLI (run by `npm install`/`npm ci` as the `prepare` script, by the test
// runner and by the benches): esbuild bundles src/cli/main.ts and everything it imports into
// dist/netkit-<hash>/ (main.mjs, and one chunk per lazily loaded command), and dist/netkit.json
// records the SHA-256 of every input. bin/netkit.js uses the bundle only while every input still
// hashes the same (see docs/architecture.md).
// A failed build is a warning, not an error: bin/netkit.js then runs the sources through tsx.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hashInputs } from './build-hash.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
const entry = join(root, 'src/cli/main.ts');

/** Files that decide the output besides the bundled sources. */
const EXTRA_INPUTS = ['tsconfig.json', 'scripts/build.mjs', 'scripts/build-hash.mjs', 'package.json'];

async function build() {
  const esbuild = await import('esbuild');
  // `import.meta.url` names the file it is written in; inside one bundle it would name the bundle.
  // Each source's own URL is rebuilt from the bundle's, so `new URL('../../data/…', import.meta.url)`
  // still finds data files next to the sources.
  const metaUrl = {
    name: 'source-import-meta-url',
    setup(b) {
      b.onLoad({ filter: /[\\/]src[\\/].*\.ts$/ }, (args) => {
        const text = readFileSync(args.path, 'utf8');
        if (!text.includes('import.meta.url')) return { contents: text, loader: 'ts' };
        // Every output file sits in dist/netkit-<hash>/.
        const rel = relative(join(dist, 'netkit-x'), args.path).split('\\').join('/');
        return {
          contents: text.replaceAll(
            'import.meta.url',
            `new URL(${JSON.stringify(rel)}, import.meta.url).href`,
          ),
          loader: 'ts',
        };
      });
    },
  };
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    metafile: true,
    // Each command is imported when it runs (src/cli/commands/index.ts): its code, and the node
    // modules it needs, go to a chunk of their own that start-up does not load.
    splitting: true,
    outdir: join(dist, 'netkit-x'),
    entryNames: 'main',
    chunkNames: '[name]-[hash]',
    outExtension: { '.js': '.mjs' },
    packages: 'external',
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'silent',
    plugins: [metaUrl],
    absWorkingDir: root,
  });
  const inputs = [...Object.keys(result.metafile.inputs), ...EXTRA_INPUTS].sort();
  for (const f of inputs) {
    if (f.includes('node_modules')) throw new Error(`unexpected bundled package file ${f}`);
  }
  const hash = hashInputs(root, inputs);
  if (hash === undefined) throw new Error('an input vanished during the build');
  const name = `netkit-${hash.slice(0, 16)}`;
  mkdirSync(dist, { recursive: true });
  // Content-addressed folder first, then the manifest that points at it, each renamed into place:
  // a concurrent reader sees the old pair or the new pair, never a mix.
  const tmp = join(dist, `.tmp-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  for (const f of result.outputFiles) {
    const out = join(tmp, relative(join(dist, 'netkit-x'), f.path));
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, f.contents);
  }
  rmSync(join(dist, name), { recursive: true, force: true });
  renameSync(tmp, join(dist, name));
  writeFileSync(tmp, `${JSON.stringify({ hash, bundle: `${name}/main.mjs`, inputs }, null, 1)}\n`);
  renameSync(tmp, join(dist, 'netkit.json'));
  // Older builds go, except the two newest: a process started on one of them may not have
  // loaded its command's chunk yet.
  const old = readdirSync(dist)
    .filter((f) => f.startsWith('netkit-') && f !== name)
    .map((f) => ({ f, t: statSync(join(dist, f)).mtimeMs }))
    .sort((a, b) => b.t - a.t);
  for (const { f } of old.slice(2)) rmSync(join(dist, f), { recursive: true, force: true });
  return { name, inputs: inputs.length };
}

try {
  const r = await build();
  if (!process.argv.includes('--quiet')) console.log(`build: dist/${r.name}/ from ${r.inputs} inputs`);
} catch (e) {
  console.warn(`build: skipped (${e?.message ?? e}); bin/netkit.js will run the sources through tsx`);
}
