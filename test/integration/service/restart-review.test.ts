import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { LimitExceededError } from "../../../src/errors.js";
import { delegateStore } from "../../../src/ipfs/delegate-store.js";
import type { IpfsStore } from "../../../src/ipfs/store.js";
import type { PatchReview } from "../../../src/patch-request/change-model.js";
import { withBlockCache } from "../../../src/service/caching-store.js";
import { type DiskBlockCache, openDiskBlockCache } from "../../../src/service/disk-block-cache.js";
import { reviewPatch } from "../../../src/service/review-patch.js";
import { type KuboNode, startKuboPair } from "../../helpers/kubo.js";
import { createProjectTarget, proposePatch } from "../../helpers/nomad-builders/index.js";

const limits = { maxEntries: 100, maxBytes: 8 * 1024 * 1024, resolveTimeoutMs: 15_000 };

/** A review without the moment it was taken. */
function shown(review: PatchReview): Omit<PatchReview, "reviewedAt"> {
  const { reviewedAt: _at, ...rest } = review;
  return rest;
}

/** The operator's node, counting the blocks asked of it (one by one, or as exports). */
function counted(store: IpfsStore) {
  const asked = { blocks: 0, exports: 0 };
  const node: IpfsStore = {
    ...delegateStore(store),
    getBlock: (cid, o) => {
      asked.blocks++;
      return store.getBlock(cid, o);
    },
    exportDag: (root, visit, o) => {
      asked.exports++;
      return store.exportDag(root, visit, o);
    },
  };
  return { node, asked };
}

/** The disk cache, counting the blocks read from it one at a time, the DAGs read back whole, and decoded. */
function countingGets(disk: DiskBlockCache) {
  const gets = { count: 0, dags: 0, decoded: 0 };
  const counting: DiskBlockCache = {
    ...disk,
    get: (cid) => {
      gets.count++;
      return disk.get(cid);
    },
    readDag: (root, max) => {
      gets.dags++;
      return disk.readDag(root, max);
    },
    decoded: {
      ...disk.decoded,
      get: async (root) => {
        const found = await disk.decoded.get(root);
        if (found) gets.decoded++;
        return found;
      },
    },
  };
  return { disk: counting, gets };
}

describe("the first review after a restart", () => {
  let pair: { operator: KuboNode; contributor: KuboNode; stop(): Promise<void> };
  let key: string;
  let dir: string;
  const entries = 20;

  beforeAll(async () => {
    pair = await startKuboPair();
    const target = await createProjectTarget(pair.operator, {
      knownId: "restart-project",
      name: "Restart",
      features: Array.from({ length: 20 }, (_, i) => `Feature ${i}`),
    });
    ({ key } = await proposePatch(pair.contributor, {
      target: target.id,
      title: "Features after a restart",
      entries: await Promise.all(
        Array.from({ length: entries }, async (_, i) => ({
          eventId: "AddFeatureAsync",
          content: { Key: null, Value: await pair.contributor.store.dagPut(`Proposed ${i}`), Unset: false },
        })),
      ),
    }));
    // The operator's node fetches the patch once, as the first review on it does.
    await reviewPatch({ store: withBlockCache(pair.operator.store, { maxBlocks: 10_000 }) }, { key, limits });
    dir = await mkdtemp(join(tmpdir(), "nomad-patch-restart-"));
  });
  afterAll(async () => {
    await pair?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const openDisk = async () =>
    (await openDiskBlockCache(dir, { maxBytes: 64 * 1024 * 1024 })) as DiskBlockCache;

  it("reads the patch back in one pass and nothing from the node, and shows exactly what a cold review shows", async () => {
    const before = await openDisk();
    const cold = await reviewPatch(
      { store: withBlockCache(pair.operator.store, { maxBlocks: 10_000, disk: before }) },
      { key, limits },
    );
    await before.close();
    // The patch passed every check: its decoded blocks are kept beside the fold.
    expect(before.decoded.stats().dags).toBe(1);

    const { node, asked } = counted(pair.operator.store);
    const { disk, gets } = countingGets(await openDisk());
    const restarted = await reviewPatch(
      { store: withBlockCache(node, { maxBlocks: 10_000, disk }) },
      { key, limits },
    );
    await disk.close();

    expect(shown(restarted.review)).toEqual(shown(cold.review));
    expect(restarted.target.state).toEqual(cold.target.state);
    expect(restarted.patch.proposed).toEqual(cold.patch.proposed);
    // Each proposed entry, its event and its value: none asked of the node, none read from disk one by one.
    expect(restarted.patch.proposed).toHaveLength(entries);
    expect(asked).toEqual({ blocks: 0, exports: 0 });
    // The patch's blocks come decoded from one file: none read back as blocks, none decoded again.
    expect(gets).toMatchObject({ dags: 0, decoded: 1 });
    // Read on its own: the patch record (it names the target, read before its DAG) and, when the target's
    // load asks for it before the patch's blocks are in, the roaming value (the patch's `Base` too); read
    // one by one, the entries took 63 reads. The owner's stream is not read: how large an apply would make
    // it was measured with the fold and remembered beside it.
    expect(gets.count).toBeLessThanOrEqual(2);

    // And what a review with no cache at all shows.
    const fresh = await reviewPatch(
      { store: withBlockCache(pair.operator.store, { maxBlocks: 10_000 }) },
      { key, limits },
    );
    expect(shown(restarted.review)).toEqual(shown(fresh.review));
  });

  it("a cold review's disk writes come after its answer, and a review that fails lets them go too", async () => {
    const empty = await mkdtemp(join(tmpdir(), "nomad-patch-held-"));
    try {
      const disk = (await openDiskBlockCache(empty, { maxBytes: 64 * 1024 * 1024 })) as DiskBlockCache;
      // Names after the patch's own answer late (a busy node): the review outlasts the batch's delay (200 ms).
      let resolves = 0;
      const slowNames: IpfsStore = {
        ...delegateStore(pair.operator.store),
        resolveName: async (...args) => {
          if (++resolves > 1) await new Promise((resolve) => setTimeout(resolve, 400));
          return pair.operator.store.resolveName(...args);
        },
      };
      const store = withBlockCache(slowNames, { maxBlocks: 10_000, disk });
      const cold = await reviewPatch({ store }, { key, limits });
      // Everything it read is queued, nothing written yet: the writes wait for the answer.
      expect(cold.patch.proposed).toHaveLength(entries);
      expect(disk.stats().blocks).toBe(0);
      // Then, without a flush or a close, on the event loop's next turns.
      await vi.waitFor(() => expect(disk.stats().blocks).toBeGreaterThan(3 * entries));
      await disk.close();

      // A review that fails (over its byte budget, as a hostile patch's would) releases its hold as well.
      const failing = (await openDiskBlockCache(join(empty, "failing"), {
        maxBytes: 64 * 1024 * 1024,
      })) as DiskBlockCache;
      const refused = reviewPatch(
        { store: withBlockCache(pair.operator.store, { maxBlocks: 10_000, disk: failing }) },
        { key, limits: { ...limits, maxBytes: 2_000 } },
      );
      await expect(refused).rejects.toBeInstanceOf(LimitExceededError);
      await vi.waitFor(() => expect(failing.stats().blocks).toBeGreaterThan(0));
      await failing.close();
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  it("still stops at the byte budget: what is read back from disk is charged as what is fetched", async () => {
    const small = { ...limits, maxBytes: 2_000 };
    const patchCid = (
      await reviewPatch(
        { store: withBlockCache(pair.operator.store, { maxBlocks: 10_000 }) },
        { key, limits },
      )
    ).patch.cid;
    const cold = reviewPatch(
      { store: withBlockCache(pair.operator.store, { maxBlocks: 10_000 }) },
      { key, limits: small },
    );
    await expect(cold).rejects.toBeInstanceOf(LimitExceededError);
    const disk = await openDisk();
    // The decoded blocks are there: they stand for the blocks, and are charged as the blocks.
    expect(disk.decoded.has(patchCid)).toBe(true);
    const restarted = reviewPatch(
      { store: withBlockCache(pair.operator.store, { maxBlocks: 10_000, disk }) },
      { key, limits: small },
    );
    await expect(restarted).rejects.toBeInstanceOf(LimitExceededError);
    await disk.close();
  });

  it("a damaged file of decoded blocks is not used: the review reads the blocks, shows the same, and keeps them again", async () => {
    const reference = await reviewPatch(
      { store: withBlockCache(pair.operator.store, { maxBlocks: 10_000 }) },
      { key, limits },
    );
    const [file] = (await readdir(join(dir, "decoded"))).filter((f) => f.endsWith(".dag"));
    const path = join(dir, "decoded", file as string);
    const bytes = new Uint8Array(await readFile(path));
    bytes[bytes.length - 5] = (bytes[bytes.length - 5] as number) ^ 0x01;
    await writeFile(path, bytes);

    const reasons: string[] = [];
    const opened = (await openDiskBlockCache(dir, {
      maxBytes: 64 * 1024 * 1024,
      onDiscard: (r) => reasons.push(r),
    })) as DiskBlockCache;
    const { disk, gets } = countingGets(opened);
    const restarted = await reviewPatch(
      { store: withBlockCache(pair.operator.store, { maxBlocks: 10_000, disk }) },
      { key, limits },
    );
    await disk.close();
    expect(reasons).toEqual([expect.stringMatching(/decoded patch .* do not match its CID/)]);
    expect(gets).toMatchObject({ decoded: 0, dags: 1 });
    expect(shown(restarted.review)).toEqual(shown(reference.review));
    expect(restarted.patch.proposed).toEqual(reference.patch.proposed);
    // Kept again, whole, from the blocks the review read: the record, each entry with its event and value,
    // and the roaming value the record names as its `Base`.
    const again = await openDisk();
    expect(await again.decoded.get(reference.patch.cid)).toHaveLength(2 + 3 * entries);
    await again.close();
  });

  it("a refused patch is not kept decoded: it is read as blocks, and charged as blocks, every time", async () => {
    const empty = await mkdtemp(join(tmpdir(), "nomad-patch-refused-"));
    try {
      const disk = (await openDiskBlockCache(empty, { maxBytes: 64 * 1024 * 1024 })) as DiskBlockCache;
      // Over the entry limit: validation refuses it.
      const refused = await reviewPatch(
        { store: withBlockCache(pair.operator.store, { maxBlocks: 10_000, disk }) },
        { key, limits: { ...limits, maxEntries: entries - 1 } },
      );
      await disk.close();
      expect(refused.review.refusals).not.toEqual([]);
      expect(disk.decoded.stats().dags).toBe(0);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  it("a patch over the byte budget is not kept decoded: the next review reads it as blocks and stops again", async () => {
    const empty = await mkdtemp(join(tmpdir(), "nomad-patch-over-budget-"));
    try {
      const small = { ...limits, maxBytes: 2_000 };
      const disk = (await openDiskBlockCache(empty, { maxBytes: 64 * 1024 * 1024 })) as DiskBlockCache;
      const over = reviewPatch(
        { store: withBlockCache(pair.operator.store, { maxBlocks: 10_000, disk }) },
        { key, limits: small },
      );
      await expect(over).rejects.toBeInstanceOf(LimitExceededError);
      await disk.close();
      expect(disk.decoded.stats().dags).toBe(0);
      // After a restart nothing stands for its blocks: the review reads them, charges them and stops.
      const { disk: reopened, gets } = countingGets(
        (await openDiskBlockCache(empty, { maxBytes: 64 * 1024 * 1024 })) as DiskBlockCache,
      );
      const again = reviewPatch(
        { store: withBlockCache(pair.operator.store, { maxBlocks: 10_000, disk: reopened }) },
        { key, limits: small },
      );
      await expect(again).rejects.toBeInstanceOf(LimitExceededError);
      await reopened.close();
      expect(gets.decoded).toBe(0);
      expect(reopened.decoded.stats().dags).toBe(0);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});
