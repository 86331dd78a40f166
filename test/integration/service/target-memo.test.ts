import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LimitExceededError } from "../../../src/errors.js";
import type { IpldValue } from "../../../src/nomad/index.js";
import type { PatchReview } from "../../../src/patch-request/change-model.js";
import { appendEntries } from "../../../src/service/append-entries.js";
import { withByteBudget } from "../../../src/service/byte-budget-store.js";
import { type CachingStore, withBlockCache } from "../../../src/service/caching-store.js";
import { type DiskBlockCache, openDiskBlockCache } from "../../../src/service/disk-block-cache.js";
import { reviewPatch } from "../../../src/service/review-patch.js";
import { loadReviewedTarget } from "../../../src/service/review-target.js";
import { type KuboNode, startKuboPair } from "../../helpers/kubo.js";
import {
  type BuiltTarget,
  createProjectTarget,
  proposePatch,
  testPublish,
} from "../../helpers/nomad-builders/index.js";

const limits = { maxEntries: 100, maxBytes: 8 * 1024 * 1024, resolveTimeoutMs: 15_000 };

/** A review without the moment it was taken: what must be the same whether the fold was remembered or not. */
function shown(review: PatchReview): Omit<PatchReview, "reviewedAt"> {
  const { reviewedAt: _at, ...rest } = review;
  return rest;
}

describe("a remembered fold is used only for the very data it came from", () => {
  let pair: { operator: KuboNode; contributor: KuboNode; stop(): Promise<void> };
  let target: BuiltTarget;
  let key: string;

  const feature = async (node: KuboNode, value: IpldValue) => ({
    eventId: "AddFeatureAsync",
    content: { Key: null, Value: await node.store.dagPut(value), Unset: false },
  });
  /** A cache as the app holds one, filled by one review. */
  const warmed = async (): Promise<CachingStore> => {
    const cache = withBlockCache(pair.operator.store, { maxBlocks: 10_000 });
    await reviewPatch({ store: cache }, { key, limits });
    return cache;
  };
  const reads = (cache: CachingStore) => cache.cacheStats().hits + cache.cacheStats().misses;

  beforeAll(async () => {
    pair = await startKuboPair();
    target = await createProjectTarget(pair.operator, {
      knownId: "memo-project",
      name: "Memo",
      features: Array.from({ length: 30 }, (_, i) => `Feature ${i}`),
    });
    ({ key } = await proposePatch(pair.contributor, {
      target: target.id,
      title: "One more feature",
      entries: [await feature(pair.contributor, "Proposed feature")],
    }));
  });
  afterAll(async () => {
    await pair?.stop();
  });

  it("the second review over a cache reads none of the target's entries and shows exactly what a fresh fold shows", async () => {
    const cache = await warmed();
    expect(cache.targetMemo.stats().folds).toBe(1);
    const before = reads(cache);
    const remembered = await reviewPatch({ store: cache }, { key, limits });
    const readByRemembered = reads(cache) - before;

    const fresh = withBlockCache(pair.operator.store, { maxBlocks: 10_000 });
    const first = reads(fresh);
    const folded = await reviewPatch({ store: fresh }, { key, limits });
    const readByFold = reads(fresh) - first;

    expect(shown(remembered.review)).toEqual(shown(folded.review));
    expect(remembered.target.state).toEqual(folded.target.state);
    // 31 entries, their events and their values are not read again (a handful of blocks remain: the patch's).
    expect(readByFold - readByRemembered).toBeGreaterThanOrEqual(90);
  });

  it("a restarted process finds the fold on disk, and shows exactly what a fresh fold shows", async () => {
    const dir = await mkdtemp(join(tmpdir(), "nomad-patch-memo-restart-"));
    try {
      const open = async () =>
        (await openDiskBlockCache(dir, { maxBytes: 64 * 1024 * 1024 })) as DiskBlockCache;
      const before = await open();
      await reviewPatch(
        { store: withBlockCache(pair.operator.store, { maxBlocks: 10_000, disk: before }) },
        { key, limits },
      );
      await before.close();
      expect(before.folds.stats().folds).toBe(1);

      const after = await open();
      const restarted = withBlockCache(pair.operator.store, { maxBlocks: 10_000, disk: after });
      const remembered = await reviewPatch({ store: restarted }, { key, limits });
      const readByRestart = reads(restarted);
      await after.close();
      const fresh = withBlockCache(pair.operator.store, { maxBlocks: 10_000 });
      const folded = await reviewPatch({ store: fresh }, { key, limits });
      expect(shown(remembered.review)).toEqual(shown(folded.review));
      expect(reads(fresh) - readByRestart).toBeGreaterThanOrEqual(90);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("a source's stream that moved while the roaming value stayed is crawled again, not served from memory", async () => {
    const cache = await warmed();
    const remembered = await reviewPatch({ store: cache }, { key, limits });
    // The owner appends a feature, then puts the old roaming value back: the memo's key (the published
    // CID) is unchanged, only the local stream's CID differs.
    const store = pair.operator.store;
    const oldRoaming = target.roamingCid;
    await appendEntries(
      { store },
      {
        target: target.id,
        entries: [{ targetId: target.id, ...(await feature(pair.operator, "Added meanwhile")) }],
        publish: testPublish,
      },
    );
    await store.publishName(target.keyNames.roaming, oldRoaming, testPublish);

    const after = await reviewPatch({ store: cache }, { key, limits });
    expect(after.target.published?.cid.toString()).toBe(oldRoaming.toString());
    expect(after.target.entryCount).toBe(remembered.target.entryCount + 1);
    expect(after.target.state.Features).toContain("Added meanwhile");
    expect(after.target.matchesPublished).toBe(false);
    expect(after.review.predictedResultCid).not.toBe(remembered.review.predictedResultCid);
    // And it is what a fresh fold says.
    const fresh = await reviewPatch(
      { store: withBlockCache(pair.operator.store, { maxBlocks: 10_000 }) },
      { key, limits },
    );
    expect(shown(after.review)).toEqual(shown(fresh.review));
    target = { ...target, roamingCid: oldRoaming };
  });

  it("a load dated before the newest entry does not use a fold that includes it", async () => {
    const cache = withBlockCache(pair.operator.store, { maxBlocks: 10_000 });
    const input = { target: target.id };
    const all = await loadReviewedTarget(withByteBudget(cache, limits.maxBytes), cache.targetMemo, input);
    const earlier = await loadReviewedTarget(withByteBudget(cache, limits.maxBytes), cache.targetMemo, {
      ...input,
      now: all.newestTicks - 1n,
    });
    expect(earlier.entryCount).toBe(all.entryCount - 1);
    expect(earlier.newestTicks).toBeLessThan(all.newestTicks);
    expect(earlier.foldedCid.toString()).not.toBe(all.foldedCid.toString());
    expect(earlier.warnings).toContain("1 entries are dated in the future and were left out");
  });

  it("the byte budget still holds: a remembered fold costs the bytes its crawl read", async () => {
    const cache = withBlockCache(pair.operator.store, { maxBlocks: 10_000 });
    const input = { target: target.id };
    const filling = withByteBudget(cache, limits.maxBytes);
    await loadReviewedTarget(filling, cache.targetMemo, input);
    const crawled = filling.bytesRead();
    expect(crawled).toBeGreaterThan(0);

    const exact = withByteBudget(cache, crawled);
    await loadReviewedTarget(exact, cache.targetMemo, input);
    expect(exact.bytesRead()).toBe(crawled);

    const short = withByteBudget(cache, crawled - 1);
    await expect(loadReviewedTarget(short, cache.targetMemo, input)).rejects.toBeInstanceOf(
      LimitExceededError,
    );
  });
});
