import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeyedRateLimiter, TokenBucket } from '../../src/core/rate.js';

describe('TokenBucket', () => {
  it('allows a burst, then one token per 1/rate seconds', () => {
    const b = new TokenBucket(10, 3, 0);
    assert.deepEqual([b.take(0), b.take(0), b.take(0), b.take(0)], [true, true, true, false]);
    assert.equal(b.waitMs(0), 100);
    assert.equal(b.take(99), false);
    assert.equal(b.take(101), true);
  });
});

describe('KeyedRateLimiter', () => {
  it('limits each source on its own', () => {
    const l = new KeyedRateLimiter(1, 1);
    assert.equal(l.take('a', 0), true);
    assert.equal(l.take('a', 0), false);
    assert.equal(l.take('b', 0), true);
  });

  it('holds at most maxKeys buckets, evicting the least recently used', () => {
    const l = new KeyedRateLimiter(1, 1, 100);
    for (let i = 0; i < 10_000; i++) l.take(`10.0.${i >> 8}.${i & 255}`, 0);
    assert.equal(l.size, 100);
  });
});
