import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import type { HeapProfiler } from "node:inspector";
import { Session } from "node:inspector/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { IpfsStore } from "../src/ipfs/store.js";
import { withBlockCache } from "../src/service/caching-store.js";
import { type DiskBlockCache, openDiskBlockCache } from "../src/service/disk-block-cache.js";
import { startKuboPair } from "../test/helpers/kubo.js";
import { reviewAndRender } from "./cases/review-case.js";
import { timed } from "./measure/timing.js";
import { carBeside, describeTrace, tracingStore } from "./measure/trace-store.js";
import { useInstalledKubo } from "./setup/installed-kubo.js";
import { writeOneCase } from "./setup/one-case.js";

/**
 * `node lib-bench/bench/profile-review.js [history] [patch] [runs] [cold|warm|restart]`: one review
 * case, set up, then reviewed `runs` times with a fresh or a shared block cache, or (`restart`) with a
 * fresh one over the disk cache a cold review filled, opened as part of each run as the bench's
 * `restart` column does, so a CPU profile shows where a review spends its time. `--trace` also prints,
 * for each review, the requests it made to the node: how many of each kind, how long one was in flight,
 * and when the requests other than single blocks started and ended (what waits on what). `--heap` samples
 * the reviews' allocations instead of their CPU (V8's sampling heap profiler, every 16 KiB on average,
 * collected objects included: what the garbage collector is fed) and prints the top allocation sites.
 */
async function main(): Promise<void> {
  useInstalledKubo();
  const args = process.argv.slice(2).filter((a) => !a.startsWith("--"));
  const trace = process.argv.includes("--trace");
  const heap = process.argv.includes("--heap");
  const [history = 1_000, size = 100, runs = 5] = args.slice(0, 3).map(Number);
  const mode = args[3] === "warm" || args[3] === "restart" ? args[3] : "cold";
  const pair = await startKuboPair();
  try {
    const node = tracingStore(pair.operator.store);
    const patch = await writeOneCase(pair, "profile", { history, patch: size });
    const shared = withBlockCache(node.store, { maxBlocks: 100_000 });
    await reviewAndRender(shared, patch.key, size);
    const dir = await mkdtemp(join(tmpdir(), "nomad-patch-profile-cache-"));
    const openDisk = async () =>
      (await openDiskBlockCache(dir, { maxBytes: 256 * 1024 * 1024 })) as DiskBlockCache;
    if (mode === "restart") {
      const disk = await openDisk();
      await reviewAndRender(
        withBlockCache(pair.operator.store, { maxBlocks: 100_000, disk }),
        patch.key,
        size,
      );
      await disk.close();
    }
    const restarted = async (review: (store: IpfsStore) => Promise<unknown>) => {
      const opened = await timed(openDisk);
      const disk = opened.value;
      process.stderr.write(
        `[profile] disk cache opened in ${opened.ms.toFixed(0)} ms (${disk.stats().blocks} blocks)\n`,
      );
      await review(withBlockCache(pair.operator.store, { maxBlocks: 100_000, disk }));
      await disk.close();
    };
    // Only the reviews are profiled, not the set-up that writes the blocks.
    const session = new Session();
    session.connect();
    if (heap) {
      await session.post("HeapProfiler.enable");
      await session.post("HeapProfiler.startSampling", {
        samplingInterval: 16 * 1024,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true,
      });
    } else {
      await session.post("Profiler.enable");
      await session.post("Profiler.start");
    }
    /** When each review ran (the profile's clock): what ran inside the reviews can be told from the rest. */
    const windows: { startUs: number; endUs: number }[] = [];
    /** With `--trace`: each review's tail, from its last export's end to its answer (no request in flight). */
    const tails: { startUs: number; endUs: number }[] = [];
    for (let i = 0; i < runs; i++) {
      if (mode === "restart") {
        // The window is the restart alone (the disk cache's opening and closing included), not the warm
        // review after it: `--own` then says what a restart spends, to set beside a `warm` profile.
        const startUs = Number(process.hrtime.bigint() / 1000n);
        const run = await timed(() => restarted((store) => reviewAndRender(store, patch.key, size)));
        windows.push({ startUs, endUs: Number(process.hrtime.bigint() / 1000n) });
        // A warm review right after, on the same machine's load: the bench's target is the ratio.
        const warm = await timed(() => reviewAndRender(shared, patch.key, size));
        process.stderr.write(
          `[profile] restart review ${run.ms.toFixed(0)} ms (disk cache opened included), a warm one after it ${warm.ms.toFixed(0)} ms: ${(run.ms / warm.ms).toFixed(2)}×\n`,
        );
        continue;
      }
      // Cold as the bench's `cold` column: a fresh memory cache over an empty disk cache that keeps what it reads.
      const disk =
        mode === "cold"
          ? ((await openDiskBlockCache(join(dir, `cold-${i}`), {
              maxBytes: 256 * 1024 * 1024,
            })) as DiskBlockCache)
          : undefined;
      const store = mode === "warm" ? shared : withBlockCache(node.store, { maxBlocks: 100_000, disk });
      node.begin();
      const startUs = Number(process.hrtime.bigint() / 1000n);
      const run = await timed(() => reviewAndRender(store, patch.key, size));
      const endUs = Number(process.hrtime.bigint() / 1000n);
      windows.push({ startUs, endUs });
      await disk?.close();
      process.stderr.write(
        `[profile] ${mode} review ${run.ms.toFixed(0)} ms (render ${run.value.renderMs.toFixed(0)} ms)\n`,
      );
      if (!trace) continue;
      process.stderr.write(`${describeTrace(node.calls(), run.ms)}\n`);
      const exportsEnd = Math.max(
        0,
        ...node.calls().flatMap((c) => (c.method === "exportDag" ? [c.end] : [])),
      );
      tails.push({ startUs: startUs + exportsEnd * 1000, endUs });
      process.stderr.write(
        `the tail: last export's end at ${exportsEnd.toFixed(0)} ms, the answer ${(run.ms - exportsEnd).toFixed(0)} ms after it\n`,
      );
      // The bench's `car` bound for the same names and DAGs, measured right after, under the same load.
      const car = await carBeside(pair.operator.store.apiUrl, node.calls(), run.value.roots, run.ms);
      process.stderr.write(`${car.replace("cold/car", `${mode}/car`)}\n`);
    }
    await rm(dir, { recursive: true, force: true });
    if (heap) {
      const { profile } = await session.post("HeapProfiler.stopSampling");
      const file = join(process.cwd(), "bench", "results", `review-${mode}-${history}x${size}.heapprofile`);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, JSON.stringify(profile));
      process.stdout.write(summariseAllocations(profile.head, runs, 40));
      process.stderr.write(`[profile] written to ${file}\n`);
      return;
    }
    const { profile } = await session.post("Profiler.stop");
    const file = join(process.cwd(), "bench", "results", `review-${mode}-${history}x${size}.cpuprofile`);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, JSON.stringify({ ...profile, windows, tails }));
    process.stderr.write(
      `[profile] written to ${file}; summarise it with lib-bench/bench/summarise-profile.js\n`,
    );
  } finally {
    await pair.stop();
  }
}

/**
 * The sampled bytes allocated per review by site (function, file and line), largest first, and by the
 * innermost frame of nomad-patch's own code on the stack (which of its functions asked for them).
 */
function summariseAllocations(head: HeapProfiler.SamplingHeapProfileNode, runs: number, top: number): string {
  const bySite = new Map<string, number>();
  const byOwn = new Map<string, number>();
  let total = 0;
  const siteOf = (f: HeapProfiler.SamplingHeapProfileNode["callFrame"]) =>
    `${f.functionName || "(anonymous)"} ${f.url.replace(/^.*\/(node_modules|lib-bench)\//, "")}:${f.lineNumber + 1}`;
  const walk = (node: HeapProfiler.SamplingHeapProfileNode, own: string | undefined) => {
    const here = node.callFrame.url.includes("/lib-bench/src/") ? siteOf(node.callFrame) : own;
    if (node.selfSize > 0) {
      total += node.selfSize;
      const site = siteOf(node.callFrame);
      bySite.set(site, (bySite.get(site) ?? 0) + node.selfSize);
      const owner = here ?? "(no nomad-patch frame)";
      byOwn.set(owner, (byOwn.get(owner) ?? 0) + node.selfSize);
    }
    for (const child of node.children) walk(child, here);
  };
  walk(head, undefined);
  const lines = (map: Map<string, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(
        ([site, bytes]) =>
          `${(bytes / runs / 1024 / 1024).toFixed(2).padStart(8)} MiB  ${((100 * bytes) / total).toFixed(1).padStart(5)} %  ${site}`,
      )
      .join("\n");
  return `allocated per review (sampled): ${(total / runs / 1024 / 1024).toFixed(1)} MiB\n\nby site:\n${lines(bySite)}\n\nby nomad-patch's innermost frame:\n${lines(byOwn)}\n`;
}

main().catch((error: unknown) => {
  process.stderr.write(`[profile] failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
