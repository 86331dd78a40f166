import type { ApplyCaseResult } from "../cases/apply-cases.js";
import { RAW_CONCURRENCY, type ReviewCaseResult } from "../cases/review-cases.js";
import type { StorageCaseResult } from "../cases/storage-case.js";
import type { WebhookBurstResult } from "../cases/webhook-burst.js";
import type { MemoryOverRuns, PeakMemory } from "../measure/memory.js";
import { reviewTable } from "./review-table.js";
import { formatTable, mib, ms, ratio } from "./table.js";
import type { TargetCheck } from "./targets.js";
import { webhookTable } from "./webhook-table.js";

/** Everything one `npm run bench` measured: what `bench/results/latest.json` holds. */
export interface BenchResult {
  readonly at: string;
  readonly node: string;
  readonly cpus: number;
  readonly setupMs: Record<string, number>;
  readonly review: readonly ReviewCaseResult[];
  readonly storage?: StorageCaseResult;
  readonly apply: readonly ApplyCaseResult[];
  readonly webhooks: readonly WebhookBurstResult[];
  readonly memory: PeakMemory;
  readonly memoryOverRuns: MemoryOverRuns;
  readonly targets: readonly TargetCheck[];
}

/** The tables and the target verdicts, as printed at the end of a run (and by `bench/reprint`). */
export function printReport(result: BenchResult): string {
  const largest = result.review.find(
    (r) => r.kind !== "storage" && r.historyEntries === 10_000 && r.patchEntries === 1_000,
  );
  const { storage } = result;
  const { memory } = result;
  return [
    `${result.at}, Node ${result.node}, ${result.cpus} CPUs`,
    "",
    "Review + render (median of 3 runs; sequential and raw once for the 10,000-entry history)",
    reviewTable(result.review),
    "",
    "first: the first review on the operator's node (patch blocks over bitswap); cold: fresh block cache",
    "(each crawled DAG prefetched with one dag/export, the blocks kept on disk too); restart: the first review",
    "after a restart (new memory cache, the disk cache of the cold review); warm: block cache warm;",
    "sequential: the same names and blocks, one request at a time;",
    `raw: the same, ${RAW_CONCURRENCY} requests in flight, no decoding (the lower bound of one request per block);`,
    "car: the same DAGs read whole, one dag/export request per root (the bound of another strategy).",
    "Ratios are baseline ÷ nomad-patch: above 1× nomad-patch is faster, below 1× slower.",
    "",
    ...(storage
      ? [
          `Storage, the contributor's side (${storage.files} files, ${storage.historyEntries} entries of history; ${storage.changedFiles} files changed, added or removed; median of 3, fresh block cache)`,
          formatTable(
            ["first export ms", "export ms", "propose ms", "car ms", "export/car", "propose/car"],
            [
              [
                ms(storage.firstExportMs),
                ms(storage.exportMs),
                ms(storage.proposeMs),
                ms(storage.carMs),
                ratio(storage.exportMs / storage.carMs),
                ratio(storage.proposeMs / storage.carMs),
              ],
            ],
          ),
          "",
        ]
      : []),
    "Apply engine (target with 100 entries of history; the apply re-reviews, writes, publishes, pins)",
    formatTable(
      ["patch entries", "approval review ms", "apply ms"],
      result.apply.map((a) => [String(a.patchEntries), ms(a.reviewMs), ms(a.applyMs)]),
    ),
    "",
    "Webhooks: signed deliveries through Probot's HTTP server, open loop; a tenth delivered twice",
    webhookTable(result.webhooks),
    "",
    `Peak memory, ${largest?.historyEntries} × ${largest?.patchEntries} cold: rss ${mib(memory.rss)}, ` +
      `heap ${mib(memory.heapUsed)} (+${mib(memory.heapGrowth)} over the collected baseline` +
      `${memory.gcExposed ? "" : "; run with --expose-gc for a clean baseline"})`,
    `Memory over ${result.memoryOverRuns.runs} reviews of every patch in turn, one cache (RSS after a collection, MiB): ` +
      result.memoryOverRuns.rssAfterEach.map((b) => (b / 1024 / 1024).toFixed(0)).join(" "),
    "",
    "Targets",
    ...result.targets.map((t) => `${t.met ? "MET   " : "MISSED"} ${t.name}: ${t.detail}`),
  ].join("\n");
}
