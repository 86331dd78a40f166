import { existsSync } from "node:fs";
import { join } from "node:path";
import { startKuboPair } from "../test/helpers/kubo.js";
import { runStorage } from "./cases/storage-case.js";
import { reviewTable } from "./report/review-table.js";
import { checkTargets } from "./report/targets.js";

/**
 * `node --expose-gc lib-bench/bench/storage.js`: the Storage case alone (export and propose on the
 * contributor's side, then the operator's review of the patch), with target 7 and the review row, for
 * working on the Storage path without the whole seven-minute run.
 */
async function main(): Promise<void> {
  const installed = join(process.cwd(), ".tools", "bin", "ipfs");
  if (!process.env.KUBO_BIN && existsSync(installed)) process.env.KUBO_BIN = installed;
  const pair = await startKuboPair();
  try {
    const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
    const { result, review } = await runStorage(pair.operator.store, pair.contributor.store, {}, log);
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
  } finally {
    await pair.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`[bench] failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
