import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { listenTcp } from '../../src/core/tcp-server.js';
import { connect, readAll, sleep } from '../helpers/net.js';

describe('listenTcp', () => {
  it('refuses connections over maxConnections with the busy message, and serves again once one closes', async () => {
    const held: import('node:net').Socket[] = [];
    const srv = await listenTcp({
      name: 't',
      port: 0,
      limits: { maxConnections: 2 },
      busyMessage: () => 'busy\r\n',
      onConnection: (s) => {
        s.write('hi\r\n');
        return undefined;
      },
    });
    try {
      held.push(await connect(srv.address.port), await connect(srv.address.port));
      const third = await connect(srv.address.port);
      assert.equal((await readAll(third)).toString(), 'busy\r\n');
      held[0]!.destroy();
      await sleep(50);
      const fourth = await connect(srv.address.port);
      const got = await new Promise<string>((r) => fourth.once('data', (d) => r(d.toString())));
      assert.equal(got, 'hi\r\n');
      fourth.destroy();
    } finally {
      for (const h of held) h.destroy();
      await srv.close();
    }
  });

  it('enforces a per-source limit', async () => {
    const srv = await listenTcp({
      name: 't',
      port: 0,
      limits: { perSourceConnections: 1 },
      busyMessage: (r) => `${r}\n`,
      onConnection: () => undefined,
    });
    const a = await connect(srv.address.port);
    const b = await connect(srv.address.port);
    assert.equal((await readAll(b)).toString(), 'per-source\n');
    a.destroy();
    await srv.close();
  });

  it('closes idle connections after idleTimeoutMs with the idle message', async () => {
    const srv = await listenTcp({
      name: 't',
      port: 0,
      limits: { idleTimeoutMs: 100 },
      idleMessage: 'idle\n',
      onConnection: () => undefined,
    });
    const s = await connect(srv.address.port);
    const t0 = Date.now();
    assert.equal((await readAll(s, 3000)).toString(), 'idle\n');
    assert.ok(Date.now() - t0 >= 90);
    await srv.close();
  });

  it('close() says goodbye to each connection and resolves when they are gone', async () => {
    const srv = await listenTcp({
      name: 't',
      port: 0,
      onConnection: (s) => ({ goodbye: () => s.end('bye\n') }),
    });
    const socks = await Promise.all([connect(srv.address.port), connect(srv.address.port)]);
    await sleep(20);
    const reads = socks.map((s) => readAll(s));
    await srv.close();
    assert.deepEqual((await Promise.all(reads)).map(String), ['bye\n', 'bye\n']);
    await assert.rejects(connect(srv.address.port));
  });

  it('close() destroys connections that do not finish within graceMs', async () => {
    const srv = await listenTcp({
      name: 't',
      port: 0,
      limits: { graceMs: 100 },
      onConnection: () => ({ goodbye: () => {} }), // a handler that never ends its stream
    });
    const s = await connect(srv.address.port);
    const t0 = Date.now();
    await srv.close();
    assert.ok(Date.now() - t0 < 2000);
    s.destroy();
  });

  it('survives a handler that throws: that connection closes, the next is served', async () => {
    let n = 0;
    const srv = await listenTcp({
      name: 't',
      port: 0,
      onConnection: (s) => {
        if (n++ === 0) throw new Error('boom');
        s.end('ok');
        return undefined;
      },
    });
    assert.equal((await readAll(await connect(srv.address.port))).toString(), '');
    assert.equal((await readAll(await connect(srv.address.port))).toString(), 'ok');
    await srv.close();
  });

  it('reports EADDRINUSE as a NetworkError naming the address', async () => {
    const a = await listenTcp({ name: 'a', port: 0, onConnection: () => undefined });
    await assert.rejects(listenTcp({ name: 'b', port: a.address.port, onConnection: () => undefined }), {
      code: 'NETKIT_ERR_NETWORK',
      message: new RegExp(`listen 127.0.0.1:${a.address.port}: address already in use`),
    });
    await a.close();
  });

  it('with pauseOnConnect, reads nothing until the handler resumes, and still serves', async () => {
    let seen = 0;
    const srv = await listenTcp({
      name: 't',
      port: 0,
      pauseOnConnect: true,
      noDelay: false,
      onConnection: (s) => {
        s.on('data', (c: Buffer) => {
          seen += c.length;
        });
        s.pause();
        setTimeout(() => {
          assert.equal(seen, 0);
          s.end('late\r\n');
          s.resume();
        }, 100);
        return undefined;
      },
    });
    try {
      const c = await connect(srv.address.port);
      c.write('early');
      assert.equal((await readAll(c)).toString(), 'late\r\n');
      assert.equal(seen, 5);
    } finally {
      await srv.close();
    }
  });
});
