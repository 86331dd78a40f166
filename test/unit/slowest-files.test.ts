import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import {
  integrationDurations,
  readSlowestFiles,
  SLOWEST_FILES_JSON,
  type SlowestFiles,
  slowestFilesOf,
  slowestFilesProblems,
} from "../helpers/slowest-files.js";

const root = join(import.meta.dirname, "../..");
const CACHE_DIR = join(root, "node_modules/.vite/vitest");

/** Every integration test file, relative to the repository, as Vitest names them. */
function integrationFiles(): Set<string> {
  const files = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".test.ts")) files.add(relative(root, path));
    }
  };
  walk(join(root, "test/integration"));
  return files;
}

/** This clone's Vitest results caches, or the ones named in RECORD_SLOWEST_FILES (a `:`-separated list). */
function resultCaches(paths?: readonly string[]): unknown[] {
  const found =
    paths ??
    (existsSync(CACHE_DIR)
      ? readdirSync(CACHE_DIR)
          .map((hash) => join(CACHE_DIR, hash, "results.json"))
          .filter((path) => existsSync(path))
      : []);
  return found.map((path) => JSON.parse(readFileSync(path, "utf8")));
}

const cache = (entries: Record<string, number>) => ({
  version: "4.1.12",
  results: Object.entries(entries).map(([key, ms]) => [key, { duration: ms, failed: false }]),
});

describe("the slowest integration files (test/slowest-files.json), which a fresh clone runs first", () => {
  const record = process.env.RECORD_SLOWEST_FILES;
  // `npm run test:record-slowest` after a whole run rewrites the list from the timings instead of checking it.
  it.runIf(record !== undefined)("are recorded from a whole run's timings", () => {
    const named = record ? record.split(":") : undefined;
    const durations = integrationDurations(resultCaches(named));
    // This clone's cache must time every file; caches named from another clone may predate a new (fast) file.
    const missing = [...integrationFiles()].filter((file) => !durations.has(file));
    if (named === undefined)
      expect(missing, "run the whole suite first (`npx vitest run`): these files have no timing").toEqual([]);
    else expect(missing.length).toBeLessThan(integrationFiles().size / 10);
    const list = slowestFilesOf(
      durations,
      readSlowestFiles().thresholdSeconds,
      `mean of ${named ? named.length : "this clone's"} Vitest results cache(s), ${new Date().toISOString().slice(0, 10)}`,
    );
    writeFileSync(SLOWEST_FILES_JSON, `${JSON.stringify(list, null, 2)}\n`);
  });

  it.skipIf(record !== undefined)(
    "hold: each listed file exists, and a whole run measured here agrees",
    () => {
      const list = readSlowestFiles();
      expect(list.files.length).toBeGreaterThan(0);
      const seconds = list.files.map(([, s]) => s);
      expect(seconds).toEqual([...seconds].sort((a, b) => b - a));
      const problems = slowestFilesProblems(list, integrationFiles(), integrationDurations(resultCaches()));
      expect(
        problems,
        "test/slowest-files.json is stale: after a whole run of the suite, `npm run test:record-slowest`",
      ).toEqual([]);
    },
  );
});

describe("the check of the slowest files' list", () => {
  const list: SlowestFiles = {
    measured: "a test",
    thresholdSeconds: 10,
    totalSeconds: 60,
    files: [
      ["test/integration/a.test.ts", 30],
      ["test/integration/b.test.ts", 20],
    ],
  };
  const existing = new Set([
    "test/integration/a.test.ts",
    "test/integration/b.test.ts",
    "test/integration/c.test.ts",
  ]);

  it("refuses a listed file that no longer exists, whatever was measured", () => {
    const gone = new Set(["test/integration/b.test.ts", "test/integration/c.test.ts"]);
    expect(slowestFilesProblems(list, gone)).toEqual([
      "test/integration/a.test.ts is listed but no longer exists",
    ]);
  });

  it("refuses an unlisted file a whole run measured at twice the threshold, scaled to the list's total", () => {
    // The machine ran twice as slow: c's 50 s is 25 s at the list's pace, over 2 × 10 s.
    const measured = new Map([
      ["test/integration/a.test.ts", 40],
      ["test/integration/b.test.ts", 30],
      ["test/integration/c.test.ts", 50],
    ]);
    expect(slowestFilesProblems(list, existing, measured)).toEqual([
      "test/integration/c.test.ts took 25.0 s (scaled) but is not listed",
    ]);
  });

  it("refuses a listed file a whole run measured under half the threshold", () => {
    const measured = new Map([
      ["test/integration/a.test.ts", 50],
      ["test/integration/b.test.ts", 4],
      ["test/integration/c.test.ts", 6],
    ]);
    expect(slowestFilesProblems(list, existing, measured)).toEqual([
      "test/integration/b.test.ts is listed but took 4.0 s (scaled)",
    ]);
  });

  it("lets a file near the threshold be on either side, and ignores a partial run", () => {
    const near = new Map([
      ["test/integration/a.test.ts", 30],
      ["test/integration/b.test.ts", 12],
      ["test/integration/c.test.ts", 18],
    ]);
    expect(slowestFilesProblems(list, existing, near)).toEqual([]);
    // One file run alone (a developer's `npx vitest run <file>`) says nothing of the others.
    expect(slowestFilesProblems(list, existing, new Map([["test/integration/c.test.ts", 500]]))).toEqual([]);
  });

  it("is recorded from Vitest's caches: each file's mean over runs and projects, slowest first", () => {
    const durations = integrationDurations([
      cache({ "integration:test/integration/a.test.ts": 30_000, "unit:test/unit/x.test.ts": 90_000 }),
      cache({
        "integration:test/integration/a.test.ts": 40_000,
        "integration-isolated:test/integration/b.test.ts": 12_000,
        "integration:test/integration/c.test.ts": 3_000,
      }),
      { version: "4.1.12", results: "not a list" },
    ]);
    expect(Object.fromEntries(durations)).toEqual({
      "test/integration/a.test.ts": 35,
      "test/integration/b.test.ts": 12,
      "test/integration/c.test.ts": 3,
    });
    expect(slowestFilesOf(durations, 10, "two runs")).toEqual({
      measured: "two runs",
      thresholdSeconds: 10,
      totalSeconds: 50,
      files: [
        ["test/integration/a.test.ts", 35],
        ["test/integration/b.test.ts", 12],
      ],
    });
  });
});
