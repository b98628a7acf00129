import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { startService } from '../../src/services/catalog.js';
import { connect, readAll } from '../helpers/net.js';
import { onBothPaths } from '../helpers/paths.js';
import { udpClient } from '../helpers/udp.js';

onBothPaths(() => {
  describe('echo', () => {
    it('returns 2 MB of random bytes over TCP unchanged, then closes after the client does', async () => {
      const srv = await startService('echo', 'tcp', { port: 0 });
      try {
        const data = randomBytes(2 << 20);
        const s = await connect(srv.address.port);
        const back = readAll(s, 10_000);
        s.end(data);
        assert.ok((await back).equals(data));
      } finally {
        await srv.close();
      }
    });

    it('returns a 60,000-byte UDP datagram whole (the peers truncate at 2–4 KB)', async () => {
      const srv = await startService('echo', 'udp', { port: 0 });
      const c = await udpClient();
      try {
        const data = randomBytes(60_000);
        await c.send(data, srv.address.port);
        assert.equal(await c.waitFor(1), 1);
        assert.ok(c.received[0]!.equals(data));
      } finally {
        c.close();
        await srv.close();
      }
    });
  });

  describe('discard', () => {
    it('reads everything over TCP, sends nothing, and closes when the client does', async () => {
      const srv = await startService('discard', 'tcp', { port: 0 });
      try {
        const s = await connect(srv.address.port);
        const back = readAll(s, 10_000);
        s.end(randomBytes(1 << 20));
        assert.equal((await back).length, 0);
      } finally {
        await srv.close();
      }
    });

    it('never answers a UDP datagram', async () => {
      const srv = await startService('discard', 'udp', { port: 0 });
      const c = await udpClient();
      try {
        await c.send('anything', srv.address.port);
        assert.equal(await c.waitFor(1, 300), 0);
        assert.equal((srv as unknown as { stats: { received: number } }).stats.received, 1);
      } finally {
        c.close();
        await srv.close();
      }
    });
  });
});
