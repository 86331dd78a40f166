import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { constants, type PerformanceEntry, PerformanceObserver, performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { KuboStore } from "../src/ipfs/kubo-store.js";
import { withBlockCache } from "../src/service/caching-store.js";
import { type DiskBlockCache, openDiskBlockCache } from "../src/service/disk-block-cache.js";
import { startKuboPair } from "../test/helpers/kubo.js";
import { reviewAndRender } from "./cases/review-case.js";
import { fetchAsCar } from "./measure/baselines.js";
import { median } from "./measure/timing.js";
import { tracingStore } from "./measure/trace-store.js";
import { useInstalledKubo } from "./setup/installed-kubo.js";
import { writeOneCase } from "./setup/one-case.js";
import { withoutTimes } from "./setup/review-tree.js";

/**
 * `node --expose-gc lib-bench/bench/ab-flags.js [history] [patch] [rounds] [reviews] -- [node flags] -- [node flags] …`:
 * cold reviews of one case in Node processes started with different flags (V8's heap settings are fixed
 * when a process starts, so they cannot be compared in one process as `ab-cold.js` compares builds). One
 * Kubo pair and case are set up once; each round starts one child per flag set, the order reversed every
 * round; each child reviews the case `reviews` times after one warming review (the app's process is warm
 * when a review comes), each over a fresh memory cache and an empty disk cache as the bench's `cold`
 * column, and reads the same names and DAGs as `car` after each. Per review: the wall clock, the process's
 * CPU time, the garbage collector's pauses by kind (from `gc` performance entries) and the resident set's
 * peak. Every child's comment must be the same, its time stamps aside.
 */
async function main(): Promise<void> {
  useInstalledKubo();
  const [counts, ...sets] = splitOnDashes(process.argv.slice(2));
  const [history = "1000", size = "1000", rounds = "4", reviews = "3"] = counts ?? [];
  const flagSets = sets.length > 0 ? sets : [[]];
  const entries = Number(size);
  const pair = await startKuboPair();
  const log = (line: string) => process.stderr.write(`[ab-flags] ${line}\n`);
  try {
    const patch = await writeOneCase(pair, "abflags", { history: Number(history), patch: entries });
    // The first review brings the patch's blocks to the operator's node, as the bench's `first` column.
    await reviewAndRender(pair.operator.store, patch.key, entries);
    const results = flagSets.map(() => [] as ReviewFigures[]);
    const comments = new Set<string>();
    for (let round = 0; round < Number(rounds); round++) {
      const order = round % 2 === 0 ? [...flagSets.keys()] : [...flagSets.keys()].reverse();
      for (const i of order) {
        const flags = flagSets[i]!;
        const { stdout } = await promisify(execFile)(
          process.execPath,
          [
            "--expose-gc",
            ...flags,
            fileURLToPath(import.meta.url),
            "--child",
            pair.operator.store.apiUrl,
            patch.key,
            size,
            reviews,
          ],
          { maxBuffer: 64 * 1024 * 1024, env: process.env },
        );
        const child = JSON.parse(stdout) as ChildResult;
        comments.add(child.comment);
        for (const r of child.reviews) {
          results[i]!.push(r);
          log(
            `round ${round} [${flags.join(" ")}]: review ${r.wall.toFixed(0)} ms, CPU ${r.cpu.toFixed(0)} ms, GC ${r.gcMs.toFixed(0)} ms (${r.minor} minor ${r.minorMs.toFixed(0)} ms, ${r.major} major ${r.majorMs.toFixed(0)} ms), peak RSS ${r.peakRssMiB.toFixed(0)} MiB; car ${r.car.toFixed(0)} ms; load ${loadavg()[0]!.toFixed(2)}`,
          );
        }
      }
    }
    const spread = (values: number[]) =>
      `${median(values).toFixed(0)} (${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)})`;
    for (const [i, flags] of flagSets.entries()) {
      const rs = results[i]!;
      const of = (pick: (r: ReviewFigures) => number) => spread(rs.map(pick));
      process.stdout.write(
        `[${flags.join(" ") || "no flags"}] ${rs.length} reviews: wall ${of((r) => r.wall)} ms, CPU ${of((r) => r.cpu)} ms, GC ${of((r) => r.gcMs)} ms, scavenges ${of((r) => r.minor)} (${of((r) => r.minorMs)} ms), major ${of((r) => r.major)} (${of((r) => r.majorMs)} ms), peak RSS ${of((r) => r.peakRssMiB)} MiB, car ${of((r) => r.car)} ms; cold/car (medians) ${(median(rs.map((r) => r.wall)) / median(rs.map((r) => r.car))).toFixed(2)}×\n`,
      );
    }
    process.stdout.write(
      `${history} × ${size}, ${rounds} rounds of ${reviews} reviews; comments ${comments.size === 1 ? "the same in every process" : "DIFFER"}\n`,
    );
    if (comments.size !== 1) process.exitCode = 1;
  } finally {
    await pair.stop();
  }
}

interface ReviewFigures {
  readonly wall: number;
  readonly cpu: number;
  readonly gcMs: number;
  readonly minor: number;
  readonly minorMs: number;
  readonly major: number;
  readonly majorMs: number;
  readonly peakRssMiB: number;
  readonly car: number;
}

interface ChildResult {
  readonly reviews: ReviewFigures[];
  readonly comment: string;
}

async function child(apiUrl: string, key: string, size: string, reviews: string): Promise<void> {
  const entries = Number(size);
  const node = tracingStore(new KuboStore({ apiUrl }));
  const pauses: { start: number; ms: number; kind: number }[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) pauses.push(pauseOf(e));
  });
  observer.observe({ entryTypes: ["gc"] });
  const work = await mkdtemp(join(tmpdir(), "nomad-patch-ab-flags-"));
  const figures: ReviewFigures[] = [];
  let comment = "";
  try {
    for (let n = 0; n <= Number(reviews); n++) {
      globalThis.gc?.();
      const disk = (await openDiskBlockCache(join(work, String(n)), {
        maxBytes: 256 * 1024 * 1024,
      })) as DiskBlockCache;
      const store = withBlockCache(node.store, { maxBlocks: 100_000, disk });
      node.begin();
      let peakRss = process.memoryUsage.rss();
      const sampler = setInterval(() => {
        peakRss = Math.max(peakRss, process.memoryUsage.rss());
      }, 5);
      const started = performance.now();
      const cpuBefore = process.cpuUsage();
      const run = await reviewAndRender(store, key, entries);
      const cpu = process.cpuUsage(cpuBefore);
      const ended = performance.now();
      clearInterval(sampler);
      peakRss = Math.max(peakRss, process.memoryUsage.rss());
      await disk.close();
      // `gc` entries are delivered after the pause: give them a turn before counting.
      await new Promise((done) => setImmediate(done));
      for (const e of observer.takeRecords()) pauses.push(pauseOf(e));
      const inside = pauses.filter((p) => p.start >= started && p.start <= ended);
      pauses.length = 0;
      const names = [...new Set(node.calls().flatMap((c) => (c.name === undefined ? [] : [c.name])))];
      const carStart = performance.now();
      await fetchAsCar(apiUrl, names, run.roots);
      const car = performance.now() - carStart;
      comment = withoutTimes(run.markdown);
      if (n === 0) continue; // the warming review: the app's process has run reviews before
      const sum = (ps: typeof inside) => ps.reduce((a, p) => a + p.ms, 0);
      const minor = inside.filter((p) => p.kind === constants.NODE_PERFORMANCE_GC_MINOR);
      const major = inside.filter((p) => p.kind !== constants.NODE_PERFORMANCE_GC_MINOR);
      figures.push({
        wall: ended - started,
        cpu: (cpu.user + cpu.system) / 1000,
        gcMs: sum(inside),
        minor: minor.length,
        minorMs: sum(minor),
        major: major.length,
        majorMs: sum(major),
        peakRssMiB: peakRss / 1024 / 1024,
        car,
      });
    }
  } finally {
    observer.disconnect();
    await rm(work, { recursive: true, force: true });
  }
  process.stdout.write(JSON.stringify({ reviews: figures, comment } satisfies ChildResult));
}

/** A `gc` entry's pause, with its kind (minor: a scavenge of the young generation). */
function pauseOf(entry: PerformanceEntry): { start: number; ms: number; kind: number } {
  const kind = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind ?? 0;
  return { start: entry.startTime, ms: entry.duration, kind };
}

/** `a b -- c d -- e` → [[a, b], [c, d], [e]]; an empty set (`-- --`) is the defaults. */
function splitOnDashes(args: readonly string[]): string[][] {
  const sets: string[][] = [[]];
  for (const arg of args) {
    if (arg === "--") sets.push([]);
    else sets[sets.length - 1]!.push(arg);
  }
  return sets;
}

const [, , first, ...rest] = process.argv;
(first === "--child" ? child(rest[0] ?? "", rest[1] ?? "", rest[2] ?? "1000", rest[3] ?? "3") : main()).catch(
  (error: unknown) => {
    process.stderr.write(`[ab-flags] failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
