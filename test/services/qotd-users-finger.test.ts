import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { startService } from '../../src/services/catalog.js';
import { answerFinger, fingerQuery, parseFingerQuery } from '../../src/services/finger.js';
import { loadQuotes, parseQuotes, qotdTcp, qotdUdp } from '../../src/services/qotd.js';
import { usersTcp, usersUdp } from '../../src/services/users.js';
import { encodeUtmp, parseUtmp, readUsers, UTMP_RECORD } from '../../src/services/utmp.js';
import { connect, readAll } from '../helpers/net.js';
import { onBothPaths } from '../helpers/paths.js';
import { udpClient } from '../helpers/udp.js';

const dir = mkdtempSync(join(tmpdir(), 'netkit-services-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function utmpFile(name: string, records: Buffer[]): string {
  const p = join(dir, name);
  writeFileSync(p, Buffer.concat(records));
  return p;
}

onBothPaths(() => {
  describe('qotd', () => {
    it('parses fortune-style files into CRLF quotes under 512 bytes, skipping longer ones', () => {
      const q = parseQuotes(`one\nline two\n%\n${'x'.repeat(600)}\n%\n\n  tab\there\u001b[31m\n%\n`);
      assert.deepEqual(
        q.quotes.map((b) => b.toString('latin1')),
        ['one\r\nline two\r\n', '  tab    here?[31m\r\n'],
      );
      assert.equal(q.skipped, 1);
    });

    it('ships a default set where every quote is printable ASCII under 512 bytes', () => {
      const q = loadQuotes();
      assert.ok(q.quotes.length >= 10);
      assert.equal(q.skipped, 0);
      for (const b of q.quotes) {
        assert.ok(b.length < 512);
        assert.match(b.toString('latin1'), /^([\x20-\x7e]*\r\n)+$/);
      }
    });

    it('serves quotes from --quotes FILE in turn over TCP and UDP', async () => {
      const f = join(dir, 'q.txt');
      writeFileSync(f, 'first\n%\nsecond\n');
      const tcp = await startService('qotd', 'tcp', { port: 0, quotes: f });
      const udp = await startService('qotd', 'udp', { port: 0, quotes: f });
      try {
        assert.equal(await qotdTcp('127.0.0.1', tcp.address.port), 'first\r\n');
        assert.equal(await qotdTcp('127.0.0.1', tcp.address.port), 'second\r\n');
        assert.equal(await qotdUdp('127.0.0.1', udp.address.port), 'first\r\n');
      } finally {
        await tcp.close();
        await udp.close();
      }
    });
  });

  describe('utmp and users', () => {
    it('parses 384-byte records field by field and ignores a trailing partial record', () => {
      const rec = encodeUtmp({
        user: 'alice',
        line: 'pts/3',
        host: '10.0.0.9',
        loginSec: 1_700_000_000,
        pid: 4242,
        id: 'ts/3',
      });
      assert.equal(rec.length, UTMP_RECORD);
      // Offsets from utmp(5) on x86_64, checked on the raw bytes, not through the parser.
      assert.equal(rec.readInt16LE(0), 7);
      assert.equal(rec.readInt32LE(4), 4242);
      assert.equal(rec.subarray(8, 13).toString(), 'pts/3');
      assert.equal(rec.subarray(44, 49).toString(), 'alice');
      assert.equal(rec.subarray(76, 84).toString(), '10.0.0.9');
      assert.equal(rec.readUInt32LE(340), 1_700_000_000);
      const [e] = parseUtmp(Buffer.concat([rec, Buffer.alloc(100, 0x41)]));
      assert.deepEqual(
        { ...e },
        {
          type: 7,
          pid: 4242,
          line: 'pts/3',
          id: 'ts/3',
          user: 'alice',
          host: '10.0.0.9',
          loginSec: 1_700_000_000,
        },
      );
      assert.equal(parseUtmp(Buffer.alloc(383)).length, 0);
    });

    it('reads only USER_PROCESS records and survives the system’s own utmp', () => {
      const f = utmpFile('u1', [
        encodeUtmp({ type: 2, user: 'reboot' }),
        encodeUtmp({ user: 'bob', line: 'tty1' }),
        encodeUtmp({ type: 8, user: 'gone', line: 'pts/1' }),
      ]);
      assert.deepEqual(
        readUsers(f).map((e) => e.user),
        ['bob'],
      );
      assert.ok(Array.isArray(readUsers()));
      assert.deepEqual(readUsers(join(dir, 'missing')), []);
    });

    it('lists one user per line over TCP, and over UDP never splits a user across datagrams', async () => {
      const records = Array.from({ length: 30 }, (_, i) =>
        encodeUtmp({
          user: `user${i}`,
          line: `pts/${i}`,
          host: `host-${i}.example.org`,
          loginSec: 1_700_000_000 + i,
        }),
      );
      const f = utmpFile('u30', records);
      const tcp = await startService('users', 'tcp', { port: 0, utmp: f });
      const udp = await startService('users', 'udp', { port: 0, utmp: f });
      const c = await udpClient();
      try {
        const text = await usersTcp('127.0.0.1', tcp.address.port);
        const lines = text.split('\r\n').slice(0, -1);
        assert.equal(lines.length, 30);
        for (const [i, l] of lines.entries()) {
          assert.match(l, new RegExp(`^user${i} +pts/${i} .*\\(host-${i}\\.example\\.org\\)$`));
        }
        await c.send('', udp.address.port);
        await c.waitFor(4, 1000);
        assert.ok(c.received.length >= 2);
        for (const d of c.received) {
          assert.ok(d.length <= 512);
          assert.match(d.toString('latin1'), /^(user\d+ [^\r\n]*\r\n)+$/);
        }
        assert.equal(Buffer.concat(c.received).toString('latin1'), text);
        assert.equal(await usersUdp('127.0.0.1', udp.address.port), text);
      } finally {
        c.close();
        await tcp.close();
        await udp.close();
      }
    });
  });

  describe('finger', () => {
    const passwd = join(dir, 'passwd');
    writeFileSync(
      passwd,
      'root:x:0:0:root:/root:/bin/bash\ncarol:x:1000:1000:Carol Example,,,:/home/carol:/bin/zsh\n',
    );
    const utmp = utmpFile('fu', [
      encodeUtmp({
        user: 'carol',
        line: 'pts/0',
        host: 'evil\u001b]0;pwned\u0007.example',
        loginSec: 1_700_000_000,
      }),
    ]);

    it('parses the RFC 1288 query grammar', () => {
      assert.deepEqual(parseFingerQuery(''), { verbose: false, user: '', hosts: [] });
      assert.deepEqual(parseFingerQuery('/W'), { verbose: true, user: '', hosts: [] });
      assert.deepEqual(parseFingerQuery('/W   carol'), { verbose: true, user: 'carol', hosts: [] });
      assert.deepEqual(parseFingerQuery('carol@a@b'), { verbose: false, user: 'carol', hosts: ['a', 'b'] });
      assert.deepEqual(parseFingerQuery('@a'), { verbose: false, user: '', hosts: ['a'] });
    });

    it('refuses forwarding and, when configured, the user list', () => {
      assert.equal(
        answerFinger(parseFingerQuery('carol@elsewhere'), { utmp }).toString(),
        'Finger forwarding service denied\r\n',
      );
      assert.equal(
        answerFinger(parseFingerQuery(''), { utmp, allowUserList: false }).toString(),
        'Finger online user list denied\r\n',
      );
    });

    it('answers a user query and the list over TCP in printable ASCII with CRLF, escapes filtered', async () => {
      const srv = await startService('finger', 'tcp', { port: 0, utmp, passwd });
      try {
        const one = await fingerQuery('127.0.0.1', srv.address.port, '/W carol');
        assert.match(
          one,
          /^Login: carol +Name: Carol Example\r\nDirectory: \/home\/carol +Shell: \/bin\/zsh\r\nOn since .* on pts\/0 from evil\?\]0;pwned\?\.example\r\nNo Plan\.\r\n$/,
        );
        const list = await fingerQuery('127.0.0.1', srv.address.port, '');
        assert.match(list, /^Login +Name +Tty +Login Time +Where\r\ncarol +Carol Example +pts\/0 /);
        for (const t of [one, list]) assert.match(t, /^[\x20-\x7e\r\n]*$/);
        assert.equal(
          await fingerQuery('127.0.0.1', srv.address.port, 'nobody-here'),
          'finger: nobody-here: no such user.\r\n',
        );
      } finally {
        await srv.close();
      }
    });

    it('bounds the query: an over-long line gets one short refusal and the connection closes', async () => {
      const srv = await startService('finger', 'tcp', { port: 0, utmp, passwd });
      try {
        const s = await connect(srv.address.port);
        const got = readAll(s, 5000);
        s.write('a'.repeat(5000));
        assert.equal((await got).toString(), 'finger: query too long\r\n');
      } finally {
        await srv.close();
      }
    });
  });
});
