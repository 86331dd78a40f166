import { startKuboPair } from "../test/helpers/kubo.js";
import { type ReviewCaseResult, runReviewCase } from "./cases/review-cases.js";
import { runStorage } from "./cases/storage-case.js";
import { reviewTable } from "./report/review-table.js";
import { useInstalledKubo } from "./setup/installed-kubo.js";
import { writeProjectHistory } from "./setup/write-history.js";
import { writePatch } from "./setup/write-patch.js";

/**
 * `node --expose-gc lib-bench/bench/reviews.js [cold runs] [--no-storage] [--baselines]`: the bench's review table alone,
 * its rows in the bench's order (the 1,000-entry history's three patches, the 10,000-entry history's, then
 * the Storage case), every row's cold review taken `cold runs` times (default 3) and each sample logged with
 * its CPU time, its collections and the heap it started from: whether a row's cold figure is its own cost
 * or the place it holds in the run (the first review of a larger history in the process). The sequential
 * and raw baselines are left out (their columns read 0) unless `--baselines` is given.
 */
async function main(): Promise<void> {
  useInstalledKubo();
  const coldRuns = Number(process.argv.slice(2).find((a) => !a.startsWith("--")) ?? 3);
  // The sequential and raw baselines take most of the table's time and are not what this studies.
  const withoutRequestBaselines = !process.argv.includes("--baselines");
  const log = (line: string) => process.stderr.write(`[reviews] ${line}\n`);
  const pair = await startKuboPair();
  try {
    const { operator, contributor } = pair;
    const rows: ReviewCaseResult[] = [];
    for (const history of [1_000, 10_000]) {
      const target = await writeProjectHistory(operator.store, {
        name: `bench-${history}`,
        entries: history,
      });
      for (const size of [10, 100, 1_000]) {
        const patch = await writePatch(contributor.store, {
          name: `bench-${history}-${size}`,
          target: target.id,
          base: target.roamingCid,
          entries: size,
        });
        rows.push(
          await runReviewCase(
            operator.store,
            patch,
            { history, patch: size, coldRuns, withoutRequestBaselines },
            log,
          ),
        );
      }
    }
    if (!process.argv.includes("--no-storage"))
      rows.push(
        (await runStorage(operator.store, contributor.store, {}, log, { coldRuns, withoutRequestBaselines }))
          .review,
      );
    process.stdout.write(`${reviewTable(rows)}\n`);
  } finally {
    await pair.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`[reviews] failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
