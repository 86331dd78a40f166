import { writeFileSync } from "node:fs";
import { expect, it } from "vitest";
import {
  integrationDurations,
  integrationFiles,
  readSlowestFiles,
  resultCaches,
  SLOWEST_FILES_JSON,
  slowestFilesOf,
} from "../helpers/slowest-files.js";

/**
 * `npm run test:record-slowest`: rewrites test/slowest-files.json from the timings of a whole run. Not a test
 * of the suite (no project includes it; `vitest.record.config.ts` runs it alone), so the suite never carries
 * a skipped case for it. RECORD_SLOWEST_FILES may name other clones' results caches, `:`-separated.
 */
it("records the slowest integration files from a whole run's timings", () => {
  const record = process.env.RECORD_SLOWEST_FILES;
  const named = record ? record.split(":") : undefined;
  const durations = integrationDurations(resultCaches(named));
  // This clone's cache must time every file; caches named from another clone may predate a new (fast) file.
  const files = integrationFiles();
  const missing = [...files].filter((file) => !durations.has(file));
  if (named === undefined)
    expect(missing, "run the whole suite first (`npx vitest run`): these files have no timing").toEqual([]);
  else expect(missing.length).toBeLessThan(files.size / 10);
  const list = slowestFilesOf(
    durations,
    readSlowestFiles().thresholdSeconds,
    `mean of ${named ? named.length : "this clone's"} Vitest results cache(s), ${new Date().toISOString().slice(0, 10)}`,
  );
  writeFileSync(SLOWEST_FILES_JSON, `${JSON.stringify(list, null, 2)}\n`);
});
