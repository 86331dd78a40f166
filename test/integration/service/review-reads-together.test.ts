import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { delegateStore } from "../../../src/ipfs/delegate-store.js";
import type { IpfsStore } from "../../../src/ipfs/store.js";
import type { IpldValue } from "../../../src/nomad/index.js";
import type { PatchReview } from "../../../src/patch-request/change-model.js";
import { withBlockCache } from "../../../src/service/caching-store.js";
import { reviewPatch } from "../../../src/service/review-patch.js";
import { type KuboNode, startKuboPair } from "../../helpers/kubo.js";
import { createProjectTarget, proposePatch } from "../../helpers/nomad-builders/index.js";

const limits = { maxEntries: 100, maxBytes: 8 * 1024 * 1024, resolveTimeoutMs: 15_000 };

function shown(review: PatchReview): Omit<PatchReview, "reviewedAt"> {
  const { reviewedAt: _at, ...rest } = review;
  return rest;
}

/**
 * The node's store, with the export of the patch's DAG held open until an export of another DAG (the
 * target's history) has started, or until a while has passed when none does: whether the review reads
 * the patch's entries and its target's history together is then a fact of the trace, not of a clock.
 */
function holdingPatchExport(store: IpfsStore, patchRoot: string) {
  const exportsStarted: string[] = [];
  let releasedBy: "target export" | "wait" | undefined;
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const wrapped: IpfsStore = {
    ...delegateStore(store),
    exportDag: async (root, visit, options) => {
      exportsStarted.push(root.toString());
      if (root.toString() === patchRoot) {
        const fallback = setTimeout(() => {
          releasedBy ??= "wait";
          release();
        }, 5_000);
        await released;
        clearTimeout(fallback);
      } else {
        releasedBy ??= "target export";
        release();
      }
      return store.exportDag(root, visit, options);
    },
  };
  return { store: wrapped, exportsStarted, releasedBy: () => releasedBy };
}

describe("a cold review reads the patch's entries and its target's history together", () => {
  let pair: { operator: KuboNode; contributor: KuboNode; stop(): Promise<void> };
  let key: string;
  let patchRoot: string;

  beforeAll(async () => {
    pair = await startKuboPair();
    const target = await createProjectTarget(pair.operator, {
      knownId: "together-project",
      name: "Together",
      features: Array.from({ length: 20 }, (_, i) => `Feature ${i}`),
    });
    const feature = async (value: IpldValue) => ({
      eventId: "AddFeatureAsync",
      content: { Key: null, Value: await pair.contributor.store.dagPut(value), Unset: false },
    });
    const proposed = await proposePatch(pair.contributor, {
      target: target.id,
      title: "Three features",
      entries: [await feature("One"), await feature("Two"), await feature("Three")],
    });
    key = proposed.key;
    patchRoot = proposed.cid.toString();
    // The first review brings the patch's blocks to the operator's node, so its DAG can be exported.
    await reviewPatch({ store: withBlockCache(pair.operator.store, { maxBlocks: 10_000 }) }, { key, limits });
  });
  afterAll(async () => {
    await pair?.stop();
  });

  it("starts the target's export while the patch's is still open, and shows what a review of the same blocks showed", async () => {
    const held = holdingPatchExport(pair.operator.store, patchRoot);
    const together = await reviewPatch(
      { store: withBlockCache(held.store, { maxBlocks: 10_000 }) },
      { key, limits },
    );
    expect(held.exportsStarted[0]).toBe(patchRoot);
    expect(held.exportsStarted.length).toBeGreaterThanOrEqual(2);
    expect(held.releasedBy()).toBe("target export");

    const plain = await reviewPatch(
      { store: withBlockCache(pair.operator.store, { maxBlocks: 10_000 }) },
      { key, limits },
    );
    expect(together.review.entries).toHaveLength(3);
    expect(together.review.refusals).toEqual([]);
    expect(shown(together.review)).toEqual(shown(plain.review));
  });
});
