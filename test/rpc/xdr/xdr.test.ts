// XDR runtime: RFC 4506 layouts per type, round trips, limits and hostile input.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { DecodeError } from '../../../src/core/errors.js';
import * as xdr from '../../../src/rpc/xdr/index.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytes = (h: string) => new Uint8Array(Buffer.from(h.replace(/\s+/g, ''), 'hex'));

function vector<T>(t: xdr.XdrType<T>, v: T, wire: string) {
  assert.equal(hex(xdr.encode(t, v)), wire.replace(/\s+/g, ''));
  assert.deepEqual(xdr.decode(t, bytes(wire)), v);
}

function rejects(t: xdr.XdrType<unknown>, wire: string, re: RegExp) {
  assert.throws(
    () => xdr.decode(t, bytes(wire)),
    (e: unknown) => e instanceof DecodeError && e.layer === 'xdr' && re.test(e.message),
  );
}

describe('XDR primitives follow RFC 4506 byte layouts', () => {
  test('int is 4 bytes big-endian two’s complement (§4.1)', () => {
    vector(xdr.int, 1, '00000001');
    vector(xdr.int, -1, 'ffffffff');
    vector(xdr.int, -2147483648, '80000000');
    vector(xdr.int, 2147483647, '7fffffff');
    assert.throws(() => xdr.encode(xdr.int, 2147483648), /out of range/);
    assert.throws(() => xdr.encode(xdr.int, 1.5), /out of range/);
  });

  test('unsigned int is 4 bytes big-endian (§4.2)', () => {
    vector(xdr.uint, 0xdeadbeef, 'deadbeef');
    vector(xdr.uint, 0, '00000000');
    assert.throws(() => xdr.encode(xdr.uint, -1), /out of range/);
  });

  test('hyper and unsigned hyper are 8 bytes, carried as bigint (§4.5)', () => {
    vector(xdr.hyper, -2n, 'fffffffffffffffe');
    vector(xdr.hyper, 0x0102030405060708n, '0102030405060708');
    vector(xdr.uhyper, 0xffffffffffffffffn, 'ffffffffffffffff');
    assert.throws(() => xdr.encode(xdr.uhyper, -1n), /out of range/);
    assert.throws(() => xdr.encode(xdr.hyper, 1n << 63n), /out of range/);
  });

  test('float and double are IEEE big-endian (§4.6, §4.7)', () => {
    vector(xdr.float, 1.5, '3fc00000');
    vector(xdr.double, -2.25, 'c002000000000000');
    vector(xdr.double, Number.POSITIVE_INFINITY, '7ff0000000000000');
  });

  test('quadruple is carried as its 16 raw bytes (§4.8)', () => {
    const q = bytes('3fff0000000000000000000000000000'); // 1.0 in binary128
    vector(xdr.quadruple, q, '3fff0000000000000000000000000000');
  });

  test('bool is 0 or 1 and anything else is refused (§4.4)', () => {
    vector(xdr.bool, true, '00000001');
    vector(xdr.bool, false, '00000000');
    rejects(xdr.bool, '00000002', /bool must be 0 or 1/);
  });

  test('enum values are validated against the declared set (§4.3)', () => {
    const color = xdr.enumType({ RED: 2, YELLOW: 3, BLUE: 5 });
    vector(color, 3, '00000003');
    rejects(color, '00000004', /enum value 4 not allowed/);
    assert.throws(() => xdr.encode(color, 4), /not allowed/);
  });

  test('fixed opaque pads with zero bytes to a multiple of four (§4.9)', () => {
    vector(xdr.fixedOpaque(5), bytes('0102030405'), '01020304 05000000');
    vector(xdr.fixedOpaque(4), bytes('01020304'), '01020304');
    rejects(xdr.fixedOpaque(5), '0102030405000100', /non-zero padding/);
    assert.throws(() => xdr.encode(xdr.fixedOpaque(5), bytes('01')), /exactly 5/);
  });

  test('variable opaque is a length, the bytes and zero padding (§4.10)', () => {
    vector(xdr.opaque(10), bytes('aabbcc'), '00000003 aabbcc00');
    vector(xdr.opaque(), new Uint8Array(0), '00000000');
    rejects(xdr.opaque(2), '00000003 aabbcc00', /exceeds maximum 2/);
    rejects(xdr.opaque(), '00000005 aabbcc00', /exceeds the 4 bytes left/);
    assert.throws(() => xdr.encode(xdr.opaque(2), bytes('010203')), /exceeds maximum/);
  });

  test('string is a byte length, UTF-8 bytes and padding (§4.11)', () => {
    vector(xdr.string(255), 'sillyprog', '00000009 73696c6c7970726f 67000000');
    vector(xdr.string(), 'é', '00000002 c3a90000');
    vector(xdr.string(), '', '00000000');
    // Long and non-ASCII strings take the general path.
    const long = `${'x'.repeat(100)}ü`;
    assert.equal(xdr.decode(xdr.string(), xdr.encode(xdr.string(), long)), long);
    rejects(xdr.string(3), '00000004 61626364', /exceeds maximum 3/);
  });

  test('ASCII strings of every length up to 130 bytes round-trip (short-string fast paths)', () => {
    for (let n = 0; n <= 130; n++) {
      const s = Array.from({ length: n }, (_, i) => String.fromCharCode(32 + ((i * 7) % 95))).join('');
      assert.equal(xdr.decode(xdr.string(), xdr.encode(xdr.string(), s)), s);
      assert.equal(xdr.decode(xdr.string(200, 'latin1'), xdr.encode(xdr.string(), s)), s);
    }
  });

  test('strings decode leniently by default, strictly or as latin1 on request, or stay bytes', () => {
    const wire = '00000002 ff410000';
    assert.equal(xdr.decode(xdr.string(), bytes(wire)), '\ufffdA');
    assert.equal(xdr.decode(xdr.string(10, 'latin1'), bytes(wire)), '\u00ffA');
    rejects(xdr.string(10, 'utf8-strict'), wire, /not valid UTF-8/);
    assert.deepEqual(xdr.decode(xdr.stringBytes(10), bytes(wire)), bytes('ff41'));
  });

  test('fixed arrays have no count, variable arrays a count checked against the maximum (§4.12, §4.13)', () => {
    vector(xdr.fixedArray(xdr.int, 2), [1, -1], '00000001 ffffffff');
    vector(xdr.array(xdr.uint, 5), [7, 8, 9], '00000003 00000007 00000008 00000009');
    rejects(xdr.array(xdr.uint, 2), '00000003 00000007 00000008 00000009', /exceeds maximum 2/);
    assert.throws(() => xdr.encode(xdr.array(xdr.int, 1), [1, 2]), /exceeds maximum/);
  });

  test('an array count larger than the bytes left is refused before allocating', () => {
    // 0xfffffff0 elements of 8 bytes each: refused on the count alone.
    rejects(xdr.array(xdr.hyper), 'fffffff0 00000000', /exceeds the 4 bytes left/);
  });

  test('struct members are concatenated in order (§4.14)', () => {
    const file = xdr.struct({ name: xdr.string(255), owner: xdr.uint, size: xdr.uhyper });
    vector(file, { name: 'ab', owner: 1000, size: 42n }, '00000002 61620000 000003e8 000000000000002a');
  });

  test('unions carry the discriminant then the selected arm; unknown tags are refused (§4.15)', () => {
    const u = xdr.union<number>({
      disc: xdr.int,
      arms: [
        [[0], xdr.voidType],
        [[1, 2], xdr.uint],
      ],
    });
    vector(u, { tag: 0, value: undefined }, '00000000');
    vector(u, { tag: 2, value: 9 }, '00000002 00000009');
    rejects(u, '00000003', /no arm for discriminant 3/);
    const withDefault = xdr.union<number>({
      disc: xdr.int,
      arms: [[[0], xdr.int]],
      defaultArm: xdr.string(),
    });
    vector(withDefault, { tag: 7, value: 'x' }, '00000007 00000001 78000000');
    const boolUnion = xdr.union<boolean>({
      disc: xdr.bool,
      arms: [
        [[true], xdr.int],
        [[false], xdr.voidType],
      ],
    });
    vector(boolUnion, { tag: true, value: 5 }, '00000001 00000005');
  });

  test('optional data is a bool then the value; recursive lists decode within the depth limit (§4.19)', () => {
    interface Node {
      v: number;
      next: Node | null;
    }
    const node: xdr.XdrType<Node> = xdr.struct<Node>({
      v: xdr.int,
      next: xdr.optional(xdr.lazy(() => node)),
    });
    vector(xdr.optional(xdr.int), null, '00000000');
    vector(xdr.optional(xdr.int), 3, '00000001 00000003');
    vector(node, { v: 1, next: { v: 2, next: null } }, '00000001 00000001 00000002 00000000');
    // 300 nested nodes exceed the default depth of 200: a typed error, not a stack overflow.
    const deep = `${'00000001 00000001 '.repeat(300)}00000001 00000000`;
    rejects(node, deep, /nesting deeper than 200/);
  });

  test('linked lists decode iteratively into arrays, bounded by their maximum', () => {
    const list = xdr.linkedList(xdr.uint, 3);
    vector(list, [5, 6], '00000001 00000005 00000001 00000006 00000000');
    vector(list, [], '00000000');
    rejects(
      list,
      '00000001 00000001 00000001 00000002 00000001 00000003 00000001 00000004 00000000',
      /longer than 3/,
    );
  });

  test('void encodes nothing (§4.16) and trailing bytes after a whole value are refused', () => {
    assert.equal(xdr.encode(xdr.voidType, undefined).length, 0);
    rejects(xdr.int, '00000001 00', /trailing bytes/);
    rejects(xdr.int, '000000', /need 4 bytes/);
  });

  test('opaque values are copies by default and views into the input with the views option', () => {
    const wire = bytes('00000002 abcd0000');
    const copy = xdr.decode(xdr.opaque(), wire);
    const view = xdr.decode(xdr.opaque(), wire, { views: true });
    wire[4] = 0x11;
    assert.deepEqual(copy, bytes('abcd'));
    assert.deepEqual(view, bytes('11cd'));
    // Also when the input is a Node Buffer, whose own slice() would be a view.
    const buf = Buffer.from('00000002abcd0000', 'hex');
    const fromBuf = xdr.decode(xdr.opaque(), buf);
    buf[4] = 0x22;
    assert.equal(fromBuf[0], 0xab);
  });

  test('the writer refuses to grow past its maximum size', () => {
    const w = new xdr.XdrWriter(16, 64);
    assert.throws(() => w.opaque(new Uint8Array(100)), /exceeds 64 bytes/);
  });
});

// ---------------------------------------------------------------- properties

interface Sample {
  a: number;
  b: number;
  h: bigint;
  d: number;
  s: string;
  o: Uint8Array;
  list: number[];
  opt: { x: boolean } | null;
  u: xdr.UnionValue<number>;
}

const sample: xdr.XdrType<Sample> = xdr.struct<Sample>({
  a: xdr.int,
  b: xdr.uint,
  h: xdr.hyper,
  d: xdr.double,
  s: xdr.string(100),
  o: xdr.opaque(50),
  list: xdr.array(xdr.int, 20),
  opt: xdr.optional(xdr.struct({ x: xdr.bool })),
  u: xdr.union<number>({
    disc: xdr.int,
    arms: [
      [[0], xdr.voidType],
      [[1], xdr.string(10)],
    ],
    defaultArm: xdr.uint,
  }),
});

const sampleArb: fc.Arbitrary<Sample> = fc.record({
  a: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  b: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
  h: fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }),
  d: fc.double({ noNaN: true }),
  s: fc.string({ maxLength: 25 }),
  o: fc.uint8Array({ maxLength: 50 }),
  list: fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { maxLength: 20 }),
  opt: fc.option(fc.record({ x: fc.boolean() }), { nil: null }),
  u: fc.oneof(
    fc.constant({ tag: 0, value: undefined }),
    fc.record({ tag: fc.constant(1), value: fc.string({ maxLength: 2 }) }),
    fc.record({ tag: fc.integer({ min: 2, max: 1000 }), value: fc.integer({ min: 0, max: 2 ** 32 - 1 }) }),
  ) as fc.Arbitrary<xdr.UnionValue<number>>,
});

/** fast-check builds null-prototype records; the decoder builds plain objects. */
function plain(v: unknown): unknown {
  if (v === null || typeof v !== 'object' || v instanceof Uint8Array) return v;
  if (Array.isArray(v)) return v.map(plain);
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
}

describe('XDR properties', () => {
  test('decode(encode(v)) equals v for arbitrary structs, and the encoding is 4-byte aligned', () => {
    fc.assert(
      fc.property(sampleArb, (v) => {
        const wire = xdr.encode(sample, v);
        assert.equal(wire.length % 4, 0);
        assert.deepEqual(xdr.decode(sample, wire), plain(v));
      }),
      { numRuns: 300 },
    );
  });

  test('arbitrary bytes give a value or a DecodeError, never another error', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
        try {
          xdr.decode(sample, b);
        } catch (e) {
          assert.ok(e instanceof DecodeError && e.layer === 'xdr', String(e));
        }
      }),
      { numRuns: 1000 },
    );
  });

  test('mutated valid encodings give a value or a DecodeError', () => {
    fc.assert(
      fc.property(sampleArb, fc.nat(), fc.integer({ min: 0, max: 255 }), (v, at, byte) => {
        const wire = xdr.encode(sample, v);
        wire[at % wire.length] = byte;
        try {
          xdr.decode(sample, wire);
        } catch (e) {
          assert.ok(e instanceof DecodeError, String(e));
        }
      }),
      { numRuns: 500 },
    );
  });
});
