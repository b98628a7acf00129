// Calls every demo procedure through a generated client and checks the documented results
// (examples/rpc/demo.x comments), computed by hand here. Shared by the TS and C interop tests.

import assert from 'node:assert/strict';
import { type DEMO_PROG_1_Client, grade } from '../../../src/rpc/demo/demo.js';

/** Every procedure with arguments and the result the demo rules give (computed by hand here). */
export async function exerciseDemo(c: DEMO_PROG_1_Client): Promise<void> {
  assert.equal(await c.DEMO_NULL(), undefined);
  assert.equal(await c.DEMO_ADD({ a: 40, b: 2 }), 42);
  assert.equal(await c.DEMO_ADD({ a: 0x7fffffff, b: 1 }), -0x80000000);
  assert.equal(await c.DEMO_ECHO('héllo, wörld'), 'héllo, wörld');
  assert.equal(await c.DEMO_ECHO(''), '');
  assert.deepEqual(await c.DEMO_DESCRIBE(-5), { tag: 0, value: undefined });
  assert.deepEqual(await c.DEMO_DESCRIBE(21), { tag: 2, value: 'odd:21' });
  assert.deepEqual(await c.DEMO_DESCRIBE(8), { tag: 1, value: 16 });
  assert.equal(await c.DEMO_SUM(null), 0);
  assert.equal(await c.DEMO_SUM({ value: 1, next: { value: -2, next: { value: 30, next: null } } }), 29);
  assert.equal(await c.DEMO_SQUARE(3_000_000_000n), 9_000_000_000_000_000_000n);
  assert.equal(await c.DEMO_SQUARE(0x1_0000_0000n), 0n);
  assert.deepEqual(
    Buffer.from(await c.DEMO_REVERSE(Uint8Array.from([1, 2, 3, 4, 5]))),
    Buffer.from([5, 4, 3, 2, 1]),
  );
  assert.deepEqual(
    await c.DEMO_GRADE({ name: 'ada', id: 7, scores: [95, 88, 91], result: grade.GRADE_NONE }),
    {
      name: 'ada',
      id: 7,
      scores: [95, 88, 91],
      result: grade.GRADE_A,
    },
  );
  assert.deepEqual(await c.DEMO_GRADE({ name: 'bob', id: 8, scores: [], result: grade.GRADE_F }), {
    name: 'bob',
    id: 8,
    scores: [],
    result: grade.GRADE_NONE,
  });
}
