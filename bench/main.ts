import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { cpus } from "node:os";
import { join } from "node:path";
import { withBlockCache } from "../src/service/caching-store.js";
import { startKuboPair } from "../test/helpers/kubo.js";
import { type ApplyCaseResult, runApplyCase } from "./cases/apply-cases.js";
import { reviewAndRender } from "./cases/review-case.js";
import { type ReviewCaseResult, runReviewCase } from "./cases/review-cases.js";
import { runWebhookBurst, type WebhookBurstResult } from "./cases/webhook-burst.js";
import { peakMemoryOf } from "./measure/memory.js";
import { timed } from "./measure/timing.js";
import { type BenchResult, printReport } from "./report/print-report.js";
import { checkTargets } from "./report/targets.js";
import { writeProjectHistory } from "./setup/write-history.js";
import { writePatch } from "./setup/write-patch.js";

const HISTORIES = [1_000, 10_000] as const;
const PATCHES = [10, 100, 1_000] as const;
const APPLIES = [1, 100, 1_000] as const;
/** Deliveries per second and for how long: the target rate, and four times it for headroom. */
const WEBHOOK_BURSTS = [
  [50, 10],
  [200, 5],
] as const;

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

/**
 * `npm run bench`: two real Kubo nodes on loopback (operator and contributor); targets with 1,000
 * and 10,000 entries of history on the operator, patches of 10, 100 and 1,000 entries on the
 * contributor; every measurement beside its baselines, printed as tables and kept as JSON.
 */
async function main(): Promise<void> {
  // Compiled into lib-bench/, the Kubo lookup would search lib-bench/.tools: point it at the project's own.
  const installed = join(process.cwd(), ".tools", "bin", "ipfs");
  if (!process.env.KUBO_BIN && existsSync(installed)) process.env.KUBO_BIN = installed;
  const pair = await startKuboPair();
  try {
    const { operator, contributor } = pair;
    const setup: Record<string, number> = {};
    const review: ReviewCaseResult[] = [];
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
        review.push(await runReviewCase(operator.store, patch.value, { history, patch: size }, log));
      }
    }

    // Peak memory of the largest case, cold (its blocks already in the operator's repository), after a collection.
    const largest = review.at(-1)!;
    const memory = await peakMemoryOf(() =>
      reviewAndRender(withBlockCache(operator.store, { maxBlocks: 100_000 }), lastKey, largest.patchEntries),
    );

    const apply: ApplyCaseResult[] = [];
    for (const size of APPLIES) apply.push(await runApplyCase(operator.store, contributor.store, size, log));

    // Last, so the IPFS figures above are taken before nock and Probot are loaded.
    const webhooks: WebhookBurstResult[] = [];
    for (const [rate, seconds] of WEBHOOK_BURSTS) {
      webhooks.push(await runWebhookBurst(rate, seconds));
      log(`webhooks at ${rate}/s: p99 ${webhooks.at(-1)?.p99Ms.toFixed(1)} ms`);
    }

    const result: BenchResult = {
      at: new Date().toISOString(),
      node: process.version,
      cpus: cpus().length,
      setupMs: setup,
      review,
      apply,
      webhooks,
      memory,
      targets: checkTargets(review, webhooks),
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
