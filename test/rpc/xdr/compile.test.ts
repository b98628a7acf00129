// Compiled XDR decoders (struct/array/fixedArray inline their members): same values and the same
// errors — class, code, offset, message — as a decoder that reads member by member (RFC 4506 §4).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { DecodeError, ErrorCodes } from '../../../src/core/errors.js';
import * as xdr from '../../../src/rpc/xdr/index.js';

/** A type tree; the test builds both the library codec and its own member-by-member decoder from it. */
type Node =
  | { k: 'int' | 'uint' | 'bool' | 'hyper' | 'uhyper' | 'float' | 'double' | 'enum' }
  | { k: 'string' | 'opaque'; max: number }
  | { k: 'fixedOpaque'; n: number }
  | { k: 'array'; of: Node; max: number }
  | { k: 'fixedArray'; of: Node; n: number }
  | { k: 'struct'; fields: Node[] }
  | { k: 'optional'; of: Node }
  | { k: 'opaqueCall'; of: Node }
  | { k: 'void' }
  | { k: 'union'; disc: 'int' | 'uint' | 'bool' | 'enum'; arms: [number, Node][]; dflt: Node | null };

const ENUM = [0, 2, 5, -7];

/** The tag a generated case value k stands for: for a bool discriminant, -7 and 0 are both `false`. */
function unionTag(disc: 'int' | 'uint' | 'bool' | 'enum', k: number): number | boolean {
  return disc === 'bool' ? k % 2 === 1 : disc === 'uint' ? k >>> 0 : k;
}

function codec(n: Node): xdr.XdrType<unknown> {
  switch (n.k) {
    case 'int':
      return xdr.int as xdr.XdrType<unknown>;
    case 'uint':
      return xdr.uint as xdr.XdrType<unknown>;
    case 'bool':
      return xdr.bool as xdr.XdrType<unknown>;
    case 'hyper':
      return xdr.hyper as xdr.XdrType<unknown>;
    case 'uhyper':
      return xdr.uhyper as xdr.XdrType<unknown>;
    case 'float':
      return xdr.float as xdr.XdrType<unknown>;
    case 'double':
      return xdr.double as xdr.XdrType<unknown>;
    case 'enum':
      return xdr.enumType(ENUM) as xdr.XdrType<unknown>;
    case 'string':
      return xdr.string(n.max) as xdr.XdrType<unknown>;
    case 'opaque':
      return xdr.opaque(n.max) as xdr.XdrType<unknown>;
    case 'fixedOpaque':
      return xdr.fixedOpaque(n.n) as xdr.XdrType<unknown>;
    case 'array':
      return xdr.array(codec(n.of), n.max) as xdr.XdrType<unknown>;
    case 'fixedArray':
      return xdr.fixedArray(codec(n.of), n.n) as xdr.XdrType<unknown>;
    case 'struct':
      return xdr.struct(
        Object.fromEntries(n.fields.map((f, i) => [`f${i}`, codec(f)])),
      ) as xdr.XdrType<unknown>;
    case 'optional':
      return xdr.optional(codec(n.of)) as xdr.XdrType<unknown>;
    case 'void':
      return xdr.voidType as xdr.XdrType<unknown>;
    case 'union': {
      const disc =
        n.disc === 'enum'
          ? xdr.enumType(ENUM)
          : n.disc === 'bool'
            ? xdr.bool
            : n.disc === 'uint'
              ? xdr.uint
              : xdr.int;
      return xdr.union<number | boolean>({
        disc: disc as xdr.XdrType<number | boolean>,
        arms: n.arms.map(([k, a]) => [[unionTag(n.disc, k)], codec(a)] as const),
        ...(n.dflt ? { defaultArm: codec(n.dflt) } : {}),
      }) as xdr.XdrType<unknown>;
    }
    case 'opaqueCall':
      // A codec the compiler knows nothing about: compiled code must call it.
      return xdr.transform(
        codec(n.of),
        (v) => v,
        (v) => v,
      );
  }
}

/** Smallest encoding, as RFC 4506 lays the types out (computed here, not taken from the codecs). */
function minSize(n: Node): number {
  switch (n.k) {
    case 'hyper':
    case 'uhyper':
    case 'double':
      return 8;
    case 'fixedOpaque':
      return n.n + ((4 - (n.n & 3)) & 3);
    case 'fixedArray':
      return minSize(n.of) * n.n;
    case 'struct':
      return n.fields.reduce((s, f) => s + minSize(f), 0);
    case 'opaqueCall':
      return minSize(n.of);
    case 'void':
      return 0;
    case 'union': {
      // The arm a tag selects is the last one listed for it; with no arm at all nothing decodes,
      // and the codecs then count the arms as 0 bytes.
      const byTag = new Map(n.arms.map(([k, a]) => [unionTag(n.disc, k), a]));
      const arms = [...[...byTag.values()].map(minSize), ...(n.dflt ? [minSize(n.dflt)] : [])];
      return 4 + (arms.length ? Math.min(...arms) : 0);
    }
    default:
      return 4;
  }
}

/** The member-by-member decoder: only XdrReader's own methods, one value at a time. */
function reference(n: Node): (r: xdr.XdrReader) => unknown {
  switch (n.k) {
    case 'int':
      return (r) => r.int();
    case 'uint':
      return (r) => r.uint();
    case 'bool':
      return (r) => r.bool();
    case 'hyper':
      return (r) => r.hyper();
    case 'uhyper':
      return (r) => r.uhyper();
    case 'float':
      return (r) => r.float();
    case 'double':
      return (r) => r.double();
    case 'enum': {
      const set = new Set(ENUM);
      return (r) => r.enumValue(set);
    }
    case 'string':
      return (r) => r.string(n.max);
    case 'opaque':
      return (r) => r.opaque(n.max);
    case 'fixedOpaque':
      return (r) => r.fixedOpaque(n.n);
    case 'array': {
      const of = reference(n.of);
      const min = minSize(n.of);
      return (r) => {
        const count = r.count(n.max, min);
        const out = [];
        for (let i = 0; i < count; i++) out.push(of(r));
        return out;
      };
    }
    case 'fixedArray': {
      const of = reference(n.of);
      const need = minSize(n.of) * n.n;
      return (r) => {
        if (need > r.remaining) r.fail(`fixed array of ${n.n} cannot fit`, ErrorCodes.TRUNCATED);
        const out = [];
        for (let i = 0; i < n.n; i++) out.push(of(r));
        return out;
      };
    }
    case 'struct': {
      const fs = n.fields.map(reference);
      return (r) => {
        const o: Record<string, unknown> = {};
        fs.forEach((f, i) => {
          o[`f${i}`] = f(r);
        });
        return o;
      };
    }
    case 'optional': {
      const of = reference(n.of);
      return (r) => {
        if (!r.bool()) return null;
        r.enter();
        const v = of(r);
        r.leave();
        return v;
      };
    }
    case 'opaqueCall':
      return reference(n.of);
    case 'void':
      return () => undefined;
    case 'union': {
      // RFC 4506 §4.15: the discriminant, then the arm it selects (the last arm listed for a tag).
      const set = new Set(ENUM);
      const disc =
        n.disc === 'enum'
          ? (r: xdr.XdrReader) => r.enumValue(set)
          : n.disc === 'bool'
            ? (r: xdr.XdrReader) => r.bool()
            : n.disc === 'uint'
              ? (r: xdr.XdrReader) => r.uint()
              : (r: xdr.XdrReader) => r.int();
      const arms = new Map<number | boolean, (r: xdr.XdrReader) => unknown>();
      for (const [k, a] of n.arms) arms.set(unionTag(n.disc, k), reference(a));
      const dflt = n.dflt ? reference(n.dflt) : undefined;
      return (r) => {
        const at = r.pos;
        const t = disc(r);
        const arm = arms.get(t) ?? dflt;
        if (!arm) return r.fail(`union has no arm for discriminant ${String(t)}`, ErrorCodes.INVALID, at);
        return { tag: t, value: arm(r) };
      };
    }
  }
}

const nodeArb: fc.Arbitrary<Node> = fc.letrec<{ node: Node }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom<Node>(
      { k: 'int' },
      { k: 'uint' },
      { k: 'bool' },
      { k: 'hyper' },
      { k: 'uhyper' },
      { k: 'float' },
      { k: 'double' },
      { k: 'enum' },
    ),
    fc.record({
      k: fc.constantFrom('string' as const, 'opaque' as const),
      max: fc.integer({ min: 0, max: 80 }),
    }),
    fc.record({ k: fc.constant('fixedOpaque' as const), n: fc.integer({ min: 0, max: 9 }) }),
    fc.record({ k: fc.constant('array' as const), of: tie('node'), max: fc.integer({ min: 0, max: 6 }) }),
    fc.record({ k: fc.constant('fixedArray' as const), of: tie('node'), n: fc.integer({ min: 0, max: 3 }) }),
    fc.record({ k: fc.constant('struct' as const), fields: fc.array(tie('node'), { maxLength: 5 }) }),
    fc.record({ k: fc.constant('optional' as const), of: tie('node') }),
    fc.record({ k: fc.constant('opaqueCall' as const), of: tie('node') }),
    fc.constant<Node>({ k: 'void' }),
    fc.record({
      k: fc.constant('union' as const),
      disc: fc.constantFrom('int' as const, 'uint' as const, 'bool' as const, 'enum' as const),
      arms: fc.array(fc.tuple(fc.constantFrom(0, 1, 2, 5, -7, 3), tie('node')), { maxLength: 4 }),
      dflt: fc.option(tie('node'), { nil: null }),
    }),
  ),
})).node;

type Outcome = { ok: true; value: unknown } | { ok: false; err: [string, string, number, string] };

function run(f: () => unknown): Outcome {
  try {
    return { ok: true, value: f() };
  } catch (e) {
    assert.ok(e instanceof DecodeError, `not a DecodeError: ${String(e)}`);
    return { ok: false, err: [e.name, e.code, e.offset, e.message] };
  }
}

/** Decodes with both; the outcomes must be identical (NaN floats compare equal via Object.is in deepEqual). */
function same(node: Node, t: xdr.XdrType<unknown>, bytes: Uint8Array, views: boolean) {
  const ref = reference(node);
  const a = run(() => xdr.decode(t, bytes, { views }));
  const b = run(() => {
    const r = new xdr.XdrReader(bytes, 0, bytes.length, { views });
    const v = ref(r);
    r.done();
    return v;
  });
  assert.deepEqual(a, b);
}

/** Bytes that are mostly a valid prefix: small numbers, zero padding, ASCII, with random damage. */
const wordsArb = fc
  .array(
    fc.oneof(
      fc.constantFrom(0, 1, 2, 3, 4, 5, 7, 0x41424344, 0x61000000, 0x80, 0xffffffff, 0x7ff80000),
      fc.integer({ min: 0, max: 0xffffffff }),
    ),
    { maxLength: 40 },
  )
  .chain((ws) =>
    fc.record({
      ws: fc.constant(ws),
      cut: fc.integer({ min: 0, max: 3 }),
      flip: fc.option(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { nil: undefined }),
    }),
  )
  .map(({ ws, cut, flip }) => {
    const b = new Uint8Array(ws.length * 4);
    const dv = new DataView(b.buffer);
    ws.forEach((w, i) => {
      dv.setUint32(i * 4, w);
    });
    const out = b.subarray(0, Math.max(0, b.length - cut));
    if (flip && out.length) out[flip[0] % out.length] = flip[1];
    return out;
  });

describe('compiled XDR decoders match the member-by-member decoder', () => {
  test('for arbitrary type trees and arbitrary bytes: the same value or the same DecodeError', () => {
    fc.assert(
      fc.property(nodeArb, wordsArb, fc.boolean(), (node, bytes, views) => {
        same(node, codec(node), bytes, views);
      }),
      { numRuns: 3000 },
    );
  });

  test('for arbitrary type trees and the encodings of their own values, damaged at one byte', () => {
    fc.assert(
      fc.property(nodeArb, fc.uint8Array({ minLength: 200, maxLength: 200 }), fc.nat(), (node, seed, at) => {
        // A valid encoding: decode the seed (views off) with the reference until something fits.
        const t = codec(node);
        const r = new xdr.XdrReader(seed);
        let v: unknown;
        try {
          v = reference(node)(r);
        } catch {
          return; // the seed did not make a value of this type; the other property covers errors
        }
        const wire = xdr.encode(t, v);
        same(node, t, wire, false);
        if (wire.length) {
          const i = at % wire.length;
          wire[i] = wire[i]! ^ 0x80;
          same(node, t, wire, true);
        }
      }),
      { numRuns: 1000 },
    );
  });

  test('hyper, unsigned hyper, float and double read every bit pattern as the RFC lays them out', () => {
    const t = xdr.struct({ h: xdr.hyper, u: xdr.uhyper, f: xdr.float, d: xdr.double });
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 28, maxLength: 28 }), (b) => {
        const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
        const v = xdr.decode(t, b);
        assert.equal(v.h, dv.getBigInt64(0));
        assert.equal(v.u, dv.getBigUint64(8));
        assert.ok(Object.is(v.f, dv.getFloat32(16)));
        assert.ok(Object.is(v.d, dv.getFloat64(20)));
      }),
      { numRuns: 500 },
    );
  });

  test('a struct too big to inline whole still decodes every member in order', () => {
    const fields: Record<string, xdr.XdrType<unknown>> = {};
    const value: Record<string, unknown> = {};
    for (let i = 0; i < 300; i++) {
      const inner = xdr.struct({ a: xdr.int, s: xdr.string(8) });
      fields[`m${i}`] = inner as xdr.XdrType<unknown>;
      value[`m${i}`] = { a: i - 150, s: `s${i % 100}` };
    }
    const t = xdr.struct(fields);
    assert.deepEqual(xdr.decode(t, xdr.encode(t, value)), value);
  });

  test('opaque views share the input’s memory, views of a Buffer stay Buffers, copies do not', () => {
    const t = xdr.struct({ o: xdr.opaque(8), f: xdr.fixedOpaque(3) });
    const wire = xdr.encode(t, { o: new Uint8Array([1, 2]), f: new Uint8Array([3, 4, 5]) });
    const framed = new Uint8Array(wire.length + 8);
    framed.set(wire, 4);
    const input = framed.subarray(4, 4 + wire.length);
    const v = xdr.decode(t, input, { views: true });
    assert.equal(v.o.buffer, framed.buffer);
    input[4] = 9;
    input[8] = 8;
    assert.deepEqual([...v.o, ...v.f], [9, 2, 8, 4, 5]);
    const fromBuffer = xdr.decode(t, Buffer.from(wire), { views: true });
    assert.ok(Buffer.isBuffer(fromBuffer.o) && Buffer.isBuffer(fromBuffer.f));
    const copy = xdr.decode(t, input);
    input[4] = 7;
    assert.equal(copy.o[0], 9);
  });

  test('whole-message decodes reuse one reader without carrying options, depth or input between calls', () => {
    interface Chain {
      next: Chain | null;
    }
    const chain: xdr.XdrType<Chain> = xdr.struct<Chain>({ next: xdr.optional(xdr.lazy(() => chain)) });
    const deep = xdr.encode(chain, { next: { next: { next: null } } });
    // A decode that fails inside nested data, with a small depth limit and views on...
    assert.throws(() => xdr.decode(chain, deep, { maxDepth: 1, views: true }), /nesting deeper than 1/);
    // ...leaves the next one with the defaults: depth 0, limit 200, copies.
    assert.deepEqual(xdr.decode(chain, deep), { next: { next: { next: null } } });
    const wire = xdr.encode(xdr.opaque(), new Uint8Array([5]));
    const copy = xdr.decode(xdr.opaque(), wire);
    wire[4] = 6;
    assert.equal(copy[0], 5);
    // A codec that itself calls decode() while the outer decode runs gets its own reader.
    const inner = xdr.struct({ a: xdr.int, s: xdr.string(10) });
    const nested = xdr.struct({
      before: xdr.int,
      packed: xdr.transform(
        xdr.opaque(100),
        (b) => xdr.decode(inner, b),
        (v: { a: number; s: string }) => xdr.encode(inner, v),
      ),
      after: xdr.string(10),
    });
    const v = { before: 1, packed: { a: -2, s: 'in' }, after: 'out' };
    assert.deepEqual(xdr.decode(nested, xdr.encode(nested, v)), v);
    assert.deepEqual(xdr.decode(nested, xdr.encode(nested, v)), v);
  });
});
