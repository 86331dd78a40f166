import type { IpfsStore } from "../ipfs/store.js";
import { compareRevisions, type RevisionDelta } from "../patch-request/compare-revisions.js";
import { MAX_LISTED_REVISIONS, type Revision } from "../render/index.js";
import { type MarkedComment, reviewComments } from "./bot-comments.js";
import { readPatchSummary } from "./read-patch-summary.js";

/**
 * The revisions a key has had on this issue, from the newest of its review comments that keeps them
 * (a failure notice in between keeps none). A review written before revisions were kept counts as r1,
 * seen when GitHub says it was written.
 */
export function knownRevisions(marked: readonly MarkedComment[], key: string): Revision[] {
  const reviews = reviewComments(marked).filter((c) => c.marker.key === key);
  const kept = reviews.findLast((c) => (c.marker.revs?.length ?? 0) > 0);
  if (kept?.marker.revs) return [...kept.marker.revs];
  const legacy = reviews.findLast((c) => c.marker.cid !== null);
  if (!legacy?.marker.cid) return [];
  return [{ n: 1, cid: legacy.marker.cid, at: normaliseTime(legacy.writtenAt) }];
}

export interface RevisionReading {
  readonly store: IpfsStore;
  readonly maxEntries: number;
  readonly timeoutMs: number | undefined;
  /** When this version was first seen (the review's time). */
  readonly now: Date;
}

/**
 * The list with `cid` as its newest revision: unchanged when it already is; else one more revision,
 * with what changed from the one before read from both patch CIDs (immutable, so bounded and cached
 * like any block), and only the last `MAX_LISTED_REVISIONS` kept. A version that cannot be read leaves
 * the change unknown; it never stops the review.
 */
export async function withRevision(
  known: readonly Revision[],
  cid: string,
  reading: RevisionReading,
): Promise<Revision[]> {
  const last = known.at(-1);
  if (last?.cid === cid) return [...known];
  const at = normaliseTime(reading.now.toISOString());
  if (!last) return [{ n: 1, cid, at }];
  const ch = await revisionDelta(last.cid, cid, reading);
  const next: Revision = { n: last.n + 1, cid, at, ...(ch ? { ch } : {}) };
  return [...known, next].slice(-MAX_LISTED_REVISIONS);
}

/** What changed from one version of a patch to another; undefined when either cannot be read. */
export async function revisionDelta(
  before: string,
  after: string,
  reading: Omit<RevisionReading, "now">,
): Promise<RevisionDelta | undefined> {
  const options = { maxEntries: reading.maxEntries, timeoutMs: reading.timeoutMs };
  try {
    const [a, b] = await Promise.all([
      readPatchSummary(reading.store, before, options),
      readPatchSummary(reading.store, after, options),
    ]);
    return compareRevisions(a, b);
  } catch {
    return undefined;
  }
}

/**
 * What changed from revision `from` to the later `to`: the change the list keeps when `to` came right
 * after `from`, else read from both patch CIDs; undefined when it cannot be known.
 */
export async function changeBetween(
  from: Revision,
  to: Revision,
  reading: Omit<RevisionReading, "now">,
): Promise<RevisionDelta | undefined> {
  if (to.n === from.n + 1 && to.ch) return to.ch;
  return revisionDelta(from.cid, to.cid, reading);
}

/** Whole seconds in UTC, as the marker keeps times. */
function normaliseTime(iso: string): string {
  const time = Date.parse(iso);
  return Number.isFinite(time)
    ? new Date(time).toISOString().replace(/\.\d{3}Z$/, "Z")
    : "1970-01-01T00:00:00Z";
}
