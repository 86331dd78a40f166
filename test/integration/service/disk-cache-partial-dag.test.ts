import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CID } from "multiformats/cid";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { blockKey } from "../../../src/ipfs/block-key.js";
import { withBlockCache } from "../../../src/service/caching-store.js";
import { type DiskBlockCache, openDiskBlockCache } from "../../../src/service/disk-block-cache.js";
import { reviewPatch } from "../../../src/service/review-patch.js";
import { type KuboNode, startKuboPair } from "../../helpers/kubo.js";
import { createProjectTarget, proposePatch } from "../../helpers/nomad-builders/index.js";

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
