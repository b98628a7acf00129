import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { describe, it } from 'node:test';
import type { LogEvent } from '../../src/core/log.js';
import { listenStream, type StreamMode } from '../../src/core/stream-server.js';
import { chargenSourceBlock, PERIOD_BYTES, serveChargenTcp } from '../../src/services/chargen.js';
import { serveDiscardTcp } from '../../src/services/discard.js';
import { serveEchoTcp } from '../../src/services/echo.js';
import { connect, readAll, sleep, until } from '../helpers/net.js';
import { fastPathsAvailable } from '../helpers/paths.js';

const MODES = {
  echo: { mode: { kind: 'echo' } as StreamMode, duplex: serveEchoTcp },
  discard: { mode: { kind: 'discard' } as StreamMode, duplex: serveDiscardTcp },
  chargen: {
    mode: { kind: 'source', block: chargenSourceBlock() } as StreamMode,
    duplex: (s: import('node:stream').Duplex) => serveChargenTcp(s),
  },
};

/** Resolves when the peer's FIN arrives (the socket keeps its write side: allowHalfOpen). */
function ended(s: net.Socket): Promise<void> {
  return new Promise((resolve) => {
    s.on('end', resolve);
    s.on('close', resolve);
  });
}

for (const fastPath of [true, false]) {
  const path = fastPath ? 'on the TCP handle' : 'on Node sockets';
  describe(`listenStream ${path}`, () => {
    const start = (kind: keyof typeof MODES, limits = {}) =>
      listenStream({
        name: kind,
        port: 0,
        mode: MODES[kind].mode,
        onConnection: MODES[kind].duplex,
        limits,
        fastPath,
      });

    it('says which path it took', async () => {
      const s = await start('echo');
      assert.equal(s.fastPath, fastPath && fastPathsAvailable);
      await s.close();
    });

    it('logs connected, rejected (per source) and idle-timeout events with the peer address', async () => {
      const events: LogEvent[] = [];
      const s = await listenStream({
        name: 'echo',
        port: 0,
        mode: MODES.echo.mode,
        onConnection: serveEchoTcp,
        limits: { perSourceConnections: 1, idleTimeoutMs: 150 },
        log: (e) => events.push(e),
        fastPath,
      });
      try {
        assert.equal(s.fastPath, fastPath && fastPathsAvailable, 'logging does not need sockets');
        const a = await connect(s.address.port);
        const aPort = a.localPort;
        const aClosed = readAll(a, 5000);
        const b = await connect(s.address.port);
        assert.equal((await readAll(b, 3000)).length, 0);
        await aClosed; // idle
        const pick = (name: string) => events.find((e) => e.event === name);
        assert.equal(pick('connected')?.remote, '127.0.0.1');
        assert.equal(pick('connected')?.port, aPort);
        assert.equal(pick('rejected')?.reason, 'per-source');
        assert.equal(pick('rejected')?.remote, '127.0.0.1');
        assert.equal(pick('idle-timeout')?.remote, '127.0.0.1');
        assert.equal(events.filter((e) => e.level === 'error').length, 0);
      } finally {
        await s.close();
      }
    });

    it('echoes 4 MB sent without reading, keeping its queue bounded, then everything in order', async () => {
      const s = await start('echo');
      try {
        const c = await connect(s.address.port);
        c.pause(); // read nothing: the server must stop reading rather than queue without bound
        const data = randomBytes(4 << 20);
        c.write(data);
        let max = 0;
        for (let i = 0; i < 15; i++) {
          await sleep(20);
          max = Math.max(max, s.queuedBytes);
        }
        // Fast path: at most one read (64 KiB) beyond the 64 KiB high-water mark.
        if (s.fastPath) assert.ok(max <= 128 * 1024, `echo queued ${max} bytes`);
        const back = readAll(c, 15_000);
        c.resume();
        c.end();
        assert.ok((await back).equals(data));
      } finally {
        await s.close();
      }
    });

    it('echoes on more connections than have buffers of their own, each exactly, and gives the buffers back', async () => {
      const s = await listenStream({
        name: 'echo',
        port: 0,
        mode: MODES.echo.mode,
        onConnection: serveEchoTcp,
        fastPath,
        echoBuffers: 2,
      });
      try {
        const idle = await connect(s.address.port);
        await until(() => s.connections === 1);
        assert.equal(s.ownBuffers, 0, 'a connection that sent nothing holds no buffer');
        // Five clients send 1 MB each without reading: the servers' writes wait, so a buffer of a
        // connection's own stays in use across pending writes; every echo must come back exact.
        const clients = await Promise.all(Array.from({ length: 5 }, () => connect(s.address.port)));
        const sent = clients.map(() => randomBytes(1 << 20));
        for (const [i, c] of clients.entries()) {
          c.pause();
          c.write(sent[i]!);
        }
        await sleep(100);
        if (s.fastPath) assert.equal(s.ownBuffers, 2, 'no more than echoBuffers are handed out');
        const back = clients.map((c) => readAll(c, 15_000));
        for (const c of clients) {
          c.resume();
          c.end();
        }
        const got = await Promise.all(back);
        for (const [i, g] of got.entries()) assert.ok(g.equals(sent[i]!), `client ${i}: echo differs`);
        await until(() => s.connections === 1);
        assert.equal(s.ownBuffers, 0, 'closed connections give their buffers back');
        idle.destroy();
      } finally {
        await s.close();
      }
    });

    it('a graceful close while echoes wait to be sent: the client gets an exact prefix, then FIN', async () => {
      const s = await start('echo', { graceMs: 5000 });
      try {
        const c = net.connect({ port: s.address.port, host: '127.0.0.1', allowHalfOpen: true });
        await new Promise((r) => c.once('connect', r));
        c.pause();
        const data = randomBytes(4 << 20);
        c.write(data);
        await sleep(100); // the server has read what it can and its writes wait for us
        const closing = s.close();
        const chunks: Buffer[] = [];
        c.on('data', (d: Buffer) => chunks.push(d));
        const fin = ended(c);
        c.resume();
        await fin; // the server's FIN
        const got = Buffer.concat(chunks);
        assert.ok(got.length > 0, 'something was echoed before the goodbye');
        assert.ok(
          got.equals(data.subarray(0, got.length)),
          'what came back is exactly what was sent, in order',
        );
        c.end();
        await closing;
        assert.equal(s.connections, 0);
      } finally {
        await s.close();
      }
    });

    it('echoes many small messages one at a time (ping-pong) and half-closes after the client', async () => {
      const s = await start('echo');
      try {
        const c = await connect(s.address.port);
        c.setNoDelay(true);
        for (let i = 0; i < 200; i++) {
          const msg = Buffer.from(`ping ${i}\r\n`);
          const got = new Promise<Buffer>((resolve) => c.once('data', resolve));
          c.write(msg);
          assert.deepEqual(await got, msg);
        }
        const done = readAll(c);
        c.end();
        assert.equal((await done).length, 0);
        await until(() => s.connections === 0);
      } finally {
        await s.close();
      }
    });

    it('chargen keeps at most one shared block queued for a reader that does not read', async () => {
      const s = await start('chargen');
      const c = await connect(s.address.port);
      c.pause();
      try {
        let max = 0;
        for (let i = 0; i < 15; i++) {
          await sleep(25);
          max = Math.max(max, s.queuedBytes);
        }
        if (s.fastPath) {
          assert.ok(max > 0, 'the server did queue data');
          assert.ok(max <= chargenSourceBlock().length, `queued ${max}`);
          await sleep(200);
          assert.ok(s.queuedBytes <= chargenSourceBlock().length, 'the queue does not grow with time');
        }
        // The stream is still the RFC 864 ring from line 0 once the reader reads.
        const want = 3 * PERIOD_BYTES;
        const got = await new Promise<Buffer>((resolve) => {
          const parts: Buffer[] = [];
          let n = 0;
          c.on('data', (d: Buffer) => {
            parts.push(d);
            n += d.length;
            if (n >= want) resolve(Buffer.concat(parts).subarray(0, want));
          });
          c.resume();
        });
        const ring = chargenSourceBlock().subarray(0, PERIOD_BYTES);
        for (let p = 0; p < 3; p++)
          assert.ok(got.subarray(p * PERIOD_BYTES, (p + 1) * PERIOD_BYTES).equals(ring));
      } finally {
        c.destroy();
        await s.close();
      }
    });

    it('discard reads everything, answers nothing, and closes when the client does', async () => {
      const s = await start('discard');
      try {
        const c = await connect(s.address.port);
        const back = readAll(c, 10_000);
        c.end(randomBytes(3 << 20));
        assert.equal((await back).length, 0);
        await until(() => s.connections === 0);
      } finally {
        await s.close();
      }
    });

    for (const kind of ['echo', 'discard', 'chargen'] as const) {
      it(`${kind}: closes a connection idle for idleTimeoutMs and keeps a busy one`, async () => {
        const s = await start(kind, { idleTimeoutMs: 150 });
        try {
          const idle = await connect(s.address.port);
          const idleClosed = readAll(idle, 5000);
          if (kind === 'chargen') idle.pause(); // no traffic either way once the buffers are full
          const busy = await connect(s.address.port);
          busy.on('data', () => {});
          busy.on('error', () => {});
          let busyClosed = false;
          busy.on('close', () => (busyClosed = true));
          for (const t0 = Date.now(); Date.now() - t0 < 700; await sleep(40)) {
            if (kind !== 'chargen') busy.write('x'); // chargen's busy reader has traffic anyway
          }
          idle.resume();
          await idleClosed; // resolves on close (readAll would reject after 5 s)
          assert.equal(busyClosed, false, 'a connection with traffic stays');
          busy.destroy();
          idle.destroy();
        } finally {
          await s.close();
        }
      });
    }

    it('refuses connections over maxConnections and per source, keeping the others', async () => {
      const s = await start('echo', { maxConnections: 3, perSourceConnections: 2 });
      try {
        const a = await connect(s.address.port);
        const b = await connect(s.address.port);
        const c = await connect(s.address.port); // third from 127.0.0.1: over the per-source cap
        assert.equal((await readAll(c, 3000)).length, 0);
        const d = await new Promise<net.Socket>((resolve, reject) => {
          const x = net.connect({ port: s.address.port, host: '127.0.0.1', localAddress: '127.0.0.2' }, () =>
            resolve(x),
          );
          x.on('error', reject);
        });
        const e = await new Promise<net.Socket>((resolve, reject) => {
          const x = net.connect({ port: s.address.port, host: '127.0.0.1', localAddress: '127.0.0.3' }, () =>
            resolve(x),
          );
          x.on('error', reject);
        });
        assert.equal((await readAll(e, 3000)).length, 0, 'the fourth connection is over maxConnections');
        for (const x of [a, b, d]) {
          const got = new Promise<Buffer>((resolve) => x.once('data', resolve));
          x.write('still here');
          assert.equal((await got).toString(), 'still here');
        }
        assert.equal(s.connections, 3);
        for (const x of [a, b, d]) x.destroy();
      } finally {
        await s.close();
      }
    });

    for (const kind of ['echo', 'discard', 'chargen'] as const) {
      it(`${kind}: a graceful close sends FIN to open clients and finishes when they close`, async () => {
        const s = await start(kind, { graceMs: 5000 });
        const c = net.connect({ port: s.address.port, host: '127.0.0.1', allowHalfOpen: true });
        c.on('data', () => {});
        c.on('error', () => {});
        await new Promise((r) => c.once('connect', r));
        await until(() => s.connections === 1);
        let closed = false;
        const closing = s.close().then(() => (closed = true));
        await ended(c); // our FIN (after whatever was queued)
        assert.equal(closed, false, 'close() waits for the client');
        c.end('more input after the goodbye'); // read and dropped, never a crash

        await closing;
        assert.equal(s.connections, 0);
      });
    }
  });
}
