import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { describe, it } from 'node:test';
import { bindUdpFast, fastUdpAvailable, type RemoteInfo } from '../../src/core/fast-udp.js';

describe('UDP sockets on the libuv handle', () => {
  it('has the bindings on this Node (the RPC servers fall back to dgram without them)', () => {
    assert.equal(fastUdpAvailable(), true);
  });

  it('receives datagrams with their source and answers from a reused buffer', async () => {
    const scratch = new Uint8Array(64);
    const sources: RemoteInfo[] = [];
    const s = await bindUdpFast({
      host: '127.0.0.1',
      port: 0,
      onMessage(msg, rinfo) {
        sources.push(rinfo);
        const n = msg.length;
        for (let i = 0; i < n; i++) scratch[i] = msg[n - 1 - i]!;
        s!.send(scratch.subarray(0, n), rinfo.port, rinfo.address);
      },
    });
    assert.ok(s);
    const c = dgram.createSocket('udp4');
    try {
      await new Promise<void>((r) => c.bind(0, '127.0.0.1', () => r()));
      const got: string[] = [];
      const all = new Promise<void>((r) =>
        c.on('message', (m) => {
          got.push(m.toString());
          if (got.length === 3) r();
        }),
      );
      for (const w of ['abc', 'hello', 'xy']) c.send(w, s.address.port, '127.0.0.1');
      await all;
      assert.deepEqual(got.sort(), ['cba', 'olleh', 'yx']);
      assert.deepEqual(sources[0], { address: '127.0.0.1', family: 'IPv4', port: c.address().port });
    } finally {
      c.close();
      await s.close();
    }
  });

  it('reports a port in use as a NetworkError', async () => {
    const a = await bindUdpFast({ host: '127.0.0.1', port: 0, onMessage() {} });
    try {
      await assert.rejects(bindUdpFast({ host: '127.0.0.1', port: a!.address.port, onMessage() {} }), {
        code: 'NETKIT_ERR_NETWORK',
        message: /address already in use/,
      });
    } finally {
      await a!.close();
    }
  });

  it('binds IPv6 loopback too', async () => {
    const s = await bindUdpFast({
      host: '::1',
      port: 0,
      onMessage(msg, rinfo) {
        s!.send(msg, rinfo.port, rinfo.address);
      },
    }).catch(() => null);
    if (!s) return; // no IPv6 on this host
    const c = dgram.createSocket('udp6');
    try {
      await new Promise<void>((r) => c.bind(0, '::1', () => r()));
      const got = new Promise<string>((r) => c.once('message', (m) => r(m.toString())));
      c.send('six', s.address.port, '::1');
      assert.equal(await got, 'six');
      assert.equal(s.address.family, 'IPv6');
    } finally {
      c.close();
      await s.close();
    }
  });
});
