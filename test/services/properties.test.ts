import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { chargenUdpReply } from '../../src/services/chargen.js';
import { answerFinger, parseFingerQuery } from '../../src/services/finger.js';
import { parseQuotes } from '../../src/services/qotd.js';
import { packLines } from '../../src/services/users.js';
import { parseUtmp, UTMP_RECORD } from '../../src/services/utmp.js';

describe('hostile input to the classic services', () => {
  it('answers any finger query line with printable ASCII and CRLF only, never throwing', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 600, unit: 'binary' }), (line) => {
        const out = answerFinger(parseFingerQuery(line), { utmp: '/nonexistent' }).toString('latin1');
        assert.match(out, /^([\x20-\x7e]*\r\n)+$/);
        assert.ok(out.length < 200);
      }),
      { numRuns: 300 },
    );
  });

  it('parses any bytes as utmp without throwing, reading whole records only', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3 * UTMP_RECORD + 50 }), (bytes) => {
        const entries = parseUtmp(bytes);
        assert.equal(entries.length, Math.floor(bytes.length / UTMP_RECORD));
        for (const e of entries) assert.match(e.user + e.line + e.host + e.id, /^[\x20-\x7e]*$/);
      }),
      { numRuns: 200 },
    );
  });

  it('turns any quotes file into quotes of printable ASCII with CRLF, each under 512 bytes', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 2000, unit: 'binary' }), (text) => {
        for (const q of parseQuotes(text).quotes) {
          assert.ok(q.length < 512);
          assert.match(q.toString('latin1'), /^([\x20-\x7e]*\r\n)+$/);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('never answers a UDP chargen request with more than 512 bytes, or more than the request past one line', () => {
    fc.assert(
      fc.property(fc.nat({ max: 70_000 }), fc.integer(), (size, counter) => {
        const n = chargenUdpReply(size, counter).length;
        assert.ok(n <= 512 && n % 74 === 0 && n >= 74);
        if (size >= 148) assert.ok(n <= size);
      }),
    );
  });

  it('packs user lines into datagrams of at most 512 bytes without splitting a line', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.string({ minLength: 1, maxLength: 300 }).map((s) => `${s.replace(/[\r\n]/g, '')}\r\n`),
          { maxLength: 40 },
        ),
        (lines) => {
          const grams = packLines(lines, 512, 100);
          for (const g of grams) assert.ok(g.length <= 512);
          const joined = grams.map((g) => g.toString('latin1')).join('');
          assert.equal(joined, lines.join(''));
          for (const g of grams) if (g.length) assert.ok(g.toString('latin1').endsWith('\r\n'));
        },
      ),
      { numRuns: 200 },
    );
  });
});
