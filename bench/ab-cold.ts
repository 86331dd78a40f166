import { mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import type { DiskBlockCache } from "../src/service/disk-block-cache.js";
import { startKuboPair } from "../test/helpers/kubo.js";
import { fetchAsCar } from "./measure/baselines.js";
import { median, timed } from "./measure/timing.js";
import { tracingStore } from "./measure/trace-store.js";
import { useInstalledKubo } from "./setup/installed-kubo.js";
import { writeOneCase } from "./setup/one-case.js";
import { loadReviewTree, withoutTimes } from "./setup/review-tree.js";

/**
 * `node --expose-gc lib-bench/bench/ab-cold.js [history] [patch] [rounds] [lib-bench dir …]`: the cold
 * review of one case (a fresh memory cache over an empty disk cache, as the bench's `cold` column) with each
 * compiled tree in turn (`lib-bench` of two commits: each tree's own review, block cache and disk cache), the
 * order reversed every round (A B, B A, …), in one process over one Kubo pair and the same blocks, each
 * followed by the `car` read of the same names and DAGs. For each review: the wall clock to its answer, the
 * process's CPU time during it (steadier than the clock on a shared machine), the blocks the disk cache had
 * written when it answered, and the CPU of the disk cache's `close` after it (what was left for later). Every tree's comment must be the same, its time stamps aside.
 */
async function main(): Promise<void> {
  useInstalledKubo();
  const [history = "1000", size = "1000", rounds = "6", ...given] = process.argv.slice(2);
  const trees = given.length > 0 ? given : ["lib-bench"];
  const impls = await Promise.all(trees.map(loadReviewTree));
  const entries = Number(size);
  const pair = await startKuboPair();
  const work = await mkdtemp(join(tmpdir(), "nomad-patch-ab-cold-"));
  const log = (line: string) => process.stderr.write(`[ab] ${line}\n`);
  try {
    const patch = await writeOneCase(pair, "ab", { history: Number(history), patch: entries });
    const node = tracingStore(pair.operator.store);
    // The first review brings the patch's blocks to the operator's node, as the bench's `first` column.
    await impls[0]!.reviewAndRender(pair.operator.store, patch.key, entries);
    const figures = trees.map(() => ({
      wall: [] as number[],
      cpu: [] as number[],
      close: [] as number[],
      written: [] as number[],
    }));
    const car: number[] = [];
    const comments = new Map<number, string>();
    for (let round = 0; round < Number(rounds); round++) {
      const order = round % 2 === 0 ? [...impls.keys()] : [...impls.keys()].reverse();
      for (const i of order) {
        const impl = impls[i]!;
        globalThis.gc?.();
        const disk = (await impl.openDiskBlockCache(join(work, `${round}-${i}`), {
          maxBytes: 256 * 1024 * 1024,
        })) as DiskBlockCache;
        const store = impl.withBlockCache(node.store, { maxBlocks: 100_000, disk });
        node.begin();
        const cpu = process.cpuUsage();
        const run = await timed(() => impl.reviewAndRender(store, patch.key, entries));
        const reviewCpu = process.cpuUsage(cpu);
        const writtenBefore = disk.stats().blocks;
        const closing = process.cpuUsage();
        await disk.close();
        const closeCpu = process.cpuUsage(closing);
        const ms = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1000;
        figures[i]!.wall.push(run.ms);
        figures[i]!.cpu.push(ms(reviewCpu));
        figures[i]!.close.push(ms(closeCpu));
        figures[i]!.written.push(writtenBefore);
        comments.set(i, withoutTimes(run.value.markdown));
        const names = [...new Set(node.calls().flatMap((c) => (c.name === undefined ? [] : [c.name])))];
        const baseline = await timed(() => fetchAsCar(pair.operator.store.apiUrl, names, run.value.roots));
        car.push(baseline.ms);
        log(
          `round ${round} ${trees[i]}: review ${run.ms.toFixed(0)} ms, CPU ${ms(reviewCpu).toFixed(0)} ms, close CPU ${ms(closeCpu).toFixed(0)} ms, ${writtenBefore} blocks on disk at the answer; car ${baseline.ms.toFixed(0)} ms; load ${loadavg()[0]!.toFixed(2)}`,
        );
      }
    }
    const same = new Set(comments.values()).size === 1;
    const spread = (values: number[]) =>
      `${median(values).toFixed(0)} (${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)})`;
    for (const [i, tree] of trees.entries()) {
      const { wall, cpu, close, written } = figures[i]!;
      process.stdout.write(
        `${tree}: review wall ${spread(wall)} ms, CPU ${spread(cpu)} ms, close CPU ${spread(close)} ms, blocks on disk at the answer ${spread(written)}; cold/car (medians) ${(median(wall) / median(car)).toFixed(2)}×\n`,
      );
    }
    process.stdout.write(
      `car ${spread(car)} ms; ${history} × ${size}, ${rounds} rounds; comments ${same ? "the same in every tree" : "DIFFER"}\n`,
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
