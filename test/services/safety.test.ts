// One test per safety rule of the classic services: amplification, privileged source ports,
// per-source rate limits, slow readers (see chargen.test.ts), many idle connections. The loop
// breaker's tests are in test/core/udp-server.test.ts.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { UdpServer } from '../../src/core/udp-server.js';
import { type ServiceName, startService } from '../../src/services/catalog.js';
import { encodeUtmp } from '../../src/services/utmp.js';
import { readAll, readUntil, sleep } from '../helpers/net.js';
import { onBothPaths } from '../helpers/paths.js';
import { inCI, isRoot, needPeer } from '../helpers/peers.js';
import { runPeer } from '../helpers/spawn.js';
import { udpClient } from '../helpers/udp.js';

function connectFrom(port: number, localAddress: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1', localAddress }, () => {
      s.off('error', reject);
      resolve(s);
    });
    s.once('error', reject);
  });
}

onBothPaths(() => {
  describe('safety of the classic services', () => {
    it('bounds every UDP reply: ≤ 512 bytes, chargen one line for a small request, echo never larger than the request', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'netkit-amp-'));
      const utmp = join(dir, 'utmp');
      writeFileSync(
        utmp,
        Buffer.concat(
          Array.from({ length: 200 }, (_, i) =>
            encodeUtmp({ user: `u${i}`, line: `pts/${i}`, host: 'h'.repeat(200) }),
          ),
        ),
      );
      const names: ServiceName[] = ['echo', 'discard', 'users', 'daytime', 'qotd', 'chargen', 'time'];
      const servers = await Promise.all(names.map((n) => startService(n, 'udp', { port: 0, utmp })));
      try {
        for (const [i, name] of names.entries()) {
          for (const size of [0, 1, 40, 600]) {
            const c = await udpClient();
            try {
              await c.send(new Uint8Array(size), servers[i]!.address.port);
              await c.waitFor(8, name === 'discard' || name === 'users' ? 300 : 150);
              const bytes = c.received.reduce((a, b) => a + b.length, 0);
              for (const d of c.received) {
                if (name === 'echo') assert.equal(d.length, size);
                else assert.ok(d.length <= 512, `${name}: ${d.length}-byte reply`);
              }
              if (name === 'chargen')
                assert.equal(bytes, size < 148 ? 74 : Math.min(444, Math.floor(size / 74) * 74));
              if (name === 'discard') assert.equal(c.received.length, 0);
              if (name === 'users')
                assert.ok(c.received.length <= 4, `users sent ${c.received.length} datagrams`);
              if (name !== 'users' && name !== 'discard')
                assert.equal(c.received.length, 1, `${name} size ${size}`);
            } finally {
              c.close();
            }
          }
        }
      } finally {
        await Promise.all(servers.map((s) => s.close()));
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('ignores UDP from a privileged source port (nc -p 999, socat sourceport=999) and answers port 1024+', async (t) => {
      const nc = needPeer(t, 'nc', 'netcat-openbsd');
      const socat = needPeer(t, 'socat');
      if (!nc || !socat) return;
      if (!isRoot) return t.skip('source ports below 1024 need root');
      const srv = (await startService('echo', 'udp', { port: 0 })) as UdpServer;
      try {
        const port = String(srv.address.port);
        const a = await runPeer(nc, ['-u', '-w1', '-p', '999', '127.0.0.1', port], { input: 'from 999\n' });
        assert.equal(a.stdout.length, 0);
        const b = await runPeer(socat, ['-T1', '-', `UDP:127.0.0.1:${port},sourceport=998`], {
          input: 'from 998\n',
        });
        assert.equal(b.stdout.length, 0);
        // Fixed source ports: if another program holds one, the peer says so here.
        assert.equal(
          srv.stats.dropped['privileged-port'],
          2,
          `nc: ${a.code} ${a.stderr.toString()} socat: ${b.code} ${b.stderr.toString()}`,
        );
        const c = await runPeer(nc, ['-u', '-w1', '-p', '1024', '127.0.0.1', port], { input: 'from 1024\n' });
        assert.equal(c.stdout.toString(), 'from 1024\n');
      } finally {
        await srv.close();
      }
    });

    it('rate-limits one UDP source without turning the service off for another', async () => {
      const srv = (await startService('daytime', 'udp', { port: 0 })) as UdpServer;
      const greedy = await udpClient();
      const polite = await udpClient();
      try {
        for (let i = 0; i < 60; i++) await greedy.send('', srv.address.port);
        await greedy.waitFor(60, 500);
        // The per-peer budget (burst 20) answers the first 20 and drops the rest…
        assert.equal(greedy.received.length, 20);
        assert.equal(srv.stats.dropped.loop, 40);
        // …while a second client is served at once.
        await polite.send('', srv.address.port);
        assert.equal(await polite.waitFor(1), 1);
      } finally {
        greedy.close();
        polite.close();
        await srv.close();
      }
    });

    it('keeps serving the next client while 2,000 idle TCP connections are held open', async (t) => {
      // Both ends live in this process: 4,000 descriptors and some room.
      const nofile = Number(spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).stdout.trim());
      if (Number.isFinite(nofile) && nofile < 4500) {
        const msg = `ulimit -n is ${nofile}; this test needs 4,500 (raise it: ulimit -n 8192)`;
        if (inCI) throw new Error(msg);
        return t.skip(msg);
      }
      const srv = await startService('echo', 'tcp', { host: '0.0.0.0', port: 0 });
      const held: net.Socket[] = [];
      try {
        // 2,000 idle clients from 8 loopback addresses (250 each: under the per-source cap of 256).
        for (let batch = 0; batch < 10; batch++) {
          held.push(
            ...(await Promise.all(
              Array.from({ length: 200 }, (_, i) =>
                connectFrom(srv.address.port, `127.0.0.${2 + ((batch * 200 + i) % 8)}`),
              ),
            )),
          );
        }
        const count = () => (srv as unknown as { connections: number }).connections;
        for (let i = 0; i < 100 && count() < 2000; i++) await sleep(50);
        assert.equal(count(), 2000);
        const s = await connectFrom(srv.address.port, '127.0.0.1');
        s.write('still here\r\n');
        assert.equal(await readUntil(s, (x) => x.includes('\n'), 5000), 'still here\r\n');
        s.destroy();
        // And the idle ones still work too.
        held[1234]!.write('me too\n');
        assert.equal(await readUntil(held[1234]!, (x) => x.includes('\n'), 5000), 'me too\n');
      } finally {
        for (const h of held) h.destroy();
        await srv.close();
      }
    });

    it('caps connections per source address at 256 and still serves other addresses', async () => {
      const srv = await startService('discard', 'tcp', { host: '0.0.0.0', port: 0 });
      const held: net.Socket[] = [];
      try {
        held.push(
          ...(await Promise.all(
            Array.from({ length: 256 }, () => connectFrom(srv.address.port, '127.0.0.20')),
          )),
        );
        const count = () => (srv as unknown as { connections: number }).connections;
        for (let i = 0; i < 100 && count() < 256; i++) await sleep(20);
        assert.equal(count(), 256);
        // The 257th from the same address is closed at once…
        const refused = await connectFrom(srv.address.port, '127.0.0.20');
        assert.equal((await readAll(refused, 3000)).length, 0);
        // …while another address is served as usual.
        const other = await connectFrom(srv.address.port, '127.0.0.21');
        await sleep(100);
        assert.equal(count(), 257);
        other.destroy();
      } finally {
        for (const h of held) h.destroy();
        await srv.close();
      }
    });
  });
});
