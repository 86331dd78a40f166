/** Collects garbage first when the process runs with `--expose-gc`, so a baseline is a clean one. */
export function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

export interface PeakMemory {
  /** Largest resident set seen, bytes. */
  readonly rss: number;
  /** Largest V8 heap in use seen, and its growth over the clean baseline taken before the task. */
  readonly heapUsed: number;
  readonly heapGrowth: number;
  /** Largest V8 heap reserved, and largest memory outside it (buffers' bytes among it), seen. */
  readonly heapTotal?: number;
  readonly external?: number;
  readonly arrayBuffers?: number;
  /** The resident set after the collection before the task: what the peak stands on. */
  readonly baseRss?: number;
  readonly gcExposed: boolean;
}

/** Samples `process.memoryUsage()` every few milliseconds while `task` runs and keeps the peaks. */
export async function peakMemoryOf(task: () => Promise<unknown>, everyMs = 5): Promise<PeakMemory> {
  collectGarbage();
  const base = process.memoryUsage();
  let rss = base.rss;
  let heapUsed = base.heapUsed;
  let heapTotal = base.heapTotal;
  let external = base.external;
  let arrayBuffers = base.arrayBuffers;
  const sample = () => {
    const now = process.memoryUsage();
    rss = Math.max(rss, now.rss);
    heapUsed = Math.max(heapUsed, now.heapUsed);
    heapTotal = Math.max(heapTotal, now.heapTotal);
    external = Math.max(external, now.external);
    arrayBuffers = Math.max(arrayBuffers, now.arrayBuffers);
  };
  const timer = setInterval(sample, everyMs);
  try {
    await task();
  } finally {
    clearInterval(timer);
    sample();
  }
  return {
    rss,
    heapUsed,
    heapGrowth: heapUsed - base.heapUsed,
    heapTotal,
    external,
    arrayBuffers,
    baseRss: base.rss,
    gcExposed: typeof (globalThis as { gc?: unknown }).gc === "function",
  };
}

export interface MemoryOverRuns {
  readonly runs: number;
  /** The run after which the cache has seen every target once. */
  readonly settledAfter: number;
  /** Resident set after a collection, after run `settledAfter`, and after the last. */
  readonly settledRss: number;
  readonly lastRss: number;
  readonly rssAfterEach: readonly number[];
}

/** Runs `task(i)` `runs` times, taking the resident set after a collection after each. */
export async function memoryOverRuns(
  runs: number,
  settledAfter: number,
  task: (i: number) => Promise<unknown>,
): Promise<MemoryOverRuns> {
  const rssAfterEach: number[] = [];
  for (let i = 0; i < runs; i++) {
    await task(i);
    collectGarbage();
    rssAfterEach.push(process.memoryUsage().rss);
  }
  return {
    runs,
    settledAfter,
    settledRss: rssAfterEach[settledAfter - 1] ?? Number.NaN,
    lastRss: rssAfterEach.at(-1) ?? Number.NaN,
    rssAfterEach,
  };
}
