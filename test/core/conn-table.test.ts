import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { ConnTable } from '../../src/core/conn-table.js';
import { DEFAULT_TCP_LIMITS } from '../../src/core/tcp-server.js';

/** A connection whose handle answers getpeername with `address` and counts the calls. */
class FakeConn {
  epoch = 0;
  source: string | undefined;
  reads = 0;
  readonly address: string;
  readonly handle: { getpeername: (out: { address?: string }) => number };
  constructor(address: string) {
    this.address = address;
    this.handle = {
      getpeername: (out) => {
        this.reads++;
        out.address = address;
        return 0;
      },
    };
  }
}

const table = (perSource: number) =>
  new ConnTable<FakeConn>(
    { ...DEFAULT_TCP_LIMITS, perSourceConnections: perSource, idleTimeoutMs: 0 },
    () => {},
  );

/** Admits and adds a connection from `address`; false if the per-source cap refused it. */
function open(t: ConnTable<FakeConn>, address: string): FakeConn | undefined {
  const c = new FakeConn(address);
  const source = t.admitSource(c.handle);
  if (source === null) return undefined;
  c.source = source;
  t.add(c);
  return c;
}

describe('ConnTable per-source cap', () => {
  test('below the cap in all, no source is read; at it, each open connection is read once', () => {
    const t = table(3);
    const a = open(t, '10.0.0.1')!;
    const b = open(t, '10.0.0.2')!;
    const c = open(t, '10.0.0.1')!;
    assert.deepEqual([a.reads, b.reads, c.reads], [0, 0, 0]);
    assert.equal(a.source, undefined);
    // The fourth: three are open, so the first three are counted now, then it is.
    const d = open(t, '10.0.0.1')!;
    assert.deepEqual([a.reads, b.reads, c.reads, d.reads], [1, 1, 1, 1]);
    assert.deepEqual(
      [a.source, b.source, c.source, d.source],
      ['10.0.0.1', '10.0.0.2', '10.0.0.1', '10.0.0.1'],
    );
    // 10.0.0.1 now has three: the next from it is refused, another source is not.
    assert.equal(open(t, '10.0.0.1'), undefined);
    assert.ok(open(t, '10.0.0.3'));
    assert.equal(a.reads, 1, 'a counted connection is never read again');
  });

  test('with no cap, sources are never read', () => {
    const t = table(0);
    const cs = Array.from({ length: 20 }, () => open(t, '10.0.0.1')!);
    assert.ok(cs.every((c) => c.reads === 0 && c.source === undefined));
  });

  test('for any sequence of opens and closes, it refuses exactly when the source already has the cap', () => {
    const op = fc.oneof(fc.record({ open: fc.constantFrom('a', 'b', 'c') }), fc.record({ close: fc.nat() }));
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.array(op, { maxLength: 60 }), (cap, ops) => {
        const t = table(cap);
        const live: FakeConn[] = [];
        for (const o of ops) {
          if ('open' in o) {
            const have = live.filter((c) => c.address === o.open).length;
            const c = open(t, o.open);
            assert.equal(c === undefined, have >= cap, `${o.open} with ${have} open, cap ${cap}`);
            if (c) live.push(c);
          } else if (live.length) {
            const [c] = live.splice(o.close % live.length, 1);
            assert.equal(t.remove(c!), true);
          }
          assert.equal(t.size, live.length);
        }
      }),
    );
  });
});
