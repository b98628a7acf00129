import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { describe, it } from 'node:test';
import { listenReplyAndClose } from '../../src/core/reply-server.js';
import { connect, holdOpen, readAll, sleep, until } from '../helpers/net.js';
import { needPeer } from '../helpers/peers.js';

const REPLY = Buffer.from('Tue Nov 24 17:38:46 2026\nHave a nice day!');

const paths = [
  { fastPath: true, finCheckMs: 4, path: 'on the TCP handle, checking for the FIN once' },
  { fastPath: true, finCheckMs: 0, path: 'on the TCP handle, watching for the FIN' },
  { fastPath: false, finCheckMs: 4, path: 'on Node sockets' },
];
for (const { fastPath, finCheckMs, path } of paths) {
  describe(`listenReplyAndClose ${path}`, () => {
    const start = (limits = {}) =>
      listenReplyAndClose({ name: 't', port: 0, reply: () => REPLY, limits, fastPath, finCheckMs });

    it('says which path it took', async () => {
      const s = await start();
      assert.equal(s.fastPath, fastPath);
      await s.close();
      const logged = await listenReplyAndClose({ name: 't', port: 0, reply: () => REPLY, log: () => {} });
      assert.equal(logged.fastPath, false, 'per-connection logging needs sockets');
      await logged.close();
    });

    it('sends the reply and closes, for 2,000 clients at once', async () => {
      const s = await start();
      try {
        for (let round = 0; round < 4; round++) {
          const got = await Promise.all(
            Array.from({ length: 500 }, async () => readAll(await connect(s.address.port), 10_000)),
          );
          for (const g of got) assert.deepEqual(g, REPLY);
        }
      } finally {
        await s.close();
      }
    });

    it('delivers the whole reply to a client that sent data first (no reset over the answer)', async () => {
      const s = await start();
      try {
        for (let i = 0; i < 100; i++) {
          const c = await connect(s.address.port);
          c.end('hello\r\n');
          assert.deepEqual(await readAll(c), REPLY, `attempt ${i}`);
        }
      } finally {
        await s.close();
      }
    });

    it('never resets a client that sends data after the answer and its FIN later', async () => {
      const s = await start();
      try {
        for (let i = 0; i < 5; i++) {
          const c = net.connect({ port: s.address.port, host: '127.0.0.1', allowHalfOpen: true });
          const errors: Error[] = [];
          c.on('error', (e) => errors.push(e));
          const chunks: Buffer[] = [];
          c.on('data', (d: Buffer) => chunks.push(d));
          const ended = new Promise<void>((r) => c.on('end', () => r()));
          const closed = new Promise<void>((r) => c.on('close', () => r()));
          await ended; // the answer and the server's FIN are here
          await sleep(30); // well past the FIN check: the server has found no FIN yet
          // A reset would answer the first write; the second would then fail with EPIPE.
          c.write('late words\r\n');
          await sleep(30);
          c.write('more late words\r\n');
          await sleep(30);
          c.end();
          await closed;
          assert.deepEqual(errors, [], `attempt ${i}: the late data got a reset`);
          assert.deepEqual(Buffer.concat(chunks), REPLY);
        }
        await until(() => s.connections === 0);
      } finally {
        await s.close();
      }
    });

    it('answers nc, which sends a line and FIN', async (t) => {
      const nc = needPeer(t, 'nc', 'netcat-openbsd');
      if (!nc) return;
      const s = await start();
      try {
        const out = await new Promise<string>((resolve) => {
          const p = spawn(nc, ['-N', '127.0.0.1', String(s.address.port)]);
          let o = '';
          p.stdout.on('data', (d) => (o += d));
          p.on('close', () => resolve(o));
          p.stdin.end('hello\n');
        });
        assert.equal(out, REPLY.toString());
      } finally {
        await s.close();
      }
    });

    it('refuses connections over maxConnections without an answer, and serves again after', async () => {
      const s = await start({ maxConnections: 3 });
      const held: net.Socket[] = [];
      try {
        for (let i = 0; i < 3; i++) held.push(await holdOpen(s.address.port));
        await until(() => s.connections === 3);
        assert.equal((await readAll(await connect(s.address.port))).length, 0);
        held.pop()!.end();
        await until(() => s.connections === 2);
        assert.deepEqual(await readAll(await connect(s.address.port)), REPLY);
      } finally {
        for (const h of held) h.destroy();
        await s.close();
      }
    });

    it('limits connections per source address', async () => {
      const s = await start({ perSourceConnections: 1 });
      const a = await holdOpen(s.address.port);
      await until(() => s.connections === 1);
      try {
        assert.equal((await readAll(await connect(s.address.port))).length, 0);
      } finally {
        a.destroy();
        await s.close();
      }
    });

    it('closes a client that never sends its FIN after the idle timeout', async () => {
      const s = await start({ idleTimeoutMs: 200 });
      try {
        const c = await holdOpen(s.address.port);
        await until(() => s.connections === 1);
        await until(() => s.connections === 0); // closed by the idle timeout, not by the client
        c.destroy();
      } finally {
        await s.close();
      }
    });

    it('close() finishes connections still open once the grace period is over', async () => {
      const s = await listenReplyAndClose({
        name: 't',
        port: 0,
        reply: () => REPLY,
        limits: { graceMs: 150 },
        fastPath,
      });
      const held = await Promise.all([holdOpen(s.address.port), holdOpen(s.address.port)]);
      await until(() => s.connections === 2);
      const t0 = Date.now();
      await s.close();
      assert.ok(Date.now() - t0 < 2500);
      await until(() => s.connections === 0);
      for (const h of held) h.destroy();
    });

    it('close() stops accepting and resolves', async () => {
      const s = await start();
      assert.deepEqual(await readAll(await connect(s.address.port)), REPLY);
      await s.close();
      await assert.rejects(connect(s.address.port));
    });
  });
}
