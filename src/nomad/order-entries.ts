import type { EventStreamEntry } from "./records/event-stream-entry.js";
import type { Ticks } from "./timestamp.js";

export interface OrderedEntries<T> {
  /** Entries dated at or before `now`, oldest first; ties keep their input (discovery) order. */
  readonly ordered: T[];
  /** Entries dated after `now`: invisible until their time comes, as on every C# peer. */
  readonly future: T[];
}

/**
 * The repository's ordering step: drop entries whose timestamp is after `now`, then a stable sort by
 * timestamp at 100 ns precision (LINQ `OrderBy` is stable, and `Array.prototype.sort` is too).
 */
export function orderEntries<T extends { readonly entry: EventStreamEntry }>(
  items: readonly T[],
  now: Ticks,
): OrderedEntries<T> {
  const ordered = items.filter((item) => item.entry.ticks <= now);
  const future = items.filter((item) => item.entry.ticks > now);
  ordered.sort((a, b) => (a.entry.ticks < b.entry.ticks ? -1 : a.entry.ticks > b.entry.ticks ? 1 : 0));
  return { ordered, future };
}
