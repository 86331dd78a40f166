import { mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import type { KuboStore } from "../../src/ipfs/kubo-store.js";
import { withBlockCache } from "../../src/service/caching-store.js";
import { type DiskBlockCache, openDiskBlockCache } from "../../src/service/disk-block-cache.js";
import { fetchAsCar, fetchConcurrently, fetchSequentially } from "../measure/baselines.js";
import { gcEventsDuring } from "../measure/gc-events.js";
import { recordingStore } from "../measure/recording-store.js";
import { median, timed } from "../measure/timing.js";
import type { WrittenPatch } from "../setup/write-patch.js";
import { reviewAndRender } from "./review-case.js";

export interface ReviewCaseResult {
  /** A WindowsAppCommunity project, or a Storage folder (the patch proposed from an edited export). */
  readonly kind: "project" | "storage";
  readonly historyEntries: number;
  readonly patchEntries: number;
  readonly names: number;
  readonly blocks: number;
  readonly kib: number;
  readonly markdownChars: number;
  /** The first review on the operator's node: the patch's blocks come over bitswap. */
  readonly firstMs: number;
  /** Fresh block cache each run (blocks in Kubo's repository, none in the process). */
  readonly coldMs: number;
  /** Block cache warm: only names are asked of Kubo. */
  readonly warmMs: number;
  readonly warmRenderMs: number;
  /** The first review after a restart: an empty block cache in memory, the one on disk kept by a cold review. */
  readonly restartMs: number;
  readonly sequentialMs: number;
  readonly rawMs: number;
  /** Not a baseline of the same requests: the same DAGs read whole, one `dag/export` per root. */
  readonly carMs: number;
}

const RUNS = 3;
const MAX_BLOCKS = 100_000;
const DISK_BYTES = 256 * 1024 * 1024;
export const RAW_CONCURRENCY = 64;

/** One review case: the review three ways and both baselines, on the same node and the same blocks. */
export async function runReviewCase(
  store: KuboStore,
  patch: WrittenPatch,
  sizes: {
    readonly history: number;
    readonly patch: number;
    readonly kind?: "project" | "storage";
    /** Cold samples to take (and as many restarts); default three. */
    readonly coldRuns?: number;
    /** Leave out the sequential and raw baselines (their columns read 0): a study of the cold column. */
    readonly withoutRequestBaselines?: boolean;
  },
  log: (line: string) => void,
): Promise<ReviewCaseResult> {
  const kind = sizes.kind ?? "project";
  const label = `${kind === "storage" ? "storage: " : ""}${sizes.patch} entries vs ${sizes.history} history`;
  const recorder = recordingStore(store);
  const first = await timed(() => reviewAndRender(recorder.store, patch.key, sizes.patch));
  const { names, blocks } = recorder.recording;
  log(`${label}: first review ${first.value.reviewMs.toFixed(0)} ms, ${blocks.length} blocks`);

  // The request baselines of the large history take 10–40 s each: one run of each compares well enough.
  // Its cold review (about 3 s idle) takes three samples as every other row does: in one process, samples
  // of one case differ by a third of their CPU by whether V8's major collection falls inside them, so one
  // sample is as likely the one as the other (docs/benchmarks.md, "Target 1: one cold sample, and the tail
  // after the exports").
  const slowRuns = blocks.length > 5_000 ? 1 : RUNS;
  const cold: number[] = [];
  const restart: number[] = [];
  const dataDir = await mkdtemp(join(tmpdir(), "nomad-patch-bench-cache-"));
  try {
    for (let i = 0; i < (sizes.coldRuns ?? RUNS); i++) {
      const dir = join(dataDir, String(i));
      // In a function of its own, so the cold sample's memory cache is garbage during the restart after it,
      // as a restarted process does not hold the one before it (sharing the loop's scope kept it alive).
      cold.push(await coldSample(store, dir, patch, sizes.patch, `${label}: cold sample ${i + 1}`, log));
      // A restart: a new memory cache over the same directory, opened (and checked) as part of the time,
      // though the app opens it once at start-up, before any webhook. Its close is not: the app closes the
      // cache when it stops, never after a review, and the cold sample above is timed without its close too.
      // The close is logged apart, so what it costs is still seen.
      const restarted = await timed(async () => {
        const reopened = (await openDiskBlockCache(dir, { maxBytes: DISK_BYTES })) as DiskBlockCache;
        const after = withBlockCache(store, { maxBlocks: MAX_BLOCKS, disk: reopened });
        await reviewAndRender(after, patch.key, sizes.patch);
        return reopened;
      });
      const closed = await timed(() => restarted.value.close());
      restart.push(restarted.ms);
      log(
        `${label}: restart sample ${i + 1}: ${restarted.ms.toFixed(0)} ms (disk cache opened included), its close after it ${closed.ms.toFixed(0)} ms`,
      );
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
  const cache = withBlockCache(store, { maxBlocks: MAX_BLOCKS });
  await reviewAndRender(cache, patch.key, sizes.patch);
  const warm: number[] = [];
  const warmRender: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const run = await timed(() => reviewAndRender(cache, patch.key, sizes.patch));
    warm.push(run.ms);
    warmRender.push(run.value.renderMs);
  }
  log(
    `${label}: cold ${median(cold).toFixed(0)} ms, after a restart ${median(restart).toFixed(0)} ms, warm ${median(warm).toFixed(0)} ms`,
  );

  const sequential: number[] = [];
  let bytes = 0;
  const requestRuns = sizes.withoutRequestBaselines ? 0 : slowRuns;
  for (let i = 0; i < requestRuns; i++) {
    const run = await timed(() => fetchSequentially(store.apiUrl, recorder.recording));
    sequential.push(run.ms);
    bytes = run.value;
  }
  const raw: number[] = [];
  for (let i = 0; i < requestRuns; i++)
    raw.push((await timed(() => fetchConcurrently(store.apiUrl, recorder.recording, RAW_CONCURRENCY))).ms);
  const car: number[] = [];
  for (let i = 0; i < RUNS; i++)
    car.push((await timed(() => fetchAsCar(store.apiUrl, names, first.value.roots))).ms);
  log(
    `${label}: sequential ${median(sequential).toFixed(0)} ms, raw ${median(raw).toFixed(0)} ms, car ${median(car).toFixed(0)} ms`,
  );

  return {
    kind,
    historyEntries: sizes.history,
    patchEntries: sizes.patch,
    names: names.length,
    blocks: blocks.length,
    kib: bytes / 1024,
    markdownChars: first.value.markdown.length,
    firstMs: first.ms,
    coldMs: median(cold),
    warmMs: median(warm),
    warmRenderMs: median(warmRender),
    restartMs: median(restart),
    sequentialMs: sequential.length > 0 ? median(sequential) : 0,
    rawMs: raw.length > 0 ? median(raw) : 0,
    carMs: median(car),
  };
}

/** The collections of one sample in a few words: each kind's count and total time. */
function describeGc(byKind: Readonly<Record<string, { count: number; totalMs: number }>>): string {
  const kinds = Object.entries(byKind).map(([kind, k]) => `${k.count} ${kind} ${k.totalMs.toFixed(0)} ms`);
  return `GC ${kinds.join(", ") || "none"}`;
}

/** Cold as in the app: the cache on disk starts empty and keeps what the review reads. */
async function coldSample(
  store: KuboStore,
  dir: string,
  patch: WrittenPatch,
  entries: number,
  label: string,
  log: (line: string) => void,
): Promise<number> {
  const disk = (await openDiskBlockCache(dir, { maxBytes: DISK_BYTES })) as DiskBlockCache;
  const fresh = withBlockCache(store, { maxBlocks: MAX_BLOCKS, disk });
  const heapBefore = process.memoryUsage().heapUsed;
  const cpu = process.cpuUsage();
  const sample = await gcEventsDuring(() => timed(() => reviewAndRender(fresh, patch.key, entries)));
  const used = process.cpuUsage(cpu);
  await disk.close();
  log(
    `${label}: ${sample.result.ms.toFixed(0)} ms, CPU ${((used.user + used.system) / 1000).toFixed(0)} ms, ${describeGc(sample.summarise([]).byKind)}, heap used before ${(heapBefore / 2 ** 20).toFixed(0)} MiB, load ${loadavg()[0]!.toFixed(1)}`,
  );
  return sample.result.ms;
}
