import type { ApplyCaseResult } from "../cases/apply-cases.js";
import type { ReviewCaseResult } from "../cases/review-cases.js";
import type { StorageCaseResult } from "../cases/storage-case.js";
import type { WebhookBurstResult } from "../cases/webhook-burst.js";
import type { MemoryOverRuns, PeakMemory } from "../measure/memory.js";
import { rowLabel } from "./review-table.js";

export interface TargetCheck {
  readonly name: string;
  readonly met: boolean;
  readonly detail: string;
}

export interface TargetInputs {
  readonly review: readonly ReviewCaseResult[];
  /** Absent in results written before the bench had a Storage case. */
  readonly storage?: StorageCaseResult;
  readonly webhooks: readonly WebhookBurstResult[];
  readonly apply: readonly ApplyCaseResult[];
  readonly memory: PeakMemory;
  readonly memoryOverRuns: MemoryOverRuns;
}

const MIB = 1024 * 1024;
/** "Flat": what 15 more reviews may add once the cache has seen every target. */
const FLAT_GROWTH_MIB = 32;

/**
 * The targets of issue 12 (each a ratio or a bound measured in this same run), then the standing ones:
 * webhooks at 50 deliveries per second, each delivery processed exactly once, the largest warm case.
 */
export function checkTargets(inputs: TargetInputs): TargetCheck[] {
  const { review, storage, webhooks, apply, memory, memoryOverRuns } = inputs;
  const checks: TargetCheck[] = [];
  const largest = review.find(
    (r) => r.kind !== "storage" && r.historyEntries === 10_000 && r.patchEntries === 1_000,
  );
  if (review.length > 0) {
    const worst = review.reduce((w, r) => (r.coldMs / r.carMs > w.coldMs / w.carMs ? r : w));
    checks.push({
      name: "1. cold review within 1.5× of the car baseline, every row",
      met: review.every((r) => r.coldMs <= 1.5 * r.carMs),
      detail: `worst ${(worst.coldMs / worst.carMs).toFixed(2)}× (${rowLabel(worst)}: cold ${worst.coldMs.toFixed(0)} ms, car ${worst.carMs.toFixed(0)} ms)`,
    });
  }
  if (largest) {
    checks.push(
      {
        name: "2. first review after a restart within 2× of a warm review (largest case)",
        met: largest.restartMs <= 2 * largest.warmMs,
        detail: `${(largest.restartMs / largest.warmMs).toFixed(2)}× (restart ${largest.restartMs.toFixed(0)} ms, warm ${largest.warmMs.toFixed(0)} ms)`,
      },
      {
        name: "3. warm review of the largest case at most 300 ms",
        met: largest.warmMs <= 300,
        detail: `${largest.warmMs.toFixed(0)} ms`,
      },
    );
  }
  const apply1000 = apply.find((a) => a.patchEntries === 1_000);
  if (apply1000) {
    checks.push({
      name: "4. apply of 1,000 entries within 2 s",
      met: apply1000.applyMs <= 2_000,
      detail: `${apply1000.applyMs.toFixed(0)} ms`,
    });
  }
  const growth = memoryOverRuns.lastRss - memoryOverRuns.settledRss;
  checks.push({
    name: `5. peak RSS of the largest cold case at most 300 MiB, flat over ${memoryOverRuns.runs} reviews`,
    met: memory.rss <= 300 * MIB && growth <= FLAT_GROWTH_MIB * MIB,
    detail: `peak ${(memory.rss / MIB).toFixed(0)} MiB; RSS after review ${memoryOverRuns.settledAfter} ${(memoryOverRuns.settledRss / MIB).toFixed(0)} MiB, after review ${memoryOverRuns.runs} ${(memoryOverRuns.lastRss / MIB).toFixed(0)} MiB (growth allowed ${FLAT_GROWTH_MIB} MiB)`,
  });
  // Judged on the burst sent from another process, as GitHub sends it; results saved before it existed
  // have only the in-process one. The in-process figure is shown beside it.
  const duringAll = webhooks.filter((w) => w.alongside !== undefined);
  const during = duringAll.find((w) => w.sender === "another process") ?? duringAll[0];
  const inProcess = duringAll.find((w) => w !== during && w.sender === "same process");
  if (during) {
    checks.push({
      name: `6. webhook ack p99 under 100 ms at ${during.rate}/s while ${during.alongside}`,
      met: during.p99Ms < 100 && during.non2xx === 0,
      detail: `p99 ${during.p99Ms.toFixed(1)} ms, max ${during.maxMs.toFixed(1)} ms, ${during.non2xx} not 2xx${during.sender === "another process" ? ", sent from another process" : ""}${inProcess ? `; sent from the same process: p99 ${inProcess.p99Ms.toFixed(1)} ms, max ${inProcess.maxMs.toFixed(1)} ms` : ""}`,
    });
  }
  const seven =
    "7. propose --from-folder of 1,000 files vs 10,000 entries, and export, each within 2× of car";
  checks.push(
    storage
      ? {
          name: seven,
          met: storage.proposeMs <= 2 * storage.carMs && storage.exportMs <= 2 * storage.carMs,
          detail: `propose ${(storage.proposeMs / storage.carMs).toFixed(2)}× (${storage.proposeMs.toFixed(0)} ms), export ${(storage.exportMs / storage.carMs).toFixed(2)}× (${storage.exportMs.toFixed(0)} ms), car ${storage.carMs.toFixed(0)} ms (${storage.files} files, ${storage.historyEntries} entries)`,
        }
      : { name: seven, met: false, detail: "not measured: this run had no Storage case" },
  );

  // The 50/s burst comes from several maintainers, each under the flood limit, so every delivery must be
  // done once; a burst from one sender past the limit is the flood, judged on what it loses.
  const at50 = webhooks.find((w) => w.rate === 50 && w.alongside === undefined);
  if (at50) {
    const senders = at50.senders ?? 1;
    checks.push(
      {
        name: "every webhook acknowledged within 100 ms at p99, 50 deliveries/s",
        met: at50.p99Ms <= 100 && at50.non2xx === 0,
        detail: `p99 ${at50.p99Ms.toFixed(1)} ms, max ${at50.maxMs.toFixed(1)} ms, ${at50.non2xx} not 2xx`,
      },
      {
        name: `every delivery processed exactly once at 50/s from ${senders} sender${senders === 1 ? "" : "s"} (redeliveries included)`,
        met: at50.processedOnce === at50.deliveries,
        detail: `${at50.processedOnce}/${at50.deliveries}, ${at50.droppedByLimit ?? 0} dropped by the limit`,
      },
    );
  }
  const flood = webhooks.find((w) => w.alongside === undefined && (w.senders ?? 1) === 1 && w !== at50);
  if (flood) {
    const accounted = (w: WebhookBurstResult) =>
      w.lost === 0 && w.doneTwice === 0 && w.processedOnce + (w.droppedByLimit ?? 0) === w.deliveries;
    checks.push({
      name: `one sender flooding at ${flood.rate}/s loses only what the flood limit drops; nothing accepted is lost or done twice, in any burst`,
      met: webhooks.every(accounted),
      detail: webhooks
        .map(
          (w) =>
            `${w.rate}/s${w.alongside ? " + cold review" : ""} from ${w.senders ?? 1}: ${w.processedOnce} once, ${w.droppedByLimit} dropped by the limit, ${w.lost} lost, ${w.doneTwice} twice`,
        )
        .join("; "),
    });
  }
  if (largest) {
    const speedup = largest.sequentialMs / largest.warmMs;
    checks.push({
      name: "1,000-entry patch vs 10,000 history, warm, at least 5× faster than the sequential baseline",
      met: speedup >= 5,
      detail: `${speedup.toFixed(1)}× (sequential ${largest.sequentialMs.toFixed(0)} ms)`,
    });
  }
  return checks;
}
