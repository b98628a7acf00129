import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ctime } from '../../src/core/time.js';
import { startService } from '../../src/services/catalog.js';
import { daytimeTcp, daytimeUdp } from '../../src/services/daytime.js';
import { encodeTime, rfc868Seconds, timeFromRfc868, timeTcp, timeUdp } from '../../src/services/time.js';
import { onBothPaths } from '../helpers/paths.js';

onBothPaths(() => {
  describe('daytime', () => {
    it('formats like ctime(3): weekday, month, space-padded day, time, year', () => {
      // Local-time constructor, so the check holds in any time zone.
      assert.equal(ctime(new Date(2026, 10, 4, 7, 8, 9)), 'Wed Nov  4 07:08:09 2026');
      assert.equal(ctime(new Date(2026, 10, 24, 17, 38, 46)), 'Tue Nov 24 17:38:46 2026');
      assert.equal(ctime(new Date(1999, 11, 31, 23, 59, 59)), 'Fri Dec 31 23:59:59 1999');
    });

    it('answers over TCP and UDP with a 26-byte ctime line for the current second', async () => {
      const tcp = await startService('daytime', 'tcp', { port: 0 });
      const udp = await startService('daytime', 'udp', { port: 0 });
      try {
        const texts = [
          await daytimeTcp('127.0.0.1', tcp.address.port),
          await daytimeUdp('127.0.0.1', udp.address.port),
        ];
        for (const text of texts) {
          assert.match(
            text,
            /^(Sun|Mon|Tue|Wed|Thu|Fri|Sat) [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}\r\n$/,
          );
          assert.equal(text.length, 26);
          const parsed = Date.parse(text.trim());
          assert.ok(Math.abs(parsed - Date.now()) < 3000, text);
        }
      } finally {
        await tcp.close();
        await udp.close();
      }
    });
  });

  describe('time', () => {
    it('counts seconds since 1900 as unsigned 32 bits, wrapping in 2036', () => {
      assert.equal(rfc868Seconds(0), 2_208_988_800);
      assert.equal(rfc868Seconds(Date.UTC(2036, 1, 7, 6, 28, 15)), 4_294_967_295);
      assert.equal(rfc868Seconds(Date.UTC(2036, 1, 7, 6, 28, 16)), 0);
      const v = 1_767_225_600 + 2_208_988_800;
      assert.deepEqual(
        [...encodeTime(Date.UTC(2026, 0, 1))],
        [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255],
      );
      assert.equal(Date.UTC(2026, 0, 1), 1_767_225_600_000);
      assert.equal(timeFromRfc868(0), Date.UTC(2036, 1, 7, 6, 28, 16));
      assert.equal(timeFromRfc868(2_208_988_800), 0);
    });

    it('answers over TCP and UDP with 4 bytes within two seconds of now', async () => {
      const tcp = await startService('time', 'tcp', { port: 0 });
      const udp = await startService('time', 'udp', { port: 0 });
      try {
        for (const a of [
          await timeTcp('127.0.0.1', tcp.address.port),
          await timeUdp('127.0.0.1', udp.address.port),
        ]) {
          assert.ok(Math.abs(a.unixMs - Date.now()) < 2000);
          assert.equal(a.raw, Math.floor(a.unixMs / 1000) + 2_208_988_800);
        }
      } finally {
        await tcp.close();
        await udp.close();
      }
    });
  });
});
