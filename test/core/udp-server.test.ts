import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isBadSource, listenUdp } from '../../src/core/udp-server.js';
import { startService } from '../../src/services/catalog.js';
import { sleep } from '../helpers/net.js';
import { fastPathsAvailable, onBothPaths } from '../helpers/paths.js';
import { isRoot } from '../helpers/peers.js';
import { udpClient } from '../helpers/udp.js';

const upper = (d: Uint8Array) => Buffer.from(Buffer.from(d).toString('latin1').toUpperCase(), 'latin1');

onBothPaths((fast) => {
  describe('listenUdp', () => {
    it('runs on the UDP handle exactly when the fast path is on (and a host name stays on dgram)', async () => {
      const srv = await listenUdp({ name: 't', port: 0, onDatagram: upper });
      const named = await listenUdp({ name: 't', host: 'localhost', port: 0, onDatagram: upper });
      try {
        assert.equal(srv.fastPath, fast && fastPathsAvailable);
        assert.equal(named.fastPath, false);
      } finally {
        await srv.close();
        await named.close();
      }
    });

    it('rejects a port in use with a NetworkError whose cause has the errno code', async () => {
      const srv = await listenUdp({ name: 't', port: 0, onDatagram: upper });
      try {
        await assert.rejects(
          listenUdp({ name: 't', port: srv.address.port, onDatagram: upper }),
          (e: Error) => {
            assert.equal((e as { code?: string }).code, 'NETKIT_ERR_NETWORK');
            assert.equal((e.cause as { code?: string }).code, 'EADDRINUSE');
            return true;
          },
        );
      } finally {
        await srv.close();
      }
    });

    it('passes a queued send through and resolves sendFrom once the datagram is out', async () => {
      const srv = await listenUdp({ name: 't', port: 0, onDatagram: upper });
      const c = await udpClient();
      try {
        // Many sends in one turn: some may wait in libuv's queue; each must arrive intact.
        const payloads = Array.from({ length: 50 }, (_, i) => Buffer.alloc(200 + i, i));
        await Promise.all(payloads.map((p) => srv.sendFrom(p, c.port, '127.0.0.1')));
        assert.equal(await c.waitFor(50, 3000), 50);
        const got = c.received.map((m) => m.length).sort((a, b) => a - b);
        assert.deepEqual(
          got,
          payloads.map((p) => p.length),
        );
        for (const m of c.received) assert.ok(m.equals(Buffer.alloc(m.length, m.length - 200)));
      } finally {
        c.close();
        await srv.close();
      }
    });

    it('answers each datagram with what the handler returns and closes gracefully', async () => {
      const srv = await listenUdp({ name: 't', port: 0, onDatagram: upper });
      const c = await udpClient();
      try {
        await c.send('hello', srv.address.port);
        assert.equal(await c.waitFor(1), 1);
        assert.equal(c.received[0]!.toString(), 'HELLO');
        assert.equal(srv.stats.answered, 1);
      } finally {
        c.close();
        await srv.close();
      }
    });

    it('binds udp6 when given an IPv6 host', async () => {
      const srv = await listenUdp({ name: 't', host: '::1', port: 0, onDatagram: upper });
      const c = await udpClient('::1');
      try {
        await c.send('v6', srv.address.port);
        assert.equal(await c.waitFor(1), 1);
        assert.equal(c.received[0]!.toString(), 'V6');
      } finally {
        c.close();
        await srv.close();
      }
    });

    it('classifies multicast, broadcast and unspecified sources as bad, ordinary ones as good', () => {
      const bc = new Set(['255.255.255.255', '192.168.1.255']);
      for (const a of [
        '224.0.0.1',
        '239.1.2.3',
        '255.255.255.255',
        '192.168.1.255',
        '0.0.0.0',
        '0.1.2.3',
        '::',
        'ff02::1',
        '::ffff:224.0.0.9',
      ]) {
        assert.equal(isBadSource(a, bc), true, a);
      }
      for (const a of ['127.0.0.1', '10.0.0.1', '192.168.1.7', '::1', 'fe80::1', '::ffff:127.0.0.1']) {
        assert.equal(isBadSource(a, bc), false, a);
      }
    });

    it('never answers a source port below 1024 (a service, not a client)', async (t) => {
      if (!isRoot) return t.skip('binding source port 999 needs root');
      const srv = await listenUdp({ name: 't', port: 0, onDatagram: upper });
      const priv = await udpClient('127.0.0.1', 999);
      const ok = await udpClient();
      try {
        await priv.send('x', srv.address.port);
        await ok.send('y', srv.address.port);
        assert.equal(await ok.waitFor(1), 1);
        assert.equal(await priv.waitFor(1, 300), 0);
        assert.equal(srv.stats.dropped['privileged-port'], 1);
      } finally {
        priv.close();
        ok.close();
        await srv.close();
      }
    });

    it('rate-limits one source address with a token bucket and keeps answering others', async () => {
      const srv = await listenUdp({
        name: 't',
        host: '0.0.0.0',
        port: 0,
        limits: { ratePerSec: 1, burst: 3, peerBurst: 100 },
        onDatagram: upper,
      });
      const a = await udpClient('127.0.0.1');
      const b = await udpClient('127.0.0.2');
      try {
        for (let i = 0; i < 10; i++) await a.send(`a${i}`, srv.address.port, '127.0.0.1');
        await a.waitFor(10, 400);
        assert.equal(a.received.length, 3);
        assert.equal(srv.stats.dropped['rate-limit'], 7);
        // The limit slows one sender; it is not a switch: another source is served at once.
        await b.send('b', srv.address.port, '127.0.0.1');
        assert.equal(await b.waitFor(1), 1);
        // And the limited sender is served again once its bucket refills.
        await sleep(1100);
        await a.send('again', srv.address.port, '127.0.0.1');
        assert.equal(await a.waitFor(4), 4);
      } finally {
        a.close();
        b.close();
        await srv.close();
      }
    });

    it('drops a reply larger than maxReplyBytes and more replies than maxRepliesPerRequest', async () => {
      const srv = await listenUdp({
        name: 't',
        port: 0,
        limits: { maxReplyBytes: 512, maxRepliesPerRequest: 2 },
        onDatagram: (d) => {
          const s = Buffer.from(d).toString();
          if (s === 'big') return new Uint8Array(513);
          if (s === 'many') return [new Uint8Array(1), new Uint8Array(1), new Uint8Array(1)];
          return [new Uint8Array(512), new Uint8Array(2)];
        },
      });
      const c = await udpClient();
      try {
        await c.send('big', srv.address.port);
        await c.send('many', srv.address.port);
        await c.send('ok', srv.address.port);
        await c.waitFor(2);
        await sleep(100);
        assert.deepEqual(
          c.received.map((r) => r.length),
          [512, 2],
        );
        assert.equal(srv.stats.dropped['reply-too-large'], 1);
        assert.equal(srv.stats.dropped['too-many-replies'], 1);
      } finally {
        c.close();
        await srv.close();
      }
    });
  });

  describe('the UDP loop breaker', () => {
    // Each case starts two real services and ONE datagram that looks as if one service sent it to
    // the other (it really leaves from the first service's own socket). `dropOwnServices` is off so
    // the services behave as if on two different hosts, where only the loop breaker can help.
    const far = { dropOwnServices: false };

    async function exchange(
      a: 'echo' | 'chargen' | 'daytime' | 'time',
      b: 'echo' | 'chargen' | 'daytime' | 'time',
      farApart = true,
    ) {
      const sa = await startService(a, 'udp', { port: 0, udpLimits: farApart ? far : {} });
      const sb = await startService(b, 'udp', { port: 0, udpLimits: farApart ? far : {} });
      const ua = sa as import('../../src/core/udp-server.js').UdpServer;
      const ub = sb as import('../../src/core/udp-server.js').UdpServer;
      try {
        await ua.sendFrom(Buffer.from('start'), ub.address.port, '127.0.0.1');
        // Let a loop run, if there is one: a live loop would be 10,000s of datagrams by then.
        let last = -1;
        for (let i = 0; i < 20; i++) {
          await sleep(50);
          const now = ua.stats.received + ub.stats.received;
          if (now === last) break;
          last = now;
        }
        return { a: ua.stats, b: ub.stats };
      } finally {
        await sa.close();
        await sb.close();
      }
    }

    it('stops chargen ↔ echo after the echoed line comes back to chargen (3 datagrams)', async () => {
      const s = await exchange('echo', 'chargen');
      assert.equal(s.b.answered, 1); // chargen answered the crafted datagram once…
      assert.equal(s.a.answered, 1); // …echo echoed that line once…
      assert.equal(s.b.dropped.loop, 1); // …and chargen recognised its own line and stopped.
      await sleep(200);
      assert.equal(s.a.received + s.b.received, 3); // start → chargen → echo → chargen (dropped)
    });

    it('stops echo ↔ echo within a few dozen datagrams', async () => {
      const s = await exchange('echo', 'echo');
      const total = s.a.received + s.b.received;
      assert.ok(total <= 2 * (16 + 2), `exchange ran ${total} datagrams`);
      assert.equal(s.a.dropped.loop + s.b.dropped.loop, 1);
    });

    it('stops chargen ↔ daytime (replies that never repeat) by the per-peer budget', async () => {
      const s = await exchange('daytime', 'chargen');
      const total = s.a.received + s.b.received;
      assert.ok(total <= 2 * (20 + 2), `exchange ran ${total} datagrams`);
      assert.equal(s.a.dropped.loop + s.b.dropped.loop, 1);
    });

    it('stops time ↔ chargen the same way', async () => {
      const s = await exchange('chargen', 'time');
      assert.ok(s.a.received + s.b.received <= 2 * (20 + 2));
    });

    it('drops at once a datagram whose source is another netkit service in this process', async () => {
      const s = await exchange('echo', 'chargen', false);
      assert.equal(s.b.dropped['own-service'], 1);
      assert.equal(s.b.answered, 0);
    });

    it('answers every one of many concurrent clients (no drain of queued requests)', async () => {
      const srv = await startService('echo', 'udp', { port: 0 });
      const clients = await Promise.all([0, 1, 2, 3].map(() => udpClient()));
      try {
        await Promise.all(
          clients.map(async (c, ci) => {
            for (let i = 0; i < 50; i++) await c.send(`client ${ci} request ${i}`, srv.address.port);
          }),
        );
        const counts = await Promise.all(clients.map((c) => c.waitFor(50, 2000)));
        assert.deepEqual(counts, [50, 50, 50, 50]);
      } finally {
        for (const c of clients) c.close();
        await srv.close();
      }
    });

    it('costs a client repeating one payload at most one datagram in seventeen', async () => {
      const srv = await startService('echo', 'udp', { port: 0 });
      const c = await udpClient();
      try {
        for (let i = 0; i < 68; i++) {
          await c.send('same', srv.address.port);
          await c.waitFor(i + 1 - Math.floor(i / 17), 200);
        }
        assert.ok(c.received.length >= 64, `got ${c.received.length} of 68`);
      } finally {
        c.close();
        await srv.close();
      }
    });
  });
});
