/**
 * The integration files measured slowest (`test/slowest-files.json`), and the check that keeps that list
 * true: a file it names must exist, and when the local Vitest cache holds a whole run's timings, a file
 * measured clearly slow must be on it (and one measured clearly fast must not). Pure but for `readSlowestFiles`.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

export interface SlowestFiles {
  /** How the durations were measured (which runs, which machine). */
  readonly measured: string;
  /** Files at or over this many seconds are listed. */
  readonly thresholdSeconds: number;
  /** The integration files' durations summed, in the same runs: scales a later run's durations to these. */
  readonly totalSeconds: number;
  /** Slowest first: [file relative to the repository, mean seconds]. */
  readonly files: readonly (readonly [string, number])[];
}

export const SLOWEST_FILES_JSON = new URL("../slowest-files.json", import.meta.url);

const ROOT = join(import.meta.dirname, "../..");
const CACHE_DIR = join(ROOT, "node_modules/.vite/vitest");

/** Every integration test file, relative to the repository, as Vitest names them. */
export function integrationFiles(): Set<string> {
  const files = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".test.ts")) files.add(relative(ROOT, path));
    }
  };
  walk(join(ROOT, "test/integration"));
  return files;
}

/** This clone's Vitest results caches, or the ones at `paths` (another clone's). */
export function resultCaches(paths?: readonly string[]): unknown[] {
  const found =
    paths ??
    (existsSync(CACHE_DIR)
      ? readdirSync(CACHE_DIR)
          .map((hash) => join(CACHE_DIR, hash, "results.json"))
          .filter((path) => existsSync(path))
      : []);
  return found.map((path) => JSON.parse(readFileSync(path, "utf8")));
}

export function readSlowestFiles(): SlowestFiles {
  return JSON.parse(readFileSync(SLOWEST_FILES_JSON, "utf8")) as SlowestFiles;
}

/**
 * Mean seconds per integration file over Vitest's results caches (`node_modules/.vite/vitest/<hash>/
 * results.json`: `{ version, results: [["<project>:<file>", { duration (ms), failed }], …] }`). A file run in
 * two projects counts once per project.
 */
export function integrationDurations(caches: readonly unknown[]): Map<string, number> {
  const sums = new Map<string, { total: number; count: number }>();
  for (const cache of caches) {
    const results = (cache as { results?: unknown }).results;
    if (!Array.isArray(results)) continue;
    for (const entry of results) {
      const [key, result] = entry as [unknown, { duration?: unknown } | undefined];
      if (typeof key !== "string" || typeof result?.duration !== "number") continue;
      const colon = key.indexOf(":");
      const project = key.slice(0, colon);
      const file = key.slice(colon + 1);
      if (!project.startsWith("integration") || !file.startsWith("test/integration/")) continue;
      const sum = sums.get(file) ?? { total: 0, count: 0 };
      sum.total += result.duration / 1000;
      sum.count += 1;
      sums.set(file, sum);
    }
  }
  return new Map([...sums].map(([file, { total, count }]) => [file, total / count]));
}

/** The list `durations` gives: files at or over the threshold, slowest first, seconds to one decimal. */
export function slowestFilesOf(
  durations: ReadonlyMap<string, number>,
  thresholdSeconds: number,
  measured: string,
): SlowestFiles {
  const round = (seconds: number) => Math.round(seconds * 10) / 10;
  return {
    measured,
    thresholdSeconds,
    totalSeconds: round([...durations.values()].reduce((sum, seconds) => sum + seconds, 0)),
    files: [...durations]
      .filter(([, seconds]) => seconds >= thresholdSeconds)
      .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
      .map(([file, seconds]) => [file, round(seconds)] as const),
  };
}

/**
 * What is wrong with `list`, one line each (none: it holds). `existing` is every integration test file;
 * `measured` the local cache's durations, used only when it times every existing file (a whole run: a
 * single file run alone says nothing of the order). Measured durations are scaled to the list's total, so
 * a busier machine does not make every file look slow, and only a file at twice the threshold (or under
 * half of it) counts, so that one near the line does not flip with the load.
 */
export function slowestFilesProblems(
  list: SlowestFiles,
  existing: ReadonlySet<string>,
  measured: ReadonlyMap<string, number> = new Map(),
): string[] {
  const problems: string[] = [];
  const listed = new Set(list.files.map(([file]) => file));
  for (const file of listed) if (!existing.has(file)) problems.push(`${file} is listed but no longer exists`);
  const whole = existing.size > 0 && [...existing].every((file) => measured.has(file));
  if (!whole) return problems;
  const total = [...existing].reduce((sum, file) => sum + (measured.get(file) ?? 0), 0);
  const scale = total > 0 ? list.totalSeconds / total : 1;
  for (const file of existing) {
    const seconds = (measured.get(file) ?? 0) * scale;
    if (!listed.has(file) && seconds >= 2 * list.thresholdSeconds)
      problems.push(`${file} took ${seconds.toFixed(1)} s (scaled) but is not listed`);
    if (listed.has(file) && seconds < list.thresholdSeconds / 2)
      problems.push(`${file} is listed but took ${seconds.toFixed(1)} s (scaled)`);
  }
  return problems;
}
