// Differential tests against openbsd-inetd's built-in services, started here on a loopback address
// of our own (TCP) and ::1 (UDP; Debian's inetd drops UDP from 127.0.0.0/8).

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { RunningServer } from '../../src/core/service.js';
import { type ServiceName, startService } from '../../src/services/catalog.js';
import { daytimeTcp, daytimeUdp } from '../../src/services/daytime.js';
import { timeTcp, timeUdp } from '../../src/services/time.js';
import { type PeerDaemon, privateLoopback, startOpenbsdInetd } from '../helpers/inetd.js';
import { connect, readAll } from '../helpers/net.js';
import { onBothPaths } from '../helpers/paths.js';
import { inCI } from '../helpers/peers.js';
import { udpClient } from '../helpers/udp.js';

onBothPaths(() => {
  let oi: PeerDaemon | undefined;
  let why = '';
  const ours = new Map<string, RunningServer>();
  const PORT = { echo: 7, daytime: 13, chargen: 19, time: 37 } as const;

  before(async () => {
    try {
      oi = await startOpenbsdInetd({ tcpHost: privateLoopback(2), udp: true, services: Object.keys(PORT) });
      if (!oi) why = 'openbsd-inetd not found (set NETKIT_OPENBSD_INETD)';
    } catch (e) {
      why = (e as Error).message;
    }
    for (const name of Object.keys(PORT) as ServiceName[]) {
      ours.set(`${name}/tcp`, await startService(name, 'tcp', { port: 0 }));
      ours.set(`${name}/udp`, await startService(name, 'udp', { host: '::1', port: 0 }));
    }
  });
  after(async () => {
    await oi?.stop();
    for (const s of ours.values()) await s.close();
  });

  function peer(t: import('node:test').TestContext): PeerDaemon | undefined {
    if (oi) return oi;
    if (inCI) throw new Error(`openbsd-inetd is required in CI: ${why}`);
    t.skip(why);
    return undefined;
  }

  function readN(host: string, port: number, n: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ host, port });
      const chunks: Buffer[] = [];
      let got = 0;
      s.on('data', (c: Buffer) => {
        chunks.push(c);
        got += c.length;
        if (got >= n) {
          s.destroy();
          resolve(Buffer.concat(chunks).subarray(0, n));
        }
      });
      s.on('error', reject);
      s.on('close', () => got < n && reject(new Error(`closed after ${got} bytes`)));
    });
  }

  const ourPort = (k: string) => ours.get(k)!.address.port;

  describe('differential: netkit vs openbsd-inetd', () => {
    it('streams the same TCP chargen bytes for 4 periods and more', async (t) => {
      const p = peer(t);
      if (!p) return;
      const n = 4 * 7030 + 1234;
      const [theirs, mine] = await Promise.all([
        readN(p.tcpHost, PORT.chargen, n),
        readN('127.0.0.1', ourPort('chargen/tcp'), n),
      ]);
      assert.equal(mine.length, n);
      assert.ok(mine.equals(theirs), 'chargen streams differ');
    });

    it('gives the same time over TCP and UDP, within a second', async (t) => {
      const p = peer(t);
      if (!p) return;
      const [a, b] = await Promise.all([
        timeTcp(p.tcpHost, PORT.time),
        timeTcp('127.0.0.1', ourPort('time/tcp')),
      ]);
      assert.ok(Math.abs(a.raw - b.raw) <= 1, `${a.raw} vs ${b.raw}`);
      const [c, d] = await Promise.all([timeUdp('::1', PORT.time), timeUdp('::1', ourPort('time/udp'))]);
      assert.ok(Math.abs(c.raw - d.raw) <= 1, `${c.raw} vs ${d.raw}`);
    });

    it('gives the same daytime line (format and, within a second, the moment) over TCP and UDP', async (t) => {
      const p = peer(t);
      if (!p) return;
      const pairs = [
        await Promise.all([
          daytimeTcp(p.tcpHost, PORT.daytime),
          daytimeTcp('127.0.0.1', ourPort('daytime/tcp')),
        ]),
        await Promise.all([daytimeUdp('::1', PORT.daytime), daytimeUdp('::1', ourPort('daytime/udp'))]),
      ];
      for (const [theirs, mine] of pairs) {
        assert.equal(mine.length, theirs.length);
        assert.equal(mine.slice(0, 8), theirs.slice(0, 8)); // weekday and month
        assert.ok(mine.endsWith('\r\n') && theirs.endsWith('\r\n'));
        assert.ok(Math.abs(Date.parse(mine) - Date.parse(theirs)) <= 1000, `${theirs} vs ${mine}`);
      }
    });

    it('echoes the same bytes over TCP; over UDP both return small datagrams whole and only netkit large ones', async (t) => {
      const p = peer(t);
      if (!p) return;
      const data = randomBytes(300_000);
      const got = await Promise.all(
        [p.tcpHost, '127.0.0.1'].map(async (host, i) => {
          const s = await connect(i === 0 ? PORT.echo : ourPort('echo/tcp'), host);
          const all = readAll(s, 10_000);
          s.end(data);
          return all;
        }),
      );
      assert.ok(got[0]!.equals(data));
      assert.ok(got[1]!.equals(data));
      const c = await udpClient('::1');
      try {
        const small = randomBytes(1000);
        const large = randomBytes(10_000);
        await c.send(small, PORT.echo);
        await c.waitFor(1);
        await c.send(small, ourPort('echo/udp'));
        await c.waitFor(2);
        await c.send(large, PORT.echo);
        await c.waitFor(3);
        await c.send(large, ourPort('echo/udp'));
        await c.waitFor(4);
        const [a, b, theirsLarge, mineLarge] = c.received;
        assert.ok(a!.equals(small) && b!.equals(small));
        assert.ok(mineLarge!.equals(large));
        assert.ok(theirsLarge!.length < large.length, 'openbsd-inetd truncates large UDP echoes');
        assert.ok(theirsLarge!.equals(large.subarray(0, theirsLarge!.length)));
      } finally {
        c.close();
      }
    });

    it('answers an empty UDP chargen datagram with one 74-byte line, as openbsd-inetd does', async (t) => {
      const p = peer(t);
      if (!p) return;
      const c = await udpClient('::1');
      try {
        await c.send(new Uint8Array(0), PORT.chargen);
        await c.waitFor(1);
        await c.send(new Uint8Array(0), ourPort('chargen/udp'));
        await c.waitFor(2);
        const [theirs, mine] = c.received;
        assert.equal(mine!.length, 74);
        assert.equal(theirs!.length, 74);
        for (const b of [theirs!, mine!]) assert.match(b.toString('latin1'), /^[\x20-\x7e]{72}\r\n$/);
      } finally {
        c.close();
      }
    });
  });
});
