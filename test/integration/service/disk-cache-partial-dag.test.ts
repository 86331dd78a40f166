import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CID } from "multiformats/cid";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { blockKey, cidOfKey } from "../../../src/ipfs/block-key.js";
import { delegateStore } from "../../../src/ipfs/delegate-store.js";
import type { IpfsStore } from "../../../src/ipfs/store.js";
import type { PatchReview } from "../../../src/patch-request/change-model.js";
import { renderReviewMarkdown } from "../../../src/render/index.js";
import { withBlockCache } from "../../../src/service/caching-store.js";
import { type DiskBlockCache, openDiskBlockCache } from "../../../src/service/disk-block-cache.js";
import { reviewPatch } from "../../../src/service/review-patch.js";
import { type KuboNode, startKuboPair } from "../../helpers/kubo.js";
import {
  createProjectTarget,
  createStorageTarget,
  proposePatch,
} from "../../helpers/nomad-builders/index.js";

const limits = { maxEntries: 100, maxBytes: 8 * 1024 * 1024, resolveTimeoutMs: 15_000 };

/**
 * The operator's node holds only part of a patch (its root, read before the rest, as the first review of a
 * patch on the contributor's node does): a local-only export skips the blocks the node lacks and still ends
 * as if complete. The disk cache must not mark such a DAG held whole, or a restarted process would read
 * back the part and take it for all of it.
 */
describe("a DAG the node holds in part", () => {
  let pair: { operator: KuboNode; contributor: KuboNode; stop(): Promise<void> };
  let key: string;
  let root: CID;
  let dir: string;

  beforeAll(async () => {
    pair = await startKuboPair();
    const target = await createProjectTarget(pair.operator, { knownId: "partial-dag", name: "Partial" });
    ({ key, cid: root } = await proposePatch(pair.contributor, {
      target: target.id,
      title: "Features the operator has not fetched",
      entries: await Promise.all(
        Array.from({ length: 5 }, async (_, i) => ({
          eventId: "AddFeatureAsync",
          content: { Key: null, Value: await pair.contributor.store.dagPut(`Partial ${i}`), Unset: false },
        })),
      ),
    }));
    dir = await mkdtemp(join(tmpdir(), "nomad-patch-partial-dag-"));
  });
  afterAll(async () => {
    await pair?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const openDisk = async () =>
    (await openDiskBlockCache(dir, { maxBytes: 64 * 1024 * 1024 })) as DiskBlockCache;

  it("is not marked held whole when the export skipped blocks; once the node has them all, it is", async () => {
    // The operator's node has the patch's root block and nothing under it.
    await pair.operator.store.getBlock(root);

    const first = await openDisk();
    const read = await withBlockCache(pair.operator.store, { maxBlocks: 10_000, disk: first }).prefetchDag(
      root,
    );
    // The export gave the root (and the base it names, the operator's own roaming value), not the entries,
    // which are on the contributor's node only: it skipped them and ended as if complete.
    expect(read.map((b) => b.key)).toContain(blockKey(root));
    expect(read.length).toBeLessThan(5);
    expect(first.hasDag(root)).toBe(false);
    await first.close();
    const reopened = await openDisk();
    expect(reopened.hasDag(root)).toBe(false);
    await reopened.close();

    // A review fetches the rest from the contributor; then an export holds all of it, and the mark is true.
    await reviewPatch({ store: withBlockCache(pair.operator.store, { maxBlocks: 10_000 }) }, { key, limits });
    const second = await openDisk();
    const whole = await withBlockCache(pair.operator.store, { maxBlocks: 10_000, disk: second }).prefetchDag(
      root,
    );
    expect(whole.length).toBeGreaterThan(read.length + 5);
    expect(second.hasDag(root)).toBe(true);
    await second.close();
    const again = await openDisk();
    expect(again.hasDag(root)).toBe(true);
    await again.close();
  });
});

/** Counts the exports asked of the node, so a test can tell a restart that reads its disk from one that exports. */
function countingExports(store: IpfsStore): { store: IpfsStore; exports: () => number } {
  let exports = 0;
  return {
    store: {
      ...delegateStore(store),
      exportDag: (root, visit, o) => {
        exports++;
        return store.exportDag(root, visit, o);
      },
    },
    exports: () => exports,
  };
}

/** The comment a review renders, its time of review set aside (the one part that differs between runs). */
const rendered = (review: PatchReview) => renderReviewMarkdown({ ...review, reviewedAt: "" });

/** A file of several blocks (three chunks of 256 KiB): a prefetch's export stops at it. */
const severalBlocks = () => new Uint8Array(600 * 1024).fill(7);

/**
 * A Storage history whose stream's export stops at a file of several blocks, the entries after it left to
 * the reads: what arrived above the file is all there is to hold, and the restart reads it from the disk.
 */
describe("an export that stops at a file the prefetch leaves to the reads", () => {
  let pair: { operator: KuboNode; contributor: KuboNode; stop(): Promise<void> };
  let work: string;

  beforeAll(async () => {
    pair = await startKuboPair();
    work = await mkdtemp(join(tmpdir(), "nomad-patch-stopped-export-"));
  });
  afterAll(async () => {
    await pair?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it("is held on disk as far as it went: a restart's review exports nothing and renders the same", async () => {
    const files = { "a.md": "first", "big.bin": severalBlocks(), "c.md": "third", "d.md": "fourth" };
    const target = await createStorageTarget(pair.operator, { name: "Stopped", files });
    const edited = join(work, "edited");
    await mkdir(edited);
    await writeFile(join(edited, "a.md"), "first, edited");
    await writeFile(join(edited, "big.bin"), files["big.bin"]);
    await writeFile(join(edited, "c.md"), "third, edited");
    await writeFile(join(edited, "d.md"), "fourth");
    const { key } = await proposePatch(pair.contributor, {
      target: target.id,
      title: "Edit two files",
      fromFolder: edited,
    });
    // The first review brings the patch's blocks to the operator's node.
    const first = rendered((await reviewPatch({ store: pair.operator.store }, { key, limits })).review);
    const dir = join(work, "cache");
    const node = countingExports(pair.operator.store);
    const review = async () => {
      const disk = (await openDiskBlockCache(dir, { maxBytes: 64 * 1024 * 1024 })) as DiskBlockCache;
      const before = node.exports();
      const { review } = await reviewPatch(
        { store: withBlockCache(node.store, { maxBlocks: 10_000, disk }) },
        { key, limits },
      );
      await disk.close();
      return { markdown: rendered(review), exports: node.exports() - before };
    };

    const cold = await review();
    // The patch and the target's stream, each exported once; the stream's export stopped at big.bin.
    expect(cold.exports).toBe(2);
    const restart = await review();
    expect(restart.exports).toBe(0);
    expect(restart.markdown).toBe(cold.markdown);
    expect(cold.markdown).toBe(first);
  });

  it("is not held when a block above the file did not arrive: the restart exports again", async () => {
    // On the contributor: root → [e1 → leaf, e2 → a file of several blocks, e3].
    const { store } = pair.contributor;
    const leaf = await store.dagPut({ Leaf: "the operator's node never has this block" });
    const e1 = await store.dagPut({ Entry: 1, Content: leaf });
    const big = await store.addFile(severalBlocks());
    const e2 = await store.dagPut({ Entry: 2, Content: big });
    const e3 = await store.dagPut({ Entry: 3 });
    const root = await store.dagPut({ Entries: [e1, e2, e3] });
    // The operator's node has the root, e1 and e2 and the file's first block, not e1's leaf.
    for (const cid of [root, e1, e2, big]) await pair.operator.store.getBlock(cid);

    const dir = join(work, "skipped");
    const openDisk = async () =>
      (await openDiskBlockCache(dir, { maxBytes: 64 * 1024 * 1024 })) as DiskBlockCache;
    const disk = await openDisk();
    const read = await withBlockCache(pair.operator.store, { maxBlocks: 1_000, disk }).prefetchDag(root);
    // The export gave root, e1 and e2 and stopped at the file: the leaf, skipped, is not among them.
    expect(read.map((b) => cidOfKey(b.key).toString()).sort()).toEqual([root, e1, e2].map(String).sort());
    expect(disk.hasDag(root)).toBe(false);
    await disk.close();

    const reopened = await openDisk();
    expect(reopened.hasDag(root)).toBe(false);
    const node = countingExports(pair.operator.store);
    await withBlockCache(node.store, { maxBlocks: 1_000, disk: reopened }).prefetchDag(root);
    expect(node.exports()).toBe(1);
    await reopened.close();

    // Once the node has the leaf, the same export holds all that is above the file, and is kept.
    await pair.operator.store.getBlock(leaf);
    const whole = await openDisk();
    const again = await withBlockCache(pair.operator.store, { maxBlocks: 1_000, disk: whole }).prefetchDag(
      root,
    );
    expect(again.map((b) => cidOfKey(b.key).toString()).sort()).toEqual(
      [root, e1, leaf, e2].map(String).sort(),
    );
    expect(whole.hasDag(root)).toBe(true);
    await whole.close();
    const restarted = await openDisk();
    const quiet = countingExports(pair.operator.store);
    const back = await withBlockCache(quiet.store, { maxBlocks: 1_000, disk: restarted }).prefetchDag(root);
    expect(quiet.exports()).toBe(0);
    expect(back.map((b) => b.key).sort()).toEqual(again.map((b) => b.key).sort());
    await restarted.close();
  });
});
