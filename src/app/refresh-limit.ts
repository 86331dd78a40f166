/**
 * When each person last refreshed each issue, for the refresh limit of people who may not approve. Bounded:
 * past `capacity` the oldest entries are forgotten first, which at worst lets someone refresh early once.
 */
export interface RefreshLimiter {
  /** True, and remembered, when `who` may refresh at `atMs`: never before, or `intervalMs` since the last. */
  admit(who: string, atMs: number, intervalMs: number): boolean;
}

export function createRefreshLimiter(capacity = 10_000): RefreshLimiter {
  const last = new Map<string, number>();
  return {
    admit(who, atMs, intervalMs) {
      const before = last.get(who);
      if (before !== undefined && atMs - before < intervalMs) return false;
      last.delete(who); // re-inserted last, so the map stays in order of use
      last.set(who, atMs);
      if (last.size > capacity) {
        const oldest = last.keys().next().value;
        if (oldest !== undefined) last.delete(oldest);
      }
      return true;
    },
  };
}
