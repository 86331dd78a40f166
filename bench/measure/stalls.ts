import { monitorEventLoopDelay } from "node:perf_hooks";

export interface Stall {
  /** When the stall began and ended, in microseconds of the monotonic clock (as a CPU profile's timestamps). */
  readonly startUs: number;
  readonly endUs: number;
}

export interface EventLoopDelay {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Every time a 1 ms timer fired at least `minStallMs` late: the loop was held by one stretch of work. */
  readonly stalls: readonly Stall[];
}

const NS_PER_MS = 1e6;

/**
 * Runs `task` while measuring how late the event loop is: Node's own delay histogram, and a 1 ms timer that
 * records each time it fired late by `minStallMs` or more (with when, so a CPU profile can say what ran).
 */
export async function eventLoopDelayOf<T>(
  task: () => Promise<T>,
  minStallMs = 20,
): Promise<EventLoopDelay & { readonly result: T }> {
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  const stalls: Stall[] = [];
  let last = process.hrtime.bigint();
  const timer = setInterval(() => {
    const now = process.hrtime.bigint();
    const lateMs = Number(now - last) / NS_PER_MS - 1;
    if (lateMs >= minStallMs) stalls.push({ startUs: Number(last / 1000n), endUs: Number(now / 1000n) });
    last = now;
  }, 1);
  histogram.enable();
  let result: T;
  try {
    result = await task();
  } finally {
    histogram.disable();
    clearInterval(timer);
  }
  return {
    result,
    p50Ms: histogram.percentile(50) / NS_PER_MS,
    p99Ms: histogram.percentile(99) / NS_PER_MS,
    maxMs: histogram.max / NS_PER_MS,
    stalls,
  };
}
