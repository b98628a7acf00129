import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { lineFor } from '../../src/analyze/analyzer.js';
import { Dissection, dissect } from '../../src/analyze/dissect.js';
import { SummaryState } from '../../src/analyze/summary.js';
import { ascii, TextOut } from '../../src/analyze/text-out.js';
import { formatIPv4, formatIPv6 } from '../../src/core/bytes.js';
import { parseCapture } from '../../src/pcap/reader.js';
import { buildFrame } from '../helpers/frames.js';
import { frames } from './sample.js';
import { SummaryState as ReferenceState, referenceLine } from './summary-reference.js';

const written = (f: (o: TextOut) => void, size = 4) => {
  const o = new TextOut(size);
  f(o);
  return o.take().toString('utf8');
};

describe('TextOut', () => {
  it('writes integers exactly as String() does, across the 32-bit boundary and beyond', () => {
    for (const n of [
      0,
      9,
      10,
      99,
      100,
      2 ** 31 - 1,
      2 ** 31,
      2 ** 32 - 1,
      2 ** 32,
      2 ** 53 - 1,
      -1,
      -42,
      1.5,
    ]) {
      assert.equal(
        written((o) => o.int(n)),
        String(n),
      );
    }
    fc.assert(
      fc.property(fc.maxSafeNat(), (n) => written((o) => o.uint(n)) === String(n)),
      { numRuns: 3000 },
    );
  });

  it('writes addresses exactly as the formatters in src/core do', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (a) => written((o) => o.ip4(a)) === formatIPv4(a)),
      { numRuns: 2000 },
    );
    const group = fc.constantFrom(0, 0, 0, 1, 0xffff, 0x2001, 0xdb8, 0xabc);
    fc.assert(
      fc.property(fc.array(group, { minLength: 8, maxLength: 8 }), fc.nat(4), (gs, at) => {
        const b = new Uint8Array(16 + at);
        gs.forEach((g, i) => {
          b[at + 2 * i] = g >> 8;
          b[at + 2 * i + 1] = g & 0xff;
        });
        assert.equal(
          written((o) => o.ip6(b, at)),
          formatIPv6(b, at),
        );
      }),
      { numRuns: 3000 },
    );
  });

  it('writes any string as UTF-8, growing as needed, and hands over what it wrote', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary' }), { maxLength: 8 }), (parts) => {
        const o = new TextOut(2);
        for (const p of parts) o.str(p);
        const got = o.take();
        assert.deepEqual(got, Buffer.from(parts.join(''), 'utf8'));
        assert.equal(o.pos, 0);
      }),
      { numRuns: 1000 },
    );
  });

  it('take() hands over what was written and reuses a buffer given back', () => {
    const o = new TextOut(64);
    o.str('first');
    const a = o.take();
    assert.equal(a.toString(), 'first');
    const whole = TextOut.whole(a);
    assert.equal(whole.length, 64);
    o.str('second');
    const b = o.take(whole);
    assert.equal(b.toString(), 'second');
    o.str('third');
    assert.equal(o.take().buffer, whole.buffer, 'the given-back buffer was written into');
    assert.notEqual(b.buffer, whole.buffer);
  });

  it('writes constant text of any length exactly, at any position, growing as needed', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string({ maxLength: 13 }), fc.nat(3)), { maxLength: 12 }), (parts) => {
        const o = new TextOut(3);
        let want = '';
        for (const [t, pad] of parts) {
          const a = t.replace(/[^\x20-\x7e]/g, '?');
          o.bytes(ascii(a));
          o.str('.'.repeat(pad));
          want += a + '.'.repeat(pad);
        }
        const first = o.take();
        assert.equal(first.toString('latin1'), want);
        // After a take(), constant text goes to the new buffer and leaves the taken one alone.
        o.bytes(ascii('after'));
        assert.equal(first.toString('latin1'), want);
        assert.equal(o.take().toString('latin1'), 'after');
      }),
      { numRuns: 1000 },
    );
  });

  it('cut() returns the text since a mark and forgets it', () => {
    const o = new TextOut(8);
    o.str('keep ');
    const m = o.pos;
    o.str('drop ü ');
    o.uint(12345678901);
    assert.equal(o.cut(m), 'drop ü 12345678901');
    assert.equal(o.take().toString(), 'keep ');
  });
});

/** Summary lines of every packet, by the byte writer and by the string reference, in one pass each. */
function bothWays(packets: { data: Uint8Array; linktype: number; len: number }[]): [string[], string[]] {
  const d = new Dissection();
  const st = new SummaryState();
  const ref = new ReferenceState();
  const a: string[] = [];
  const b: string[] = [];
  for (const p of packets) {
    dissect(d, p.data, p.linktype, p.len);
    a.push(lineFor(d, st));
    b.push(referenceLine(d, ref));
  }
  return [a, b];
}

describe('summary lines from the byte writer', () => {
  it('equal the string reference for every sample frame and every truncation of it', () => {
    const packets = frames.flatMap((f) =>
      Array.from({ length: f.length + 1 }, (_, n) => ({
        data: f.subarray(0, n),
        linktype: 1,
        len: f.length,
      })),
    );
    const [a, b] = bothWays(packets);
    assert.deepEqual(a, b);
  });

  it('equal the string reference for every packet of the public test captures', () => {
    const dir = new URL('../fixtures/pcap/', import.meta.url);
    const packets = readdirSync(dir)
      .filter((f) => /\.pcap(ng)?$/.test(f))
      .flatMap((f) => parseCapture(readFileSync(new URL(f, dir))))
      .filter((r) => r.kind === 'packet');
    assert.ok(packets.length >= 20);
    const [a, b] = bothWays(packets);
    assert.deepEqual(a, b);
  });

  it('equal the string reference on arbitrary bytes, alone and behind valid headers', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200 }),
        fc.constantFrom(0, 1, 101, 108, 113, 228, 229, 276, 147),
        (b, lt) => {
          const [x, y] = bothWays([{ data: b, linktype: lt, len: b.length }]);
          assert.deepEqual(x, y);
        },
      ),
      { numRuns: 3000 },
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...frames),
        fc.uint8Array({ maxLength: 120 }),
        fc.nat(80),
        (f, tail, at) => {
          const b = new Uint8Array(f);
          b.set(tail.subarray(0, Math.max(0, b.length - at)), Math.min(at, b.length));
          const [x, y] = bothWays([{ data: b, linktype: 1, len: b.length }]);
          assert.deepEqual(x, y);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('equal the string reference for DNS queries of every shape: escapes, pointers, counts, cuts', () => {
    const label = fc.oneof(
      fc.constantFrom('www', 'example', 'com', 'a.b', 'x\\y', 'sp ace', 'l'.repeat(63), 'm'.repeat(62)),
      fc.uint8Array({ minLength: 0, maxLength: 70 }).map((u) => String.fromCharCode(...u)),
    );
    const query = fc.record({
      id: fc.nat(0xffff),
      flags: fc.nat(0x7fff), // QR clear: a query
      counts: fc.array(fc.constantFrom(0, 0, 1, 1, 2, 300), { minLength: 4, maxLength: 4 }),
      labels: fc.array(label, { maxLength: 6 }),
      long: fc.nat(5), // 63-byte labels in front: four or more pass the 255-octet limit

      pointer: fc.option(fc.nat(40)),
      tail: fc.uint8Array({ minLength: 0, maxLength: 6 }),
      cut: fc.nat(80),
      tcp: fc.boolean(),
    });
    fc.assert(
      fc.property(query, (q) => {
        const bytes: number[] = [q.id >> 8, q.id & 0xff, q.flags >> 8, q.flags & 0xff];
        for (const c of q.counts) bytes.push(c >> 8, c & 0xff);
        for (const l of [...Array<string>(q.long).fill('z'.repeat(63)), ...q.labels])
          bytes.push(l.length & 0xff, ...Array.from(l, (ch) => ch.charCodeAt(0) & 0xff));
        if (q.pointer !== null) bytes.push(0xc0, q.pointer);
        else bytes.push(0);
        bytes.push(...q.tail);
        let dns = Uint8Array.from(bytes);
        if (q.cut < dns.length && q.cut % 3 === 0) dns = dns.subarray(0, q.cut);
        const payload = q.tcp ? Uint8Array.from([dns.length >> 8, dns.length & 0xff, ...dns]) : dns;
        const f = buildFrame({
          ipSrc: '10.0.0.1',
          ipDst: '10.0.0.2',
          ...(q.tcp
            ? { tcp: { sport: 40000, dport: 53, flags: 0x18, seq: 1, ack: 1 } }
            : { udp: { sport: 5353, dport: 53 } }),
          payload,
        });
        const [x, y] = bothWays([{ data: f, linktype: 1, len: f.length }]);
        assert.deepEqual(x, y);
      }),
      { numRuns: 3000 },
    );
  });

  it('keep relative TCP sequence numbers per conversation as the reference does', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...frames), { minLength: 1, maxLength: 60 }), (fs) => {
        const [x, y] = bothWays(fs.map((data) => ({ data, linktype: 1, len: data.length })));
        assert.deepEqual(x, y);
      }),
      { numRuns: 300 },
    );
  });
});
