// Loaded before every test file by scripts/run-tests.mjs (`--import`): fixes fast-check's seed
// when one is asked for, so that a run can be repeated exactly.
//
//   FC_SEED=N        every property starts from seed N (a failure prints the seed it used)
//   FC_SEED=random   a fresh seed per property, fast-check's default
//   (unset)          random locally; with CI=true, the fixed seed below
//
// CI takes a fixed seed so that what lands is what was run here: a rare counterexample found by
// chance on the landing run would otherwise block every commit with it. Local runs keep drawing
// fresh seeds and so keep exploring; a seed they find is a test case to add (see the union
// minimum-size case in test/rpc/xdr/compile.test.ts).
import fc from 'fast-check';
import { CI_SEED } from './fc-seed.js';

const asked = process.env.FC_SEED ?? (process.env.CI === 'true' ? String(CI_SEED) : 'random');
/** What this process was set up with, for the test that the runner loads this file everywhere. */
(globalThis as Record<symbol, unknown>)[Symbol.for('netkit.fc-seed')] = asked;
if (asked !== 'random') {
  const seed = Number(asked);
  if (!Number.isSafeInteger(seed)) throw new Error(`FC_SEED must be an integer or "random", not ${asked}`);
  fc.configureGlobal({ seed });
}
