// Token buckets: a per-key rate limit that delays or refuses one sender, never switches a service off.

export class TokenBucket {
  readonly ratePerSec: number;
  readonly burst: number;
  private tokens: number;
  private last: number;
  constructor(ratePerSec: number, burst: number, now: number) {
    this.ratePerSec = ratePerSec;
    this.burst = burst;
    this.tokens = burst;
    this.last = now;
  }

  private refill(now: number): void {
    if (now > this.last) {
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.ratePerSec);
      this.last = now;
    }
  }

  /** Takes one token if there is one. `now` is milliseconds (passed in, so tests control time). */
  take(now: number): boolean {
    this.refill(now);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    return false;
  }

  /** Milliseconds until one token is available (0 if one is available now). */
  waitMs(now: number): number {
    this.refill(now);
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.ratePerSec) * 1000);
  }
}

/**
 * One bucket per key (a source address), bounded in number: when `maxKeys` is reached the
 * least-recently-used key is evicted, so a flood of spoofed sources cannot grow memory.
 *
 * Recency is kept in the Map's insertion order, but a key is moved to the back only once it has
 * drifted into the older half (more than maxKeys / 2 insertions ago): a busy key costs one lookup
 * per datagram instead of a delete and a re-insert, and a key is still never evicted before
 * maxKeys / 2 other keys have arrived since it was last used.
 */
export class KeyedRateLimiter {
  private readonly buckets = new Map<string, KeyedBucket>();
  readonly ratePerSec: number;
  readonly burst: number;
  readonly maxKeys: number;
  /** Insertions so far: a bucket's `seq` says where it stands in the Map's order. */
  private inserted = 0;
  constructor(ratePerSec: number, burst: number, maxKeys = 10_000) {
    this.ratePerSec = ratePerSec;
    this.burst = burst;
    this.maxKeys = maxKeys;
  }

  take(key: string, now: number): boolean {
    let b = this.buckets.get(key);
    if (b) {
      if (this.inserted - b.seq > this.maxKeys >> 1) {
        this.buckets.delete(key); // re-insert: Map order is our LRU order
        b.seq = this.inserted++;
        this.buckets.set(key, b);
      }
    } else {
      if (this.buckets.size >= this.maxKeys) {
        const oldest = this.buckets.keys().next().value;
        if (oldest !== undefined) this.buckets.delete(oldest);
      }
      b = new KeyedBucket(this.ratePerSec, this.burst, now, this.inserted++);
      this.buckets.set(key, b);
    }
    return b.take(now);
  }

  get size(): number {
    return this.buckets.size;
  }
}

class KeyedBucket extends TokenBucket {
  seq: number;
  constructor(ratePerSec: number, burst: number, now: number, seq: number) {
    super(ratePerSec, burst, now);
    this.seq = seq;
  }
}
