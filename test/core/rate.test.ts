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

  it('keeps a key in use while others flood in, and forgets one left unused for maxKeys of them', () => {
    // Rate ~0 and burst 1: a kept bucket stays empty; an evicted key comes back with a full one.
    const l = new KeyedRateLimiter(1e-9, 1, 100);
    assert.equal(l.take('busy', 0), true);
    assert.equal(l.take('idle', 0), true);
    for (let i = 0; i < 5_000; i++) {
      l.take(`10.1.${i >> 8}.${i & 255}`, 0);
      // Used every 40 new keys (< maxKeys / 2): never evicted, its bucket stays empty.
      if (i % 40 === 39) assert.equal(l.take('busy', 0), false, `busy was evicted after ${i + 1} keys`);
    }
    assert.equal(l.take('idle', 0), true, 'idle, unused for 5,000 other keys, was evicted');
    assert.ok(l.size <= 100);
  });
});
