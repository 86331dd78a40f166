import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { delegateStore } from "../src/ipfs/delegate-store.js";
import type { IpfsStore } from "../src/ipfs/store.js";
import type { withBlockCache as WithBlockCache } from "../src/service/caching-store.js";
import type {
  DiskBlockCache,
  openDiskBlockCache as OpenDiskBlockCache,
} from "../src/service/disk-block-cache.js";
import { startKuboPair } from "../test/helpers/kubo.js";
import { reviewAndRender } from "./cases/review-case.js";
import { runStorageCase, STORAGE } from "./cases/storage-case.js";
import { median, timed } from "./measure/timing.js";
import { compiledTree } from "./setup/compiled-tree.js";
import { useInstalledKubo } from "./setup/installed-kubo.js";
import { writeOneCase } from "./setup/one-case.js";
import type { WrittenPatch } from "./setup/write-patch.js";
import { writeStorageHistory } from "./setup/write-storage-history.js";

/**
 * `node lib-bench/bench/cache-counts.js [storage|project] [rounds] [lib-bench dir …]`: the cold review and
 * the review after a restart of one case (the Storage row, or the 1000 × 1000 project row), counted: the
 * requests to the node (exports and their blocks, single blocks), what the disk cache gave back, and the
 * blocks decoded. Given several compiled trees (`lib-bench` of two commits), their block caches run in
 * turn, round after round, in this one process over the same node and blocks: an A/B on a shared machine
 * whose load moves, where the counts say what changed and the times only roughly how much.
 */
async function main(): Promise<void> {
  useInstalledKubo();
  const [which = "project", rounds = "5", ...trees] = process.argv.slice(2);
  const impls = await Promise.all((trees.length > 0 ? trees : ["lib-bench"]).map(load));
  const pair = await startKuboPair();
  const work = await mkdtemp(join(tmpdir(), "nomad-patch-cache-counts-"));
  try {
    const log = (line: string) => process.stderr.write(`[counts] ${line}\n`);
    let patch: WrittenPatch;
    let entries: number;
    if (which === "storage") {
      const written = await writeStorageHistory(pair.operator.store, {
        name: "counts-storage",
        entries: STORAGE.entries,
        files: STORAGE.files,
      });
      await pair.contributor.store.importBlocks(written.written, { timeoutMs: 300_000 });
      const proposed = await runStorageCase(pair.contributor.store, written, STORAGE.entries, log);
      patch = proposed.patch;
      entries = proposed.result.patchEntries;
    } else {
      patch = await writeOneCase(pair, "counts", { history: 1_000, patch: 1_000 });
      entries = 1_000;
    }
    // The first review brings the patch's blocks to the operator's node, as the bench's `first` column.
    await reviewAndRender(pair.operator.store, patch.key, entries);
    const figures = impls.map(() => ({ cold: [] as number[], restart: [] as number[], counts: "" }));
    for (let round = 0; round < Number(rounds); round++) {
      for (const [i, impl] of impls.entries()) {
        const dir = join(work, `${round}-${i}`);
        const cold = await counted(impl, pair.operator.store, dir, patch, entries);
        const restart = await counted(impl, pair.operator.store, dir, patch, entries);
        figures[i]!.cold.push(cold.ms);
        figures[i]!.restart.push(restart.ms);
        figures[i]!.counts = `cold: ${cold.counts}\n  restart: ${restart.counts}`;
      }
    }
    for (const [i, tree] of (trees.length > 0 ? trees : ["lib-bench"]).entries()) {
      const { cold, restart, counts } = figures[i]!;
      process.stdout.write(
        `${tree}: cold median ${median(cold).toFixed(0)} ms (${cold.map((ms) => ms.toFixed(0)).join(" ")}), restart median ${median(restart).toFixed(0)} ms (${restart.map((ms) => ms.toFixed(0)).join(" ")})\n  ${counts}\n`,
      );
    }
  } finally {
    await rm(work, { recursive: true, force: true });
    await pair.stop();
  }
}

interface Impl {
  readonly withBlockCache: typeof WithBlockCache;
  readonly openDiskBlockCache: typeof OpenDiskBlockCache;
}

async function load(tree: string): Promise<Impl> {
  const from = compiledTree(tree);
  const { withBlockCache } = await from<Impl>("src/service/caching-store.js");
  const { openDiskBlockCache } = await from<Impl>("src/service/disk-block-cache.js");
  return { withBlockCache, openDiskBlockCache };
}

/** One review over a new memory cache and the disk cache in `dir` (empty the first time), counted. */
async function counted(
  impl: Impl,
  node: IpfsStore,
  dir: string,
  patch: WrittenPatch,
  entries: number,
): Promise<{ ms: number; counts: string }> {
  const n = { exports: 0, exported: 0, exportedBytes: 0, blocks: 0, blockBytes: 0, diskGets: 0, dagsRead: 0 };
  const counting: IpfsStore = {
    ...delegateStore(node),
    getBlock: async (cid, o) => {
      const bytes = await node.getBlock(cid, o);
      n.blocks++;
      n.blockBytes += bytes.byteLength;
      return bytes;
    },
    exportDag: (root, visit, o) => {
      n.exports++;
      return node.exportDag(
        root,
        (block) => {
          n.exported++;
          n.exportedBytes += block.bytes.byteLength;
          return visit(block);
        },
        o,
      );
    },
  };
  const run = await timed(async () => {
    const disk = (await impl.openDiskBlockCache(dir, { maxBytes: 256 * 1024 * 1024 })) as DiskBlockCache;
    const countingDisk: DiskBlockCache = {
      ...disk,
      get: (cid) => {
        const bytes = disk.get(cid);
        if (bytes) n.diskGets++;
        return bytes;
      },
      readDag: async (root, maxBytes) => {
        const blocks = await disk.readDag(root, maxBytes);
        n.dagsRead += blocks?.length ?? 0;
        return blocks;
      },
    };
    const cache = impl.withBlockCache(counting, { maxBlocks: 100_000, disk: countingDisk });
    await reviewAndRender(cache, patch.key, entries);
    await disk.close();
    return (cache.cacheStats() as { decoded?: number }).decoded;
  });
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
  return {
    ms: run.ms,
    counts: `${n.exports} exports (${n.exported} blocks, ${kib(n.exportedBytes)}), ${n.blocks} single blocks (${kib(n.blockBytes)}) from the node; from disk ${n.dagsRead} blocks of DAGs held, ${n.diskGets} single; ${run.value ?? "?"} decoded`,
  };
}

main().catch((error: unknown) => {
  process.stderr.write(`[counts] failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
