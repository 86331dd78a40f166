import { describe, expect, it } from "vitest";
import {
  integrationDurations,
  integrationFiles,
  readSlowestFiles,
  resultCaches,
  type SlowestFiles,
  slowestFilesOf,
  slowestFilesProblems,
} from "../helpers/slowest-files.js";

const cache = (entries: Record<string, number>) => ({
  version: "4.1.12",
  results: Object.entries(entries).map(([key, ms]) => [key, { duration: ms, failed: false }]),
});

describe("the slowest integration files (test/slowest-files.json), which a fresh clone runs first", () => {
  it("each listed file exists, slowest first", () => {
    const list = readSlowestFiles();
    expect(list.files.length).toBeGreaterThan(0);
    const seconds = list.files.map(([, s]) => s);
    expect(seconds).toEqual([...seconds].sort((a, b) => b - a));
    expect(slowestFilesProblems(list, integrationFiles()), "a listed file is gone").toEqual([]);
  });

  it("are compared with this clone's last whole run, and a drift is said, not failed", () => {
    // Durations depend on the machine's load: a test must not pass or fail on timings (docs/decisions.md,
    // "Test time"). A drifted list costs a fresh clone's first run some minutes, nothing else, so it is
    // reported here for whoever reads the run, with the command that rewrites it.
    const list = readSlowestFiles();
    const problems = slowestFilesProblems(list, integrationFiles(), integrationDurations(resultCaches()));
    for (const problem of problems) expect(problem).toMatch(/ took \d+\.\d s \(scaled\)/);
    if (problems.length > 0)
      console.warn(
        `test/slowest-files.json has drifted from the last whole run (\`npm run test:record-slowest\` rewrites it):\n  ${problems.join("\n  ")}`,
      );
  });
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
