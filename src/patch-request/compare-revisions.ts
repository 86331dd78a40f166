/** What the revision list compares in one version of a patch: its words and its entries' identities. */
export interface RevisionFacts {
  readonly title: string;
  readonly description: string;
  /** Each proposed entry; `content` is its Content CID. The timestamp is left out: it is rewritten on apply. */
  readonly entries: readonly RevisionEntry[];
}

export interface RevisionEntry {
  readonly targetId: string;
  readonly eventId: string;
  readonly content: string;
}

export interface RevisionDelta {
  readonly added: number;
  readonly removed: number;
  /** An entry with the same TargetId and EventId as one that left, but other content. */
  readonly changed: number;
  readonly title: boolean;
  readonly description: boolean;
}

/**
 * What changed from one version of a patch to the next, counted the way a reader thinks of it: an entry
 * that only moved or got a new timestamp is unchanged; one that kept its target and event but carries
 * other content is changed; the rest were added or removed. Entries are compared as multisets, so a
 * patch that proposes the same entry twice counts both.
 */
export function compareRevisions(before: RevisionFacts, after: RevisionFacts): RevisionDelta {
  const key = (e: RevisionEntry) => `${e.targetId}\n${e.eventId}\n${e.content}`;
  const slot = (e: RevisionEntry) => `${e.targetId}\n${e.eventId}`;
  const left = new Map<string, RevisionEntry[]>();
  for (const entry of before.entries) left.set(key(entry), [...(left.get(key(entry)) ?? []), entry]);
  const gone: RevisionEntry[] = [];
  const fresh: RevisionEntry[] = [];
  for (const entry of after.entries) {
    const same = left.get(key(entry));
    if (same && same.length > 0) same.pop();
    else fresh.push(entry);
  }
  for (const rest of left.values()) gone.push(...rest);
  // A new entry that takes the place of a removed one (same target, same event) is a change.
  const removedSlots = new Map<string, number>();
  for (const entry of gone) removedSlots.set(slot(entry), (removedSlots.get(slot(entry)) ?? 0) + 1);
  let changed = 0;
  for (const entry of fresh) {
    const open = removedSlots.get(slot(entry)) ?? 0;
    if (open === 0) continue;
    removedSlots.set(slot(entry), open - 1);
    changed += 1;
  }
  return {
    added: fresh.length - changed,
    removed: gone.length - changed,
    changed,
    title: before.title !== after.title,
    description: before.description !== after.description,
  };
}
