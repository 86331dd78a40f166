import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { KuboStore } from "../src/ipfs/kubo-store.js";
import { withBlockCache } from "../src/service/caching-store.js";
import { reviewAndRender } from "./cases/review-case.js";
import { type MemoryOverRuns, memoryOverRuns, type PeakMemory, peakMemoryOf } from "./measure/memory.js";

export interface ReviewedKey {
  readonly key: string;
  readonly entries: number;
}

export interface MemoryCaseResult {
  /** The peak of one cold review of `largest`, the first thing the process does. */
  readonly memory: PeakMemory;
  /** The resident set after each of `runs` reviews of every key in turn over one cache. */
  readonly overRuns: MemoryOverRuns;
}

/**
 * Targets 5 in a process of its own, as the app meets a cold review after it starts: what the process
 * holds is what the reviews made it hold, not what the benchmark's set-up and other cases left mapped (V8
 * keeps the pages of a heap it has shrunk, so a peak measured after them is their high-water mark). The
 * Kubo node stays the parent's. The child prints its result as JSON.
 */
export async function measureMemoryApart(
  apiUrl: string,
  largest: ReviewedKey,
  keys: readonly ReviewedKey[],
  runs: number,
): Promise<MemoryCaseResult> {
  const script = fileURLToPath(import.meta.url);
  const args = [largest, ...keys].map((k) => `${k.key}:${k.entries}`);
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ["--expose-gc", script, apiUrl, String(runs), ...args],
    { maxBuffer: 1024 * 1024, env: process.env },
  );
  return JSON.parse(stdout) as MemoryCaseResult;
}

async function child(argv: readonly string[]): Promise<void> {
  const [apiUrl = "", runs = "20", ...pairs] = argv;
  const parsed = pairs.map((pair) => {
    const at = pair.lastIndexOf(":");
    return { key: pair.slice(0, at), entries: Number(pair.slice(at + 1)) };
  });
  const [largest, ...keys] = parsed;
  if (!largest || keys.length === 0) throw new Error("memory-case: no keys given");
  const store = new KuboStore({ apiUrl });
  const memory = await peakMemoryOf(() =>
    reviewAndRender(withBlockCache(store, { maxBlocks: 100_000 }), largest.key, largest.entries),
  );
  // A long-running bot: one cache (bounded as the app's, in bytes) over reviews of every patch in turn.
  const shared = withBlockCache(store, { maxBlocks: 100_000 });
  const overRuns = await memoryOverRuns(Number(runs), keys.length, (i) => {
    const patch = keys[i % keys.length]!;
    return reviewAndRender(shared, patch.key, patch.entries);
  });
  process.stdout.write(JSON.stringify({ memory, overRuns } satisfies MemoryCaseResult));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  child(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`[memory-case] failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
}
