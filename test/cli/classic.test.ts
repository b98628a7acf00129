import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { main } from '../../src/cli/main.js';
import { startService } from '../../src/services/catalog.js';
import { qotdTcp } from '../../src/services/qotd.js';
import { sleep } from '../helpers/net.js';
import { onBothPaths } from '../helpers/paths.js';

async function run(
  argv: string[],
  signal = new AbortController().signal,
): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c) => (out += c));
  stderr.on('data', (c) => (err += c));
  const code = await main(argv, {
    stdin: new PassThrough({ final: (cb) => cb() }).end('one\ntwo\n'),
    stdout,
    stderr,
    stdinIsTTY: false,
    stdoutIsTTY: false,
    stderrIsTTY: false,
    env: {},
    signal,
  });
  return { code, out, err };
}

onBothPaths(() => {
  describe('classic service clients', () => {
    it('netkit time prints the server’s date and, with --json, the raw 32-bit value', async () => {
      const srv = await startService('time', 'udp', { port: 0 });
      try {
        const r = await run(['time', '127.0.0.1', '--port', String(srv.address.port), '--udp', '--json']);
        assert.equal(r.code, 0);
        const j = JSON.parse(r.out) as { raw: number; unixMs: number; iso: string };
        assert.equal(j.raw, j.unixMs / 1000 + 2_208_988_800);
        assert.ok(Math.abs(Date.parse(j.iso) - Date.now()) < 3000);
        const t = await run(['time', '127.0.0.1', '--port', String(srv.address.port), '--udp']);
        assert.match(t.out, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ /);
      } finally {
        await srv.close();
      }
    });

    it('netkit chargen prints N bytes of the pattern and reports the throughput on stderr', async () => {
      const srv = await startService('chargen', 'tcp', { port: 0 });
      try {
        const r = await run(['chargen', '--port', String(srv.address.port), '--bytes', '148']);
        assert.equal(r.out.length, 148);
        assert.ok(r.out.startsWith(' !"#$%'));
        assert.match(r.err, /^148 bytes in [\d.]+ s \([\d.]+ MB\/s\); matches the RFC 864 pattern\n$/);
      } finally {
        await srv.close();
      }
    });

    it('netkit echo times each line from stdin, and --count sends ping-style payloads', async () => {
      const srv = await startService('echo', 'tcp', { port: 0 });
      try {
        const r = await run(['echo', '--port', String(srv.address.port)]);
        assert.equal(r.out, 'one\ntwo\n');
        assert.match(r.err, /^\([\d.]+ ms\)\n\([\d.]+ ms\)\n$/);
        const p = await run(['echo', '--port', String(srv.address.port), '--count', '3', '--interval', '0']);
        assert.equal(p.code, 0);
        assert.match(p.out, /3 sent, 3 echoed, 0 lost; rtt min\/avg\/max = /);
      } finally {
        await srv.close();
      }
    });

    it('netkit finger refuses a target without @, with a usage error', async () => {
      const r = await run(['finger', 'root']);
      assert.equal(r.code, 2);
      assert.match(r.err, /give USER@HOST or @HOST/);
    });

    it('netkit serve --only lists the classic services in its catalog', async () => {
      const r = await run(['serve', '--only', 'nosuch']);
      assert.equal(r.code, 2);
      for (const n of ['echo', 'discard', 'users', 'daytime', 'qotd', 'chargen', 'time', 'finger']) {
        assert.match(r.err, new RegExp(`\\b${n}\\b`));
      }
    });

    it('netkit serve passes --quotes to qotd, and refuses a quotes file it cannot read', async () => {
      const bad = await run(['serve', '--only', 'qotd', '--quotes', '/nonexistent/quotes']);
      assert.equal(bad.code, 2);
      assert.match(bad.err, /cannot read quotes file \/nonexistent\/quotes/);
      const dir = mkdtempSync(join(tmpdir(), 'netkit-serve-'));
      const file = join(dir, 'q.txt');
      writeFileSync(file, 'served from a file\n');
      const ac = new AbortController();
      const stdout = new PassThrough();
      let table = '';
      stdout.on('data', (c) => (table += c));
      const running = main(
        ['serve', '--only', 'qotd', '--no-udp', '--quotes', file, '--port-offset', '30000'],
        {
          stdin: new PassThrough(),
          stdout,
          stderr: new PassThrough().resume(),
          stdinIsTTY: false,
          stdoutIsTTY: false,
          stderrIsTTY: false,
          env: {},
          signal: ac.signal,
        },
      );
      try {
        // The table says where qotd runs (30017, or 40017 when 30017 is taken).
        for (let i = 0; i < 50 && !/127\.0\.0\.1:\d+/.test(table); i++) await sleep(100);
        const port = Number(/qotd +tcp +127\.0\.0\.1:(\d+)/.exec(table)?.[1]);
        assert.ok(port === 30017 || port === 40017, table);
        assert.equal(await qotdTcp('127.0.0.1', port), 'served from a file\r\n');
      } finally {
        ac.abort();
        assert.equal(await running, 0);
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
