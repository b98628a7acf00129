import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { type FrameEvent, LineFramer } from '../../src/core/lines.js';
import { encodeText } from '../../src/core/text.js';

const lines = (evs: FrameEvent[]) => evs.map((e) => (e.kind === 'line' ? e.text : `!overflow ${e.length}`));

describe('LineFramer', () => {
  it('splits LF and CRLF lines and reports the terminator', () => {
    const f = new LineFramer();
    const evs = f.push(Buffer.from('one\ntwo\r\nthr'));
    assert.deepEqual(evs, [
      { kind: 'line', text: 'one', terminator: '\n' },
      { kind: 'line', text: 'two', terminator: '\r\n' },
    ]);
    assert.deepEqual(f.push(Buffer.from('ee\n')), [{ kind: 'line', text: 'three', terminator: '\n' }]);
  });

  it('hands out an unterminated remainder on flush, as the slides’ Python clients send', () => {
    const f = new LineFramer();
    assert.deepEqual(f.push(Buffer.from('Hello there')), []);
    assert.deepEqual(f.flush(), { kind: 'line', text: 'Hello there', terminator: '' });
    assert.equal(f.flush(), undefined);
  });

  it('reports a line over the limit once, buffers none of it, and resumes after the next LF', () => {
    const f = new LineFramer({ maxLineLength: 8 });
    const evs = f.push(Buffer.from('x'.repeat(20)));
    assert.deepEqual(lines(evs), ['!overflow 20']);
    assert.equal(f.bufferedBytes, 0);
    assert.deepEqual(lines(f.push(Buffer.from('y'.repeat(1000)))), []);
    assert.equal(f.bufferedBytes, 0);
    assert.deepEqual(lines(f.push(Buffer.from('zz\nok\n'))), ['ok']);
  });

  it('accepts a line of exactly the limit, with or without CR', () => {
    const f = new LineFramer({ maxLineLength: 4 });
    assert.deepEqual(lines(f.push(Buffer.from('abcd\nabcd\r\nabcde\n'))), ['abcd', 'abcd', '!overflow 5']);
  });

  it('replaces invalid UTF-8 with U+FFFD instead of throwing', () => {
    const f = new LineFramer();
    assert.deepEqual(lines(f.push(Uint8Array.from([0xff, 0xfe, 0x41, 0x0a]))), ['\ufffd\ufffdA']);
  });

  it('frames UTF-16LE on code units, even when a chunk splits one', () => {
    const f = new LineFramer({ encoding: 'utf-16le' });
    const bytes = encodeText('h\u0a0ai\nzw\r\n', 'utf-16le'); // U+0A0A contains 0x0A bytes
    const out: string[] = [];
    for (const b of bytes) out.push(...lines(f.push(Uint8Array.of(b))));
    assert.deepEqual(out, ['h\u0a0ai', 'zw']);
  });

  it('gives the same lines however the input is chunked (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.string({ maxLength: 20 }).map((s) => s.replace(/[\r\n]/g, '')),
          { maxLength: 10 },
        ),
        fc.array(fc.nat({ max: 50 }), { maxLength: 10 }),
        fc.constantFrom('utf-8', 'utf-16le', 'latin1') as fc.Arbitrary<'utf-8' | 'utf-16le' | 'latin1'>,
        (msgs, cuts, enc) => {
          const text = msgs.map((m) => `${m}\n`).join('');
          const bytes = encodeText(text, enc);
          const f = new LineFramer({ encoding: enc, maxLineLength: 1 << 20 });
          const got: string[] = [];
          let at = 0;
          for (const c of [...cuts.sort((a, b) => a - b), bytes.length]) {
            const end = Math.min(Math.max(c, at), bytes.length);
            got.push(...lines(f.push(bytes.subarray(at, end))));
            at = end;
          }
          const expected = msgs.map((m) => (enc === 'latin1' ? m.replace(/[^\u0000-\u00ff]/g, '?') : m));
          assert.deepEqual(got, expected);
        },
      ),
    );
  });
});
