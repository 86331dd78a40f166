import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KuboStore } from "../src/ipfs/kubo-store.js";
import { withBlockCache } from "../src/service/caching-store.js";
import { type DiskBlockCache, openDiskBlockCache } from "../src/service/disk-block-cache.js";
import { startKuboPair } from "../test/helpers/kubo.js";
import { reviewAndRender } from "./cases/review-case.js";
import { runStorage } from "./cases/storage-case.js";
import { timed } from "./measure/timing.js";
import { carBeside, describeTrace, tracingStore } from "./measure/trace-store.js";
import { reviewTable } from "./report/review-table.js";
import { checkTargets } from "./report/targets.js";
import { useInstalledKubo } from "./setup/installed-kubo.js";
import type { WrittenPatch } from "./setup/write-patch.js";

/**
 * `node --expose-gc lib-bench/bench/storage.js`: the Storage case alone (export and propose on the
 * contributor's side, then the operator's review of the patch), with target 7 and the review row, for
 * working on the Storage path without the whole seven-minute run. `--trace` then reviews the patch cold
 * once more and prints its requests to the node beside the car bound (as `profile-review.js --trace`).
 */
async function main(): Promise<void> {
  useInstalledKubo();
  const pair = await startKuboPair();
  try {
    const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
    const { result, review, patch } = await runStorage(pair.operator.store, pair.contributor.store, {}, log);
    const none = { rss: 0, heapUsed: 0, heapGrowth: 0, gcExposed: false };
    const seven = checkTargets({
      review: [review],
      storage: result,
      webhooks: [],
      apply: [],
      memory: none as never,
      memoryOverRuns: { runs: 0, settledAfter: 0, settledRss: 0, lastRss: 0, rssAfterEach: [] } as never,
    }).filter((t) => t.name.startsWith("1.") || t.name.startsWith("7."));
    process.stdout.write(
      `${reviewTable([review])}\n\n${seven.map((t) => `${t.met ? "MET   " : "MISSED"} ${t.name}: ${t.detail}`).join("\n")}\n`,
    );
    if (process.argv.includes("--trace"))
      await traceColdReview(pair.operator.store, patch, review.patchEntries);
  } finally {
    await pair.stop();
  }
}

/** One more cold review of the patch, over an empty disk cache as the `cold` column, traced. */
async function traceColdReview(store: KuboStore, patch: WrittenPatch, entries: number): Promise<void> {
  const node = tracingStore(store);
  const dir = await mkdtemp(join(tmpdir(), "nomad-patch-storage-trace-"));
  try {
    const disk = (await openDiskBlockCache(dir, { maxBytes: 256 * 1024 * 1024 })) as DiskBlockCache;
    node.begin();
    const run = await timed(() =>
      reviewAndRender(withBlockCache(node.store, { maxBlocks: 100_000, disk }), patch.key, entries),
    );
    await disk.close();
    const car = await carBeside(store.apiUrl, node.calls(), run.value.roots, run.ms);
    process.stdout.write(`${describeTrace(node.calls(), run.ms)}\n${car}\n`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`[bench] failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
