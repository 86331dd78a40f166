import { spawnSync } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { Session } from "node:inspector/promises";
import { join } from "node:path";
import { withBlockCache } from "../src/service/caching-store.js";
import { startKuboPair } from "../test/helpers/kubo.js";
import { reviewAndRender } from "./cases/review-case.js";
import { runWebhookBurst } from "./cases/webhook-burst.js";
import { ackPathDuring, describeAckPath } from "./measure/ack-path.js";
import { ackPhasesDuring, describeAckPhases } from "./measure/ack-phases.js";
import { ackThreadPhasesDuring, describeAckThreadPhases } from "./measure/ack-thread-phases.js";
import { describeGc, gcEventsDuring } from "./measure/gc-events.js";
import { allocationsDuring, describeAllocations } from "./measure/heap-sampling.js";
import { attributeStalls, type Profile } from "./measure/profile-windows.js";
import { eventLoopDelayOf } from "./measure/stalls.js";
import { timed } from "./measure/timing.js";
import { measureMemoryApart } from "./memory-case.js";
import { useInstalledKubo } from "./setup/installed-kubo.js";
import { writeOneCase } from "./setup/one-case.js";

const MIB = 1024 * 1024;
const log = (line: string) => process.stderr.write(`[cold-under-load] ${line}\n`);

/**
 * `node --expose-gc lib-bench/bench/cold-under-load.js [history] [patch] [--profile] [--memory] [--webhooks]`:
 * targets 5 and 6 of issue 12 for one case, without the whole bench. Always: the event loop's delay during a
 * cold review, with each stall of 20 ms or more and the garbage collections (with `--profile`, what ran during
 * the stalls).
 * `--allocations`: what the cold review allocates, by function (V8's sampling heap profiler, freed objects too).
 * `--memory`: the peak memory of a cold review and the RSS over 20 reviews over one cache, in a process of
 * their own (bench/memory-case.ts).
 * `--webhooks`: the bench's 200/s burst while the cold review runs in the same process (after an unmeasured
 * warm-up burst), with where the acknowledgements waited (bench/measure/ack-path.ts); `--repeat=N`: N times;
 * `--apart-only`: only the burst sent from a process of its own (target 6's measure), not the in-process one;
 * `--front=main`: answered by Probot's middleware on the main thread (as before the webhook thread, and as
 * `probot run` serves the app) instead of the webhook thread `npm start` runs.
 * `--phases`: with the webhook thread, each acknowledgement's phases as the thread saw them, and what the
 * thread, the sender and the main thread waited for a core meanwhile (bench/measure/ack-thread-phases.ts;
 * the process restarts itself with the thread's probe preloaded).
 */
async function main(): Promise<void> {
  if (process.argv.includes("--phases") && !probed()) return restartWithProbe();
  useInstalledKubo();
  const args = process.argv.slice(2);
  const [history = 10_000, size = 1_000] = args.filter((a) => !a.startsWith("--")).map(Number);
  const pair = await startKuboPair();
  try {
    const patch = await writeOneCase(pair, "loop", { history, patch: size });
    // The first review brings the patch's blocks to the operator's node: every later one is cold in the process only.
    const first = await timed(() =>
      reviewAndRender(withBlockCache(pair.operator.store, { maxBlocks: 100_000 }), patch.key, size),
    );
    log(`${size} entries vs ${history} history: first review ${first.ms.toFixed(0)} ms`);
    const cold = () =>
      reviewAndRender(withBlockCache(pair.operator.store, { maxBlocks: 100_000 }), patch.key, size);

    const session = args.includes("--profile") ? new Session() : undefined;
    if (session) {
      session.connect();
      await session.post("Profiler.enable");
      await session.post("Profiler.setSamplingInterval", { interval: 200 });
      await session.post("Profiler.start");
    }
    const started = performance.now();
    const { result: delay, summarise } = await gcEventsDuring(() => eventLoopDelayOf(cold));
    const coldMs = performance.now() - started;
    const stalled = delay.stalls.reduce((ms, s) => ms + (s.endUs - s.startUs) / 1000, 0);
    log(
      `cold review ${coldMs.toFixed(0)} ms; event-loop delay p50 ${delay.p50Ms.toFixed(1)} ms, p99 ${delay.p99Ms.toFixed(1)} ms, max ${delay.maxMs.toFixed(1)} ms; ${delay.stalls.length} stalls ≥ 20 ms, ${stalled.toFixed(0)} ms in all`,
    );
    log(`garbage collection: ${describeGc(summarise(delay.stalls))}`);
    if (session) {
      const { profile } = await session.post("Profiler.stop");
      session.disconnect();
      const dir = join(process.cwd(), "bench", "results");
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, `cold-${history}x${size}.cpuprofile`), JSON.stringify(profile));
      process.stdout.write(`${attributeStalls(profile as Profile, delay.stalls, 25)}\n`);
    }

    if (args.includes("--allocations")) {
      const heap = new Session();
      heap.connect();
      const { head } = await allocationsDuring(heap, cold);
      heap.disconnect();
      process.stdout.write(`${describeAllocations(head, 25)}\n`);
    }

    if (args.includes("--memory")) {
      // In a process of its own, as the app meets a cold review after a restart (bench/memory-case.ts).
      const { memory: peak, overRuns: runs } = await measureMemoryApart(
        pair.operator.apiUrl,
        { key: patch.key, entries: size },
        [{ key: patch.key, entries: size }],
        20,
      );
      const mib = (bytes = 0) => (bytes / MIB).toFixed(0);
      log(
        `peak of a cold review in a process of its own: RSS ${mib(peak.rss)} MiB (before it ${mib(peak.baseRss)} MiB), heap used ${mib(peak.heapUsed)} MiB of ${mib(peak.heapTotal)} MiB, external ${mib(peak.external)} MiB (array buffers ${mib(peak.arrayBuffers)} MiB)`,
      );
      log(
        `RSS after each of 20 reviews: ${runs.rssAfterEach.map((b) => (b / MIB).toFixed(0)).join(" ")} MiB`,
      );
    }

    if (args.includes("--webhooks")) {
      // Unmeasured first: the first burst in a process pays Probot's, nock's and the HTTP stack's cold start
      // (seconds of p99 at any commit), which a running app paid long ago; the bench runs other bursts first.
      const front = args.includes("--front=main") ? "main thread" : "thread";
      await runWebhookBurst(200, 3, { sender: "another process", front });
      // GitHub is another machine: the sender runs in a process of its own. The old measure, the sender in
      // this process (its timers and fetch waiting for this event loop and nock's interceptors), runs in turn
      // with it, `--repeat` times each, for comparison.
      const repeat = Number(args.find((a) => a.startsWith("--repeat="))?.slice("--repeat=".length) ?? 1);
      const order: ("another process" | "same process")[] = [];
      // `--apart-only`: the target's measure alone (for A/B runs of two builds, which need many processes).
      const apartOnly = args.includes("--apart-only");
      for (let r = 0; r < repeat; r++)
        order.push("another process", ...(apartOnly ? [] : (["same process"] as const)));
      for (const sender of order) await burstDuringColdReview(sender, cold, front);
    }
  } finally {
    await pair.stop();
  }
}

const PROBE = new URL("./measure/ack-thread-probe.cjs", import.meta.url).pathname;
const probed = () => process.execArgv.some((arg) => arg.includes("ack-thread-probe"));

/** A worker thread runs its process's `--require` modules: the same command, with the probe preloaded. */
function restartWithProbe(): void {
  const { status } = spawnSync(
    process.execPath,
    [...process.execArgv, "--require", PROBE, ...process.argv.slice(1)],
    { stdio: "inherit" },
  );
  process.exitCode = status ?? 1;
}

/** The 200/s burst during one cold review, with where its acknowledgements waited. */
async function burstDuringColdReview(
  sender: "another process" | "same process",
  cold: () => Promise<unknown>,
  front: "thread" | "main thread",
): Promise<void> {
  const { result: probedRun, summarise: gcOf } = await gcEventsDuring(() =>
    ackThreadPhasesDuring((probe) =>
      ackPhasesDuring((onSend) =>
        ackPathDuring(() =>
          eventLoopDelayOf(() =>
            runWebhookBurst(200, 5, {
              alongside: { label: "a cold review", task: cold },
              onSend,
              sender,
              front,
              ...(probed() && sender === "another process" ? { probe } : {}),
            }),
          ),
        ),
      ),
    ),
  );
  const { result: phased, phases: threadPhases } = probedRun;
  const { result: measured, phases } = phased;
  const { result: during, path } = measured;
  const burst = during.result;
  log(
    `webhooks at 200/s during a cold review, answered on the ${front}, sent from ${sender}: p50 ${burst.p50Ms.toFixed(1)} ms, p99 ${burst.p99Ms.toFixed(1)} ms, max ${burst.maxMs.toFixed(1)} ms, ${burst.non2xx} not 2xx; ${burst.processedOnce} done once, ${burst.droppedByLimit} dropped by the limit, ${burst.doneTwice} twice, ${burst.lost} lost; event-loop delay p99 ${during.p99Ms.toFixed(1)} ms, max ${during.maxMs.toFixed(1)} ms, ${during.stalls.length} stalls ≥ 20 ms; garbage collection: ${describeGc(gcOf(during.stalls))}`,
  );
  log(`where the acknowledgements waited: ${describeAckPath(path)}`);
  const hrtimeToNow = Number(process.hrtime.bigint()) / 1e6 - performance.now();
  const stallWindows = during.stalls.map((s) => ({
    label: `stall ${((s.endUs - s.startUs) / 1000).toFixed(0)} ms`,
    start: s.startUs / 1000 - hrtimeToNow,
    end: s.endUs / 1000 - hrtimeToNow,
  }));
  process.stdout.write(`${describeAckPhases(phases, 0.02, stallWindows)}\n`);
  if (probed() && sender === "another process" && front === "thread")
    process.stdout.write(`${describeAckThreadPhases(threadPhases)}\n`);
}

main().catch((error: unknown) => {
  const cause = (error as { cause?: unknown }).cause;
  process.stderr.write(
    `[cold-under-load] failed: ${(error as Error).stack ?? String(error)}${cause ? `\ncaused by: ${String(cause)}` : ""}\n`,
  );
  process.exit(1);
});
