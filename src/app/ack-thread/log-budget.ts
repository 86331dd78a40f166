/** Whether to write one more line of a kind, and how many of that kind were left out since the last one. */
export interface LogTake {
  readonly log: boolean;
  /** Lines left out before this one (only on a line let through). */
  readonly skipped: number;
}

/**
 * A bound on the log lines of one kind that strangers can cause at will (a refused delivery: anyone can post
 * to the webhook path): the first `linesPerWindow` of each window are written, the rest counted, and the
 * count is said with the next line written, so a flood costs the log a few lines a minute and is still seen.
 */
export function createLogBudget(options: {
  readonly linesPerWindow: number;
  readonly windowMs: number;
  readonly now?: () => number;
}): { take(): LogTake } {
  const now = options.now ?? Date.now;
  let windowStart = Number.NEGATIVE_INFINITY;
  let written = 0;
  let skipped = 0;
  return {
    take() {
      const at = now();
      if (at - windowStart >= options.windowMs) {
        windowStart = at;
        written = 0;
      }
      if (written >= options.linesPerWindow) {
        skipped += 1;
        return { log: false, skipped: 0 };
      }
      written += 1;
      const said = skipped;
      skipped = 0;
      return { log: true, skipped: said };
    },
  };
}
