import { mkdtemp, rm, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KuboStore } from "../../src/ipfs/kubo-store.js";
import { withBlockCache } from "../../src/service/caching-store.js";
import { type DiskBlockCache, openDiskBlockCache } from "../../src/service/disk-block-cache.js";
import { exportFolder } from "../../src/service/export-folder.js";
import { proposePatch } from "../../src/service/propose-patch.js";
import { fetchAsCar } from "../measure/baselines.js";
import { recordingStore } from "../measure/recording-store.js";
import { median, timed } from "../measure/timing.js";
import { benchPublish } from "../setup/write-history.js";
import type { WrittenPatch } from "../setup/write-patch.js";
import { storageFileText, type WrittenStorage, writeStorageHistory } from "../setup/write-storage-history.js";
import { type ReviewCaseResult, runReviewCase } from "./review-cases.js";

export interface StorageCaseResult {
  readonly historyEntries: number;
  readonly files: number;
  /** The first export on the contributor's node (its blocks imported there, nothing in the process yet). */
  readonly firstExportMs: number;
  /** `export` with a fresh block cache (blocks in the node's repository, none in the process). */
  readonly exportMs: number;
  /** `propose --from-folder` of the edited copy, fresh block cache, publishing included. */
  readonly proposeMs: number;
  /** The same DAGs read whole: the names resolved and one `dag/export` per stream. */
  readonly carMs: number;
  readonly patchEntries: number;
  readonly changedFiles: number;
}

/** The Storage case (target 7): a folder of this many files with 10,000 entries of history. */
export const STORAGE = { entries: 10_000, files: 1_000 } as const;
const RUNS = 3;
const MAX_BLOCKS = 100_000;
const DISK_BYTES = 256 * 1024 * 1024;
const MAX_FILE_BYTES = 1024 * 1024;
/** The edit: files changed, added and removed in the exported copy. */
const CHANGED = 50;
const ADDED = 5;
const REMOVED = 5;

/**
 * Issue 12 target 7, the contributor's side: `export` of a Storage folder and `propose --from-folder`
 * of an edited copy (the use-cases the CLI calls, in-process, over a block cache as the CLI opens
 * one), each against one `dag/export` of the same streams on the same node. Returns the last proposed
 * patch, which the operator then reviews as a row of the review table.
 */
export async function runStorageCase(
  store: KuboStore,
  storage: WrittenStorage,
  history: number,
  log: (line: string) => void,
): Promise<{ result: StorageCaseResult; patch: WrittenPatch }> {
  const work = await mkdtemp(join(tmpdir(), "nomad-patch-bench-storage-"));
  try {
    let run = 0;
    /** A fresh cache as the CLI opens one: in memory, over an empty cache on disk. */
    const freshCache = async <T>(task: (cached: ReturnType<typeof withBlockCache>) => Promise<T>) => {
      const disk = (await openDiskBlockCache(join(work, `cache-${run++}`), {
        maxBytes: DISK_BYTES,
      })) as DiskBlockCache;
      try {
        return await task(withBlockCache(store, { maxBlocks: MAX_BLOCKS, disk }));
      } finally {
        await disk.close();
      }
    };
    const exportTo = (cached: ReturnType<typeof withBlockCache>, dir: string) =>
      exportFolder({ store: cached }, { target: storage.id, dir, maxFileBytes: MAX_FILE_BYTES });

    const recorder = recordingStore(store);
    const first = await timed(() =>
      exportFolder(
        { store: withBlockCache(recorder.store, { maxBlocks: MAX_BLOCKS }) },
        { target: storage.id, dir: join(work, "first"), maxFileBytes: MAX_FILE_BYTES },
      ),
    );
    if (first.value.files !== storage.paths.length)
      throw new Error(`bench export wrote ${first.value.files} files, expected ${storage.paths.length}`);
    log(`storage ${history}: first export ${first.ms.toFixed(0)} ms`);

    const exports: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const dir = join(work, `export-${i}`);
      const exported = await timed(() => freshCache((cached) => exportTo(cached, dir)));
      if (exported.value.files !== storage.paths.length) throw new Error("bench export missed files");
      exports.push(exported.ms);
    }

    // The contributor's edit, on the first export's copy (its marker names the target and base).
    const copy = join(work, "first");
    const paths = storage.paths;
    for (const path of paths.slice(0, CHANGED))
      await writeFile(join(copy, path), storageFileText(path, 999_999));
    for (let i = 0; i < ADDED; i++)
      await writeFile(join(copy, paths[i]!.replace(/\.txt$/, "-new.txt")), storageFileText(`new ${i}`, 0));
    for (const path of paths.slice(-REMOVED)) await unlink(join(copy, path));

    const proposes: number[] = [];
    let patch: WrittenPatch | undefined;
    let patchEntries = 0;
    for (let i = 0; i < RUNS; i++) {
      const proposed = await timed(() =>
        freshCache((cached) =>
          proposePatch(
            { store: cached },
            {
              target: storage.id,
              title: `Benchmark edit ${i}`,
              description: "Generated by `npm run bench`.",
              changes: { kind: "folder", dir: copy },
              name: `bench-storage-${history}-${i}`,
              publish: benchPublish,
            },
          ),
        ),
      );
      const changes = proposed.value.folderChanges?.length ?? 0;
      if (changes !== CHANGED + ADDED + REMOVED)
        throw new Error(`bench propose saw ${changes} changed files, expected ${CHANGED + ADDED + REMOVED}`);
      proposes.push(proposed.ms);
      patch = { key: proposed.value.key, cid: proposed.value.cid };
      patchEntries = proposed.value.entries.length;
    }

    const car: number[] = [];
    for (let i = 0; i < RUNS; i++)
      car.push(
        (await timed(() => fetchAsCar(store.apiUrl, recorder.recording.names, [storage.streamCid]))).ms,
      );
    const result: StorageCaseResult = {
      historyEntries: history,
      files: paths.length,
      firstExportMs: first.ms,
      exportMs: median(exports),
      proposeMs: median(proposes),
      carMs: median(car),
      patchEntries,
      changedFiles: CHANGED + ADDED + REMOVED,
    };
    log(
      `storage ${history}: export ${result.exportMs.toFixed(0)} ms, propose ${result.proposeMs.toFixed(0)} ms, car ${result.carMs.toFixed(0)} ms`,
    );
    return { result, patch: patch! };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Writes the Storage history on the operator, runs export and propose on the contributor, reviews the patch. */
export async function runStorage(
  operator: Parameters<typeof writeStorageHistory>[0],
  contributor: Parameters<typeof writeStorageHistory>[0],
  setup: Record<string, number>,
  log: (line: string) => void,
  review: { readonly coldRuns?: number; readonly withoutRequestBaselines?: boolean } = {},
): Promise<{ result: StorageCaseResult; review: ReviewCaseResult; patch: WrittenPatch }> {
  const written = await timed(() =>
    writeStorageHistory(operator, { name: "bench-storage", entries: STORAGE.entries, files: STORAGE.files }),
  );
  setup[`storage ${STORAGE.entries}`] = written.ms;
  log(
    `wrote a Storage history of ${STORAGE.entries} entries over ${STORAGE.files} files in ${written.ms.toFixed(0)} ms`,
  );
  // The contributor's node gets the history in one import: 30,000 blocks over bitswap one by one would
  // take minutes and measure bitswap, which the review table's "first" column does already.
  await contributor.importBlocks(written.value.written, { timeoutMs: 300_000 });
  const { result, patch } = await runStorageCase(contributor, written.value, STORAGE.entries, log);
  const reviewed = await runReviewCase(
    operator,
    patch,
    { history: STORAGE.entries, patch: result.patchEntries, kind: "storage", ...review },
    log,
  );
  return { result, review: reviewed, patch };
}
