import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { CI_SEED } from './fc-seed.js';

const root = new URL('../..', import.meta.url).pathname;

/** The first values a property draws, in a fresh process with the setup loaded and `env` set. */
function draw(env: Record<string, string>): { seed: unknown; values: number[] } {
  const script = `
    import fc from 'fast-check';
    const values = [];
    fc.assert(fc.property(fc.integer(), (n) => { values.push(n); }), { numRuns: 5 });
    console.log(JSON.stringify({ seed: fc.readConfigureGlobal().seed ?? null, values }));`;
  const clean = { ...process.env };
  delete clean.FC_SEED;
  delete clean.CI;
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', '--import', './test/helpers/fc-setup.ts', '--input-type=module', '-e', script],
    { cwd: root, env: { ...clean, ...env }, encoding: 'utf8' },
  );
  return JSON.parse(out) as { seed: unknown; values: number[] };
}

describe('fast-check seed setup', () => {
  test('FC_SEED=N fixes the seed, so two runs draw the same values', () => {
    const a = draw({ FC_SEED: '12345' });
    const b = draw({ FC_SEED: '12345' });
    assert.equal(a.seed, 12345);
    assert.deepEqual(a.values, b.values);
    assert.notDeepEqual(draw({ FC_SEED: '54321' }).values, a.values);
  });

  test('CI=true without FC_SEED takes the CI seed; FC_SEED=random and local runs do not fix one', () => {
    assert.equal(draw({ CI: 'true' }).seed, CI_SEED);
    assert.equal(draw({ CI: 'true', FC_SEED: 'random' }).seed, null);
    assert.equal(draw({}).seed, null);
  });

  test('a seed that is not an integer is refused with a clear message', () => {
    assert.throws(() => draw({ FC_SEED: 'abc' }), /FC_SEED must be an integer or "random", not abc/);
  });

  test('the test runner loads the setup in every test file', (t) => {
    if (process.env.NETKIT_TEST_RUNNER !== '1') {
      t.skip('run through scripts/run-tests.mjs (npm test), which loads the setup');
      return;
    }
    const expected = process.env.FC_SEED ?? (process.env.CI === 'true' ? String(CI_SEED) : 'random');
    assert.equal((globalThis as Record<symbol, unknown>)[Symbol.for('netkit.fc-seed')], expected);
    if (expected === 'random') {
      assert.equal(fc.readConfigureGlobal().seed, undefined);
    } else {
      assert.equal(fc.readConfigureGlobal().seed, Number(expected));
    }
  });
});
