import { constants, type PerformanceEntry, PerformanceObserver } from "node:perf_hooks";
import type { Stall } from "./stalls.js";

/** One kind of collection: how many, how long in all, the longest. */
export interface GcKind {
  readonly count: number;
  readonly totalMs: number;
  readonly maxMs: number;
}

export interface GcSummary {
  readonly byKind: Readonly<Record<string, GcKind>>;
  /** Milliseconds of collection inside the given stalls (the collector's share of the stalled time). */
  readonly inStallsMs: number;
}

const KINDS: Readonly<Record<number, string>> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: "minor",
  [constants.NODE_PERFORMANCE_GC_MAJOR]: "major",
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: "incremental",
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: "weak callbacks",
};

/**
 * Records every garbage collection (Node's `gc` performance entries) while `task` runs, and how much of the
 * stalls the collector's pauses cover. The entries' times are on `performance.now()`'s clock; stalls are
 * on the monotonic clock in microseconds, so the offset between the two is taken once.
 */
export async function gcEventsDuring<T>(
  task: () => Promise<T>,
): Promise<{ result: T; summarise: (stalls: readonly Stall[]) => GcSummary }> {
  const entries: PerformanceEntry[] = [];
  const observer = new PerformanceObserver((list) => entries.push(...list.getEntries()));
  observer.observe({ entryTypes: ["gc"] });
  const offsetUs = Number(process.hrtime.bigint() / 1000n) - performance.now() * 1000;
  let result: T;
  try {
    result = await task();
  } finally {
    // Entries are delivered asynchronously: let the last ones arrive.
    await new Promise((resolve) => setImmediate(resolve));
    observer.disconnect();
  }
  const summarise = (stalls: readonly Stall[]): GcSummary => {
    const byKind: Record<string, GcKind> = {};
    let inStallsMs = 0;
    for (const entry of entries) {
      const kind = KINDS[(entry as unknown as { detail: { kind: number } }).detail.kind] ?? "other";
      const seen = byKind[kind] ?? { count: 0, totalMs: 0, maxMs: 0 };
      byKind[kind] = {
        count: seen.count + 1,
        totalMs: seen.totalMs + entry.duration,
        maxMs: Math.max(seen.maxMs, entry.duration),
      };
      const startUs = offsetUs + entry.startTime * 1000;
      const endUs = startUs + entry.duration * 1000;
      for (const stall of stalls) {
        const overlap = Math.min(endUs, stall.endUs) - Math.max(startUs, stall.startUs);
        if (overlap > 0) inStallsMs += overlap / 1000;
      }
    }
    return { byKind, inStallsMs };
  };
  return { result, summarise };
}

export function describeGc(summary: GcSummary): string {
  const kinds = Object.entries(summary.byKind)
    .map(([kind, k]) => `${kind} ${k.count}× ${k.totalMs.toFixed(0)} ms (longest ${k.maxMs.toFixed(1)} ms)`)
    .join(", ");
  return `${kinds}; ${summary.inStallsMs.toFixed(0)} ms of collection inside the stalls`;
}
