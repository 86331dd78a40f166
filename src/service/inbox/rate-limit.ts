/**
 * Token buckets: each name may take `perMinute` messages a minute, in bursts of at most `burst`. At most
 * `maxNames` buckets are kept (a flood of fresh peer ids must not grow memory); when full, the bucket
 * touched longest ago is forgotten, which at worst gives that name a fresh burst.
 */
export interface RateLimit {
  readonly perMinute: number;
  readonly burst: number;
}

export interface RateLimiter {
  /** True when `name` may take one more now (and takes it). */
  take(name: string, now?: number): boolean;
}

export function createRateLimiter(limit: RateLimit, maxNames = 10_000): RateLimiter {
  // A Map iterates in insertion order: re-inserting on each use keeps the least recent first.
  const buckets = new Map<string, { tokens: number; at: number }>();
  const perMs = limit.perMinute / 60_000;
  return {
    take(name, now = Date.now()) {
      const bucket = buckets.get(name) ?? { tokens: limit.burst, at: now };
      buckets.delete(name);
      bucket.tokens = Math.min(limit.burst, bucket.tokens + (now - bucket.at) * perMs);
      bucket.at = now;
      const allowed = bucket.tokens >= 1;
      if (allowed) bucket.tokens -= 1;
      buckets.set(name, bucket);
      if (buckets.size > maxNames) buckets.delete(buckets.keys().next().value as string);
      return allowed;
    },
  };
}
