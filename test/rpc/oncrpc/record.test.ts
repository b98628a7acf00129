// Record marking (RFC 5531 §11): fragments, arbitrary chunking, size limits, hostile headers.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { DecodeError } from '../../../src/core/errors.js';
import { frameRecord, RecordReader } from '../../../src/rpc/oncrpc/record.js';

function fragment(data: Uint8Array, last: boolean): Uint8Array {
  const out = new Uint8Array(4 + data.length);
  new DataView(out.buffer).setUint32(0, (last ? 0x80000000 : 0) | data.length);
  out.set(data, 4);
  return out;
}

function split(b: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (b.length + 1)))].sort((x, y) => x - y);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const p of points) {
    out.push(b.subarray(prev, p));
    prev = p;
  }
  out.push(b.subarray(prev));
  return out;
}

describe('record marking', () => {
  test('a single-fragment record carries the last-fragment bit and the length', () => {
    const f = frameRecord(new Uint8Array([1, 2, 3, 4, 5]));
    assert.deepEqual([...f.subarray(0, 4)], [0x80, 0, 0, 5]);
    assert.deepEqual(new RecordReader().push(f), [new Uint8Array([1, 2, 3, 4, 5])]);
  });

  test('multi-fragment records with unaligned and empty fragments are joined', () => {
    const stream = new Uint8Array(
      Buffer.concat([
        fragment(new Uint8Array([1, 2, 3]), false),
        fragment(new Uint8Array([]), false),
        fragment(new Uint8Array([4]), false),
        fragment(new Uint8Array([]), true),
        fragment(new Uint8Array([9]), true),
      ]),
    );
    const recs = new RecordReader().push(stream);
    assert.deepEqual(recs, [new Uint8Array([1, 2, 3, 4]), new Uint8Array([9])]);
  });

  test('a fragment header claiming 2 GB is refused before anything is buffered', () => {
    const r = new RecordReader(1 << 20);
    assert.throws(
      () => r.push(new Uint8Array([0xff, 0xff, 0xff, 0xff, 1, 2, 3])),
      (e: unknown) =>
        e instanceof DecodeError &&
        e.code === 'NETKIT_ERR_LIMIT' &&
        /exceeds the 1048576-byte limit/.test(e.message),
    );
    // The reader stays failed.
    assert.throws(() => r.push(new Uint8Array([0])), DecodeError);
  });

  test('fragments that together exceed the record limit are refused', () => {
    const r = new RecordReader(10);
    r.push(fragment(new Uint8Array(8), false));
    assert.throws(() => r.push(fragment(new Uint8Array(8), true)), /exceeds the 10-byte limit/);
  });

  test('records come out the same however the stream is chunked', () => {
    const msg = fc.uint8Array({ maxLength: 40 });
    fc.assert(
      fc.property(
        fc.array(fc.array(msg, { minLength: 1, maxLength: 3 }), { maxLength: 5 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (records, cuts) => {
          const parts: Uint8Array[] = [];
          for (const frags of records) {
            for (let i = 0; i < frags.length; i++) parts.push(fragment(frags[i]!, i === frags.length - 1));
          }
          const stream = new Uint8Array(Buffer.concat(parts));
          const expected = records.map((frags) => new Uint8Array(Buffer.concat(frags)));
          const reader = new RecordReader();
          const got: Uint8Array[] = [];
          for (const chunk of split(stream, cuts)) {
            // Copy out at once: the chunk may be reused after push returns.
            for (const rec of reader.push(chunk)) got.push(rec.slice());
            chunk.fill(0xee);
          }
          assert.deepEqual(got, expected);
          assert.ok(reader.idle);
        },
      ),
      { numRuns: 300 },
    );
  });

  test('arbitrary bytes give records or a DecodeError and never buffer past the limit', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 10 }), (chunks) => {
        const reader = new RecordReader(256);
        try {
          for (const c of chunks) for (const rec of reader.push(c)) assert.ok(rec.length <= 256);
        } catch (e) {
          assert.ok(e instanceof DecodeError, String(e));
        }
      }),
      { numRuns: 500 },
    );
  });

  test('feed hands whole records in a chunk over as ranges of that chunk, others as copies', () => {
    const a = fragment(new Uint8Array([1, 2, 3, 4]), true);
    const b = fragment(new Uint8Array([5, 6]), true);
    const buf = new Uint8Array(64);
    buf.set(a, 0);
    buf.set(b, a.length);
    buf.set(fragment(new Uint8Array([7, 8, 9]), true).subarray(0, 5), a.length + b.length); // cut short
    const end = a.length + b.length + 5; // bytes past `end` are not data
    const reader = new RecordReader();
    const got: [boolean, number[]][] = [];
    reader.feed(buf, end, (bytes, from, to) => got.push([bytes === buf, [...bytes.subarray(from, to)]]));
    assert.deepEqual(got, [
      [true, [1, 2, 3, 4]],
      [true, [5, 6]],
    ]);
    buf.fill(0xee); // the buffer is reused: the partial record was copied
    reader.feed(new Uint8Array([8, 9]), 2, (bytes, from, to) =>
      got.push([false, [...bytes.subarray(from, to)]]),
    );
    assert.deepEqual(got[2], [false, [7, 8, 9]]);
    assert.ok(reader.idle);
  });
});
