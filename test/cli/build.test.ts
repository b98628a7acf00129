import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sampleCapture } from '../analyze/sample.js';

const root = new URL('../..', import.meta.url).pathname;

/** A copy of the package (node_modules linked) that the test may build and edit. */
let pkg = '';
let capture = '';

function netkit(args: string[], env: Record<string, string> = {}, input = '') {
  const r = spawnSync(process.execPath, [join(pkg, 'bin/netkit.js'), ...args], {
    env: { ...process.env, NETKIT_DEBUG: '1', NETKIT_FROM_SOURCE: '', ...env },
    input,
    encoding: 'utf8',
    timeout: 30_000,
  });
  const [first, ...rest] = r.stderr.split('\n');
  return { code: r.status, stdout: r.stdout, ran: first ?? '', stderr: rest.join('\n') };
}

function build(): void {
  const r = spawnSync(process.execPath, [join(pkg, 'scripts/build.mjs')], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^build: dist\/netkit-[0-9a-f]{16}\/ from \d+ inputs/);
}

before(() => {
  pkg = mkdtempSync(join(tmpdir(), 'netkit-build-'));
  for (const d of ['src', 'bin', 'scripts', 'data']) cpSync(join(root, d), join(pkg, d), { recursive: true });
  for (const f of ['package.json', 'tsconfig.json']) cpSync(join(root, f), join(pkg, f));
  symlinkSync(join(root, 'node_modules'), join(pkg, 'node_modules'));
  capture = join(pkg, 'sample.pcap');
  writeFileSync(capture, sampleCapture());
});
after(() => rmSync(pkg, { recursive: true, force: true }));

describe('the precompiled build', () => {
  it('runs the sources through tsx when there is no build', () => {
    const r = netkit(['--version']);
    assert.equal(r.ran, 'netkit: running sources via tsx');
    assert.equal(r.code, 0);
  });

  it('runs the bundle once built, with the same output as the sources for every read mode', () => {
    build();
    const version = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')).version;
    const cases: string[][] = [
      ['--version'],
      ['--help'],
      ['help', 'read'],
      ['read', capture],
      ['read', capture, '--json'],
      ['read', capture, '-v', '-x'],
      ['read', capture, '--stats'],
      ['read', capture, 'tcp and port 80'],
      ['qotd', '--help'],
    ];
    for (const args of cases) {
      const b = netkit(args, { TZ: 'UTC' });
      const s = netkit(args, { TZ: 'UTC', NETKIT_FROM_SOURCE: '1' });
      assert.equal(b.ran, 'netkit: running dist/ bundle', args.join(' '));
      assert.equal(s.ran, 'netkit: running sources via tsx', args.join(' '));
      assert.equal(b.code, s.code, args.join(' '));
      assert.equal(b.stdout, s.stdout, args.join(' '));
      assert.equal(b.stderr, s.stderr, args.join(' '));
      assert.ok(b.stdout.length > 0, args.join(' '));
    }
    // package.json and data files are found from the bundle (import.meta.url of each source).
    assert.equal(netkit(['--version']).stdout, `netkit ${version}\n`);
    const eliza = netkit(['eliza'], {}, 'Men are all alike.\n');
    assert.equal(eliza.ran, 'netkit: running dist/ bundle');
    assert.equal(eliza.code, 0);
    assert.equal(eliza.stdout, 'IN WHAT WAY\n');
  });

  it('never runs a stale bundle: an edited source runs from source until rebuilt', () => {
    build();
    const file = join(pkg, 'src/cli/commands/read.ts');
    const text = readFileSync(file, 'utf8');
    const edited = text.replace("summary: 'decode a pcap", "summary: 'EDITED decode a pcap");
    assert.notEqual(edited, text);
    writeFileSync(file, edited);
    const stale = netkit(['help', 'read']);
    assert.equal(stale.ran, 'netkit: running sources via tsx');
    assert.match(stale.stdout, /EDITED decode a pcap/);
    build();
    const fresh = netkit(['help', 'read']);
    assert.equal(fresh.ran, 'netkit: running dist/ bundle');
    assert.match(fresh.stdout, /EDITED decode a pcap/);
    // The same length and an old modification time would not fool it either: only bytes count.
    const st = statSync(file);
    writeFileSync(file, edited.replace('EDITED', 'edited'));
    utimesSync(file, st.atime, st.mtime);
    const stale2 = netkit(['help', 'read']);
    assert.equal(stale2.ran, 'netkit: running sources via tsx');
    assert.match(stale2.stdout, /edited decode a pcap/);
  });

  it('falls back to the sources when the manifest is corrupt or its bundle is missing', () => {
    build();
    const manifest = join(pkg, 'dist/netkit.json');
    const m = JSON.parse(readFileSync(manifest, 'utf8'));
    rmSync(join(pkg, 'dist', m.bundle));
    assert.equal(netkit(['--version']).ran, 'netkit: running sources via tsx');
    writeFileSync(manifest, '{ not json');
    const r = netkit(['--version']);
    assert.equal(r.ran, 'netkit: running sources via tsx');
    assert.equal(r.code, 0);
  });

  it('NETKIT_FROM_SOURCE=1 runs the sources even with a fresh build', () => {
    build();
    assert.equal(netkit(['--version']).ran, 'netkit: running dist/ bundle');
    assert.equal(netkit(['--version'], { NETKIT_FROM_SOURCE: '1' }).ran, 'netkit: running sources via tsx');
  });
});
