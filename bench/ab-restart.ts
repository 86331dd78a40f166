import { mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import type { DiskBlockCache } from "../src/service/disk-block-cache.js";
import { startKuboPair } from "../test/helpers/kubo.js";
import { gcEventsDuring } from "./measure/gc-events.js";
import { median, timed } from "./measure/timing.js";
import { useInstalledKubo } from "./setup/installed-kubo.js";
import { writeOneCase } from "./setup/one-case.js";
import { loadReviewTree, type ReviewTree, withoutTimes } from "./setup/review-tree.js";

/**
 * `node --expose-gc lib-bench/bench/ab-restart.js [history] [patch] [rounds] [lib-bench dir …]`: the first
 * review after a restart of one case with each compiled tree in turn (`lib-bench` of two commits), as the
 * bench's `restart` column measures it (a new memory cache over the disk cache a cold review of that tree
 * filled, the disk cache's opening and closing included), each followed at once by a warm review over that
 * tree's own memory cache; the order reversed every round, in one process over one Kubo pair and the same
 * blocks. Every sample starts after a full collection, so none pays for the garbage of the one before. For
 * each: the wall clock, the process's CPU time (steadier than the clock on a shared machine) and the
 * collector's pauses. Every tree's comment must be the same, its time stamps aside.
 */
async function main(): Promise<void> {
  useInstalledKubo();
  const [history = "10000", size = "1000", rounds = "8", ...given] = process.argv.slice(2);
  const trees = given.length > 0 ? given : ["lib-bench"];
  const impls = await Promise.all(trees.map(loadReviewTree));
  const entries = Number(size);
  const pair = await startKuboPair();
  const work = await mkdtemp(join(tmpdir(), "nomad-patch-ab-restart-"));
  const log = (line: string) => process.stderr.write(`[ab] ${line}\n`);
  const store = pair.operator.store;
  const openDisk = (impl: ReviewTree, i: number) =>
    impl.openDiskBlockCache(join(work, String(i)), {
      maxBytes: 256 * 1024 * 1024,
    }) as Promise<DiskBlockCache>;
  try {
    const patch = await writeOneCase(pair, "ab", { history: Number(history), patch: entries });
    // The first review brings the patch's blocks to the operator's node, as the bench's `first` column.
    await impls[0]!.reviewAndRender(store, patch.key, entries);
    // Each tree's disk cache filled by one cold review of its own, and its memory cache warmed.
    const warmCaches: ReturnType<ReviewTree["withBlockCache"]>[] = [];
    for (const [i, impl] of impls.entries()) {
      const disk = await openDisk(impl, i);
      await impl.reviewAndRender(
        impl.withBlockCache(store, { maxBlocks: 100_000, disk }),
        patch.key,
        entries,
      );
      await disk.close();
      const warm = impl.withBlockCache(store, { maxBlocks: 100_000 });
      await impl.reviewAndRender(warm, patch.key, entries);
      warmCaches.push(warm);
    }
    const sample = () => ({ wall: [] as number[], cpu: [] as number[], gc: [] as number[] });
    const figures = trees.map(() => ({ restart: sample(), warm: sample(), ratio: [] as number[] }));
    const comments = new Map<string, string>();
    const measure = async (into: ReturnType<typeof sample>, task: () => Promise<string>) => {
      globalThis.gc?.();
      const cpu = process.cpuUsage();
      const run = await gcEventsDuring(() => timed(task));
      const used = process.cpuUsage(cpu);
      const gcMs = Object.values(run.summarise([]).byKind).reduce((n, k) => n + k.totalMs, 0);
      into.wall.push(run.result.ms);
      into.cpu.push((used.user + used.system) / 1000);
      into.gc.push(gcMs);
      return run.result;
    };
    for (let round = 0; round < Number(rounds); round++) {
      const order = round % 2 === 0 ? [...impls.keys()] : [...impls.keys()].reverse();
      for (const i of order) {
        const impl = impls[i]!;
        const f = figures[i]!;
        const restarted = await measure(f.restart, async () => {
          const disk = await openDisk(impl, i);
          const after = impl.withBlockCache(store, { maxBlocks: 100_000, disk });
          const { markdown } = await impl.reviewAndRender(after, patch.key, entries);
          await disk.close();
          return markdown;
        });
        const warm = await measure(f.warm, async () => {
          return (await impl.reviewAndRender(warmCaches[i]!, patch.key, entries)).markdown;
        });
        f.ratio.push(restarted.ms / warm.ms);
        comments.set(`${i} restart`, withoutTimes(restarted.value));
        comments.set(`${i} warm`, withoutTimes(warm.value));
        const last = (s: ReturnType<typeof sample>) =>
          `${s.wall.at(-1)!.toFixed(0)} ms, CPU ${s.cpu.at(-1)!.toFixed(0)} ms, GC ${s.gc.at(-1)!.toFixed(0)} ms`;
        log(
          `round ${round} ${trees[i]}: restart ${last(f.restart)}; warm ${last(f.warm)}; ${f.ratio.at(-1)!.toFixed(2)}×; load ${loadavg()[0]!.toFixed(2)}`,
        );
      }
    }
    const same = new Set(comments.values()).size === 1;
    const spread = (values: number[]) =>
      `${median(values).toFixed(0)} (${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)})`;
    for (const [i, tree] of trees.entries()) {
      const { restart, warm, ratio } = figures[i]!;
      process.stdout.write(
        `${tree}: restart wall ${spread(restart.wall)} ms, CPU ${spread(restart.cpu)} ms, GC ${spread(restart.gc)} ms; warm wall ${spread(warm.wall)} ms, CPU ${spread(warm.cpu)} ms, GC ${spread(warm.gc)} ms; restart/warm: medians ${(median(restart.wall) / median(warm.wall)).toFixed(2)}× wall, ${(median(restart.cpu) / median(warm.cpu)).toFixed(2)}× CPU, median of the rounds ${median(ratio).toFixed(2)}×\n`,
      );
    }
    process.stdout.write(
      `${history} × ${size}, ${rounds} rounds; comments ${same ? "the same in every tree and kind" : "DIFFER"}\n`,
    );
    if (!same) process.exitCode = 1;
  } finally {
    await rm(work, { recursive: true, force: true });
    await pair.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`[ab] failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
