import assert from 'node:assert/strict';
import type { Duplex } from 'node:stream';
import { describe, it } from 'node:test';
import type { LogEvent } from '../../src/core/log.js';
import { listenTcp } from '../../src/core/tcp-server.js';
import { startService } from '../../src/services/catalog.js';
import { chargenUdpReply, serveChargenTcp } from '../../src/services/chargen.js';
import { connect, sleep } from '../helpers/net.js';
import { onBothPaths } from '../helpers/paths.js';
import { udpClient } from '../helpers/udp.js';

// RFC 864's ring, written out by hand: the 95 printing characters from space to tilde.
const RING =
  ' !"#$%&\'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~';

function expectedStream(lines: number): string {
  let s = '';
  for (let n = 0; n < lines; n++) s += `${(RING + RING).slice(n % 95, (n % 95) + 72)}\r\n`;
  return s;
}

function readBytes(s: import('node:net').Socket, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let got = 0;
    s.on('data', (c: Buffer) => {
      chunks.push(c);
      got += c.length;
      if (got >= n) {
        s.removeAllListeners('data');
        s.pause();
        resolve(Buffer.concat(chunks).subarray(0, n));
      }
    });
    s.on('close', () => (got < n ? reject(new Error(`closed after ${got} bytes`)) : undefined));
  });
}

onBothPaths(() => {
  describe('chargen', () => {
    it('has 95 distinct printable characters in the ring written out by hand', () => {
      assert.equal(RING.length, 95);
      assert.equal(new Set(RING).size, 95);
    });

    it('streams RFC 864 lines over TCP byte for byte, through three whole periods and more', async () => {
      const srv = await startService('chargen', 'tcp', { port: 0 });
      try {
        const s = await connect(srv.address.port);
        const lines = 3 * 95 + 17;
        const got = await readBytes(s, lines * 74);
        s.destroy();
        assert.equal(got.toString('latin1'), expectedStream(lines));
        assert.equal(got.subarray(0, 74).toString('latin1'), `${RING.slice(0, 72)}\r\n`);
      } finally {
        await srv.close();
      }
    });

    it('treats the client’s abort (ECONNRESET/EPIPE) as a normal end, logging no error', async () => {
      const events: LogEvent[] = [];
      const srv = await startService('chargen', 'tcp', { port: 0, log: (e) => events.push(e) });
      try {
        for (let i = 0; i < 5; i++) {
          const s = await connect(srv.address.port);
          await readBytes(s, 10_000);
          s.resetAndDestroy();
        }
        await sleep(200);
        assert.equal(events.filter((e) => e.level === 'warn' || e.level === 'error').length, 0);
        assert.equal((srv as unknown as { connections: number }).connections, 0);
      } finally {
        await srv.close();
      }
    });

    it('keeps at most about one block queued for a reader that does not read', async () => {
      let server: Duplex | undefined;
      const srv = await listenTcp({
        name: 'chargen',
        port: 0,
        onConnection: (s) => {
          server = s;
          return serveChargenTcp(s);
        },
      });
      const s = await connect(srv.address.port);
      s.pause(); // a slow reader: nothing read for a while
      try {
        let max = 0;
        for (let i = 0; i < 20; i++) {
          await sleep(25);
          max = Math.max(max, server?.writableLength ?? 0);
        }
        assert.ok(server, 'server saw the connection');
        assert.ok(max > 0, 'the server did queue data');
        assert.ok(max <= 2 * 70_300, `writableLength reached ${max}`);
        // The queue does not grow with time either: the same bound later.
        await sleep(300);
        assert.ok((server?.writableLength ?? 0) <= 2 * 70_300);
        // And the stream is still correct once the reader reads.
        const got = readBytes(s, 74 * 95);
        s.resume();
        assert.equal((await got).toString('latin1'), expectedStream(95));
      } finally {
        s.destroy();
        await srv.close();
      }
    });

    it('sizes UDP replies by the rule: one line, or whole lines up to min(request, 512)', () => {
      const cases: [number, number][] = [
        [0, 74],
        [1, 74],
        [147, 74],
        [148, 148],
        [300, 296],
        [512, 444],
        [65_000, 444],
      ];
      for (const [req, want] of cases) {
        const r = chargenUdpReply(req, 0);
        assert.equal(r.length, want, `request of ${req} bytes`);
        assert.ok(r.length <= 512);
      }
      assert.equal(
        Buffer.from(chargenUdpReply(0, 94)).toString('latin1'),
        `${(RING + RING).slice(94, 166)}\r\n`,
      );
    });

    it('answers a UDP datagram with the next line of the ring each time', async () => {
      const srv = await startService('chargen', 'udp', { port: 0 });
      const c = await udpClient();
      try {
        for (let i = 0; i < 3; i++) {
          await c.send('', srv.address.port);
          await c.waitFor(i + 1);
        }
        assert.deepEqual(
          c.received.map((b) => b.toString('latin1')),
          expectedStream(3)
            .split('\r\n')
            .slice(0, 3)
            .map((l) => `${l}\r\n`),
        );
      } finally {
        c.close();
        await srv.close();
      }
    });
  });
});
