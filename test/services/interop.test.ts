import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RunningServer } from '../../src/core/service.js';
import { type ServiceName, startService } from '../../src/services/catalog.js';
import { onBothPaths } from '../helpers/paths.js';
import { inCI, isRoot, needPeer } from '../helpers/peers.js';
import { runPeer } from '../helpers/spawn.js';

const DAYTIME = /^(Sun|Mon|Tue|Wed|Thu|Fri|Sat) [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}\r\n$/;

onBothPaths(() => {
  const servers = new Map<string, RunningServer>();
  const port = (name: ServiceName, proto: 'tcp' | 'udp') =>
    String(servers.get(`${name}/${proto}`)!.address.port);

  before(async () => {
    for (const name of ['echo', 'daytime', 'chargen', 'time', 'qotd'] as const) {
      for (const proto of ['tcp', 'udp'] as const) {
        servers.set(`${name}/${proto}`, await startService(name, proto, { port: 0 }));
      }
    }
  });
  after(async () => {
    for (const s of servers.values()) await s.close();
  });

  describe('interop with Debian clients', () => {
    it('nc -N (TCP) gets daytime, echo, qotd and the chargen stream', async (t) => {
      const nc = needPeer(t, 'nc', 'netcat-openbsd');
      if (!nc) return;
      const d = await runPeer(nc, ['-N', '127.0.0.1', port('daytime', 'tcp')]);
      assert.match(d.stdout.toString('latin1'), DAYTIME);
      const e = await runPeer(nc, ['-N', '127.0.0.1', port('echo', 'tcp')], { input: 'ping\r\n' });
      assert.equal(e.stdout.toString(), 'ping\r\n');
      const q = await runPeer(nc, ['-N', '127.0.0.1', port('qotd', 'tcp')]);
      assert.match(q.stdout.toString('latin1'), /^([\x20-\x7e]*\r\n)+$/);
      const c = await runPeer('sh', [
        '-c',
        `${nc} -N 127.0.0.1 ${port('chargen', 'tcp')} </dev/null | head -c 148`,
      ]);
      assert.equal(
        c.stdout.toString('latin1'),
        ' !"#$%&\'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefg\r\n' +
          '!"#$%&\'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefgh\r\n',
      );
    });

    it('nc -u -w1 (UDP) gets daytime, echo, time and one chargen line', async (t) => {
      const nc = needPeer(t, 'nc', 'netcat-openbsd');
      if (!nc) return;
      const d = await runPeer(nc, ['-u', '-w1', '127.0.0.1', port('daytime', 'udp')], { input: '\n' });
      assert.match(d.stdout.toString('latin1'), DAYTIME);
      const e = await runPeer(nc, ['-u', '-w1', '127.0.0.1', port('echo', 'udp')], { input: 'hello udp\n' });
      assert.equal(e.stdout.toString(), 'hello udp\n');
      const tm = await runPeer(nc, ['-u', '-w1', '127.0.0.1', port('time', 'udp')], { input: '\n' });
      assert.equal(tm.stdout.length, 4);
      assert.ok(Math.abs(tm.stdout.readUInt32BE(0) - (Math.floor(Date.now() / 1000) + 2_208_988_800)) <= 2);
      const c = await runPeer(nc, ['-u', '-w1', '127.0.0.1', port('chargen', 'udp')], { input: '\n' });
      assert.equal(c.stdout.length, 74);
      assert.match(c.stdout.toString('latin1'), /^[\x20-\x7e]{72}\r\n$/);
    });

    it('socat reads the 4-byte time over TCP and echoes over UDP', async (t) => {
      const socat = needPeer(t, 'socat');
      if (!socat) return;
      const tm = await runPeer(socat, ['-u', `TCP:127.0.0.1:${port('time', 'tcp')}`, '-']);
      assert.equal(tm.stdout.length, 4);
      assert.ok(Math.abs(tm.stdout.readUInt32BE(0) - (Math.floor(Date.now() / 1000) + 2_208_988_800)) <= 2);
      const e = await runPeer(socat, ['-T1', '-', `UDP:127.0.0.1:${port('echo', 'udp')}`], { input: 'hi\n' });
      assert.equal(e.stdout.toString(), 'hi\n');
    });

    it('telnet shows the daytime line and the server’s close', async (t) => {
      const telnet = needPeer(t, 'telnet');
      if (!telnet) return;
      const r = await runPeer(telnet, ['127.0.0.1', port('daytime', 'tcp')], { keepStdinOpen: true });
      const out = r.stdout.toString('latin1');
      assert.match(out, /Connected to 127\.0\.0\.1/);
      // telnet turns the server's CR LF into a plain newline on a non-terminal stdout.
      assert.match(out, /\n(Sun|Mon|Tue|Wed|Thu|Fri|Sat) [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}\r?\n/);
      assert.match(out + r.stderr, /Connection closed by foreign host/);
    });

    it('rdate -p reads our time over TCP and UDP (RFC 868)', async (t) => {
      const rdate = needPeer(t, 'rdate');
      if (!rdate) return;
      for (const args of [
        ['-p', '-o', port('time', 'tcp'), '127.0.0.1'],
        ['-p', '-u', '-o', port('time', 'udp'), '127.0.0.1'],
      ]) {
        const r = await runPeer(rdate, args, { timeoutMs: 5000 });
        const text = r.stdout.toString() + r.stderr;
        // OpenRdate -p prints the date as ctime with the zone: `Tue Nov 24 19:03:53 UTC 2026`.
        const m = /([A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d) (\w+) (\d{4})/.exec(text);
        assert.ok(m, `rdate ${args.join(' ')} printed: ${text}`);
        assert.equal(r.code, 0);
        assert.ok(Math.abs(Date.parse(`${m[1]} ${m[3]} ${m[2]}`) - Date.now()) < 3000, text);
      }
    });

    it('finger @127.0.0.1 and finger root@127.0.0.1 talk to our server on port 79', async (t) => {
      const finger = needPeer(t, 'finger');
      if (!finger) return;
      if (!isRoot) {
        if (inCI) throw new Error('CI runs as root: binding port 79 must work');
        return t.skip('binding port 79 needs root');
      }
      let srv: RunningServer;
      try {
        srv = await startService('finger', 'tcp', { host: '127.0.0.1', port: 79 });
      } catch (e) {
        if (inCI) throw e;
        return t.skip(`port 79 not available: ${(e as Error).message}`);
      }
      try {
        const list = await runPeer(finger, ['@127.0.0.1']);
        assert.match(list.stdout.toString(), /^(\[127\.0\.0\.1\]\n)?(No one logged on\.|Login +Name)/);
        const root = await runPeer(finger, ['root@127.0.0.1']);
        assert.match(
          root.stdout.toString(),
          /^(\[127\.0\.0\.1\]\n)?(finger: root: no such user\.|Login: root)/,
        );
        const fwd = await runPeer(finger, ['root@elsewhere@127.0.0.1']);
        assert.match(fwd.stdout.toString(), /Finger forwarding service denied/);
      } finally {
        await srv.close();
      }
    });
  });

  describe('answer-and-close services and clients that send input', () => {
    it('deliver the whole daytime line to `echo hello | nc -N` every time (no RST over the answer)', async (t) => {
      const nc = needPeer(t, 'nc', 'netcat-openbsd');
      if (!nc) return;
      for (let i = 0; i < 20; i++) {
        const r = await runPeer(nc, ['-N', '127.0.0.1', port('daytime', 'tcp')], { input: 'hello\n' });
        assert.match(r.stdout.toString('latin1'), DAYTIME, `attempt ${i}`);
      }
    });
  });
});
