import assert from 'node:assert/strict';
import type net from 'node:net';
import { describe, it } from 'node:test';
import { fastTcpAvailable, listenTcpFast } from '../../src/core/fast-tcp.js';
import type { TcpLimits, TcpServer } from '../../src/core/tcp-server.js';
import { connect, holdOpen, readAll, sleep, until } from '../helpers/net.js';

/** An echo server on the handle: what it reads it writes back, upper-cased (so it is a copy). */
async function echo(limits: Partial<TcpLimits> = {}, seen?: string[]): Promise<TcpServer> {
  const s = await listenTcpFast({
    name: 'fast-echo',
    port: 0,
    limits,
    onConnection(conn) {
      seen?.push(`${conn.remoteAddress} ${conn.remotePort} ${conn.localAddress} ${conn.localPort}`);
      return {
        onData(buf, length) {
          const out = Buffer.from(buf.subarray(0, length)).toString('latin1').toUpperCase();
          conn.write(Buffer.from(out, 'latin1'));
        },
      };
    },
  });
  assert.ok(s, 'the TCP handle bindings exist on this Node');
  return s;
}

describe('TCP servers on the libuv handle', () => {
  it('has the bindings on this Node (the RPC servers fall back to sockets without them)', () => {
    assert.equal(fastTcpAvailable(), true);
  });

  it('delivers each connection its own bytes while many connections share the read buffer', async () => {
    const s = await echo();
    try {
      const got = await Promise.all(
        Array.from({ length: 50 }, async (_, i) => {
          const c = await connect(s.address.port);
          const text = `client ${i} `.repeat(100 + i);
          c.end(text);
          return [text.toUpperCase(), (await readAll(c)).toString('latin1')];
        }),
      );
      for (const [want, have] of got) assert.equal(have, want);
    } finally {
      await s.close();
    }
  });

  it('tells the handler its peer and local addresses', async () => {
    const seen: string[] = [];
    const s = await echo({}, seen);
    try {
      const c = await connect(s.address.port);
      const port = c.localPort;
      c.end('x');
      await readAll(c);
      assert.deepEqual(seen, [`127.0.0.1 ${port} 127.0.0.1 ${s.address.port}`]);
    } finally {
      await s.close();
    }
  });

  it('queues writes the kernel cannot take, pauses reading, and delivers everything once the client reads', async () => {
    const s = await echo();
    try {
      const c = await holdOpen(s.address.port);
      c.pause(); // read nothing for now: the echoes pile up in the kernel, then in the write queue
      const chunk = Buffer.alloc(64 * 1024, 'a');
      let sent = 0;
      for (let i = 0; i < 200; i++) {
        c.write(chunk);
        sent += chunk.length;
      }
      await sleep(300);
      let got = 0;
      c.on('data', (d: Buffer) => {
        got += d.length;
        assert.ok(d.every((b) => b === 0x41));
      });
      c.resume();
      await until(() => got === sent, 10_000);
      c.destroy();
    } finally {
      await s.close();
    }
  });

  it('refuses connections over maxConnections and serves again after one closes', async () => {
    const s = await echo({ maxConnections: 2 });
    const held: net.Socket[] = [];
    try {
      for (let i = 0; i < 2; i++) held.push(await holdOpen(s.address.port));
      await until(() => s.connections === 2);
      assert.equal((await readAll(await connect(s.address.port))).length, 0);
      held.pop()!.destroy();
      await until(() => s.connections === 1);
      const c = await connect(s.address.port);
      c.end('again');
      assert.equal((await readAll(c)).toString(), 'AGAIN');
    } finally {
      for (const h of held) h.destroy();
      await s.close();
    }
  });

  it('limits connections per source address', async () => {
    const s = await echo({ perSourceConnections: 1 });
    const a = await holdOpen(s.address.port);
    try {
      await until(() => s.connections === 1);
      assert.equal((await readAll(await connect(s.address.port))).length, 0);
    } finally {
      a.destroy();
      await s.close();
    }
  });

  it('closes a connection idle longer than idleTimeoutMs', async () => {
    const s = await echo({ idleTimeoutMs: 200 });
    try {
      const c = await holdOpen(s.address.port);
      await until(() => s.connections === 1);
      const ended = new Promise<void>((r) => c.once('end', () => r()));
      await until(() => s.connections === 0);
      await ended; // the server closed its side
      c.destroy();
    } finally {
      await s.close();
    }
  });

  it('answers a client that sends and half-closes, then closes after its FIN', async () => {
    const s = await echo();
    try {
      for (let i = 0; i < 20; i++) {
        const c = await connect(s.address.port);
        c.end(`line ${i}`);
        assert.equal((await readAll(c)).toString(), `LINE ${i}`);
      }
      await until(() => s.connections === 0);
    } finally {
      await s.close();
    }
  });

  it('close() sends FIN to open connections, waits for them, and stops accepting', async () => {
    const s = await echo({ graceMs: 2000 });
    const c = await holdOpen(s.address.port);
    await until(() => s.connections === 1);
    const ended = new Promise<void>((r) => c.once('end', () => r()));
    const closing = s.close();
    await ended; // the server's FIN
    c.end();
    await closing;
    assert.equal(s.connections, 0);
    await assert.rejects(connect(s.address.port));
  });

  it('close() destroys connections whose peers never close once the grace period is over', async () => {
    const s = await echo({ graceMs: 150 });
    const held = await Promise.all([holdOpen(s.address.port), holdOpen(s.address.port)]);
    await until(() => s.connections === 2);
    const t0 = Date.now();
    await s.close();
    assert.ok(Date.now() - t0 < 2500);
    assert.equal(s.connections, 0);
    for (const h of held) h.destroy();
  });
});
