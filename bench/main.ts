import { mkdir, writeFile } from "node:fs/promises";
import { cpus } from "node:os";
import { join } from "node:path";
import { withBlockCache } from "../src/service/caching-store.js";
import { startKuboPair } from "../test/helpers/kubo.js";
import { type ApplyCaseResult, runApplyCase } from "./cases/apply-cases.js";
import { reviewAndRender } from "./cases/review-case.js";
import { type ReviewCaseResult, runReviewCase } from "./cases/review-cases.js";
import { runStorage } from "./cases/storage-case.js";
import { runWebhookBurst, type WebhookBurstResult } from "./cases/webhook-burst.js";
import { timed } from "./measure/timing.js";
import { measureMemoryApart } from "./memory-case.js";
import { type BenchResult, printReport } from "./report/print-report.js";
import { checkTargets } from "./report/targets.js";
import { useInstalledKubo } from "./setup/installed-kubo.js";
import { writeProjectHistory } from "./setup/write-history.js";
import { writePatch } from "./setup/write-patch.js";

const HISTORIES = [1_000, 10_000] as const;
const PATCHES = [10, 100, 1_000] as const;
const APPLIES = [1, 100, 1_000] as const;

/**
 * Deliveries per second, for how long, from how many maintainers: the target rate from ten people (5/s
 * each, so no one reaches the flood limit of 100 waiting), and four times it from one person, a flood the
 * limit cuts off.
 */
const WEBHOOK_BURSTS = [
  [50, 10, 10],
  [200, 5, 1],
] as const;

/** Reviews in a row over one cache, for the memory of a long-running bot. */
const FLAT_RUNS = 20;

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

/**
 * `npm run bench`: two real Kubo nodes on loopback (operator and contributor); targets with 1,000
 * and 10,000 entries of history on the operator, patches of 10, 100 and 1,000 entries on the
 * contributor; every measurement beside its baselines, printed as tables and kept as JSON.
 */
async function main(): Promise<void> {
  // Compiled into lib-bench/, the Kubo lookup would search lib-bench/.tools: point it at the project's own.
  useInstalledKubo();
  const pair = await startKuboPair();
  try {
    const { operator, contributor } = pair;
    const setup: Record<string, number> = {};
    const review: ReviewCaseResult[] = [];
    const written: { key: string; entries: number }[] = [];
    let lastKey = "";
    for (const history of HISTORIES) {
      const target = await timed(() =>
        writeProjectHistory(operator.store, { name: `bench-${history}`, entries: history }),
      );
      setup[`history ${history}`] = target.ms;
      log(`wrote ${history} history entries (${target.value.blocks} blocks) in ${target.ms.toFixed(0)} ms`);
      for (const size of PATCHES) {
        const patch = await timed(() =>
          writePatch(contributor.store, {
            name: `bench-${history}-${size}`,
            target: target.value.id,
            base: target.value.roamingCid,
            entries: size,
          }),
        );
        setup[`patch ${size} on ${history}`] = patch.ms;
        lastKey = patch.value.key;
        written.push({ key: patch.value.key, entries: size });
        review.push(await runReviewCase(operator.store, patch.value, { history, patch: size }, log));
      }
    }

    // The contributor's side of a Storage folder, then the operator's review of what was proposed.
    const storage = await runStorage(operator.store, contributor.store, setup, log);
    review.push(storage.review);

    // Target 5 in a process of its own (the operator's node stays this one's): the peak of a cold review of
    // the largest case, then one cache (bounded as the app's, in bytes) over reviews of every patch in turn.
    const largest = review.find(
      (r) => r.kind === "project" && r.historyEntries === 10_000 && r.patchEntries === 1_000,
    )!;
    const { memory, overRuns } = await measureMemoryApart(
      operator.apiUrl,
      { key: lastKey, entries: largest.patchEntries },
      written,
      FLAT_RUNS,
    );
    log(
      `memory of a cold review in a process of its own: peak RSS ${(memory.rss / 1024 / 1024).toFixed(0)} MiB; over ${FLAT_RUNS} reviews: ${overRuns.rssAfterEach.map((b) => (b / 1024 / 1024).toFixed(0)).join(" ")} MiB`,
    );

    const apply: ApplyCaseResult[] = [];
    for (const size of APPLIES) apply.push(await runApplyCase(operator.store, contributor.store, size, log));

    // Last, so the IPFS figures above are taken before nock and Probot are loaded.
    const webhooks: WebhookBurstResult[] = [];
    for (const [rate, seconds, senders] of WEBHOOK_BURSTS) {
      webhooks.push(await runWebhookBurst(rate, seconds, { senders }));
      log(`webhooks at ${rate}/s: p99 ${webhooks.at(-1)?.p99Ms.toFixed(1)} ms`);
    }
    // The same burst while the largest case is reviewed cold in this process. GitHub is another machine, so
    // the burst judged by target 6 is sent from a process of its own; the same burst sent from this process
    // (its timers and fetch waiting for the review's event loop and nock's interceptors), the measure of
    // earlier runs, follows for comparison.
    const coldReview = {
      label: `a cold review of ${largest.historyEntries} × ${largest.patchEntries} runs`,
      task: () =>
        reviewAndRender(
          withBlockCache(operator.store, { maxBlocks: 100_000 }),
          lastKey,
          largest.patchEntries,
        ),
    };
    for (const sender of ["another process", "same process"] as const) {
      webhooks.push(await runWebhookBurst(200, 5, { alongside: coldReview, sender }));
      log(
        `webhooks at 200/s during a cold review, sent from ${sender}: p99 ${webhooks.at(-1)?.p99Ms.toFixed(1)} ms`,
      );
    }

    const result: BenchResult = {
      at: new Date().toISOString(),
      node: process.version,
      cpus: cpus().length,
      setupMs: setup,
      review,
      storage: storage.result,
      apply,
      webhooks,
      memory,
      memoryOverRuns: overRuns,
      targets: checkTargets({
        review,
        storage: storage.result,
        webhooks,
        apply,
        memory,
        memoryOverRuns: overRuns,
      }),
    };
    process.stdout.write(`${printReport(result)}\n`);
    const dir = join(process.cwd(), "bench", "results");
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "latest.json"), `${JSON.stringify(result, null, 2)}\n`);
    log(`results written to ${join(dir, "latest.json")}`);
  } finally {
    await pair.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`[bench] failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
