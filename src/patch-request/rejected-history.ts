import type { FoldStep, LoadedEntry } from "../nomad/modules/types.js";
import type { Problem, RejectedHistory, RejectedHistoryEntry } from "./change-model.js";
import { ruleFindings } from "./csharp-compatibility.js";

/** History entries kept in the change model, and named one by one in the warnings. */
const MAX_KEPT = 10;
const MAX_NAMED = 3;

/**
 * Entries already in the target's history that every C# device throws on (docs/format.md "What the C#
 * replay rejects"): those whose replay fails here too (`skipped`: the fold leaves them out so the target
 * can still be read), and those the fold here applies but a C# guard refuses (a create without
 * `overwrite`, a FileUpdateEvent to the empty-file CID). Storage entries not of their node's kind count
 * as failing, as in `failingEntryRefusals`. The objects entries name are not looked up here.
 */
export function rejectedHistory(
  module: string,
  entries: readonly LoadedEntry[],
  steps: readonly FoldStep[],
): RejectedHistory {
  const failed = new Map<LoadedEntry, string>();
  for (const step of steps) {
    const fails = step.effect === "invalid" || (module === "storage" && step.effect === "unknown");
    if (fails && !failed.has(step.entry)) failed.set(step.entry, step.reason ?? "its replay fails");
  }
  const kept: RejectedHistoryEntry[] = [];
  let count = 0;
  for (const entry of entries) {
    const skippedBecause = failed.get(entry);
    const reason = skippedBecause ?? ruleFindings(entry, { module })[0]?.why;
    if (reason === undefined) continue;
    count += 1;
    if (kept.length >= MAX_KEPT) continue;
    kept.push({
      cid: entry.cid.toString(),
      targetId: entry.entry.targetId,
      eventId: entry.entry.eventId,
      reason,
      skipped: skippedBecause !== undefined,
    });
  }
  return { count, entries: kept };
}

/** The warnings that name them: the count, then the first few with their CIDs and why. */
export function rejectedHistoryWarnings(history: RejectedHistory | undefined): Problem[] {
  if (!history || history.count === 0) return [];
  const n = history.count;
  const code = "history-csharp-rejects";
  const lead = {
    code,
    message: `${n} ${n === 1 ? "entry" : "entries"} in the target's history make every C# device fail to load it; the fold here skips those it cannot replay either${n > MAX_NAMED ? `. The first ${MAX_NAMED}:` : ":"}`,
  };
  const named = history.entries.slice(0, MAX_NAMED).map((entry) => ({
    code,
    message: `History entry ${entry.cid} (${entry.eventId}), ${entry.skipped ? "skipped here" : "applied here"}: ${entry.reason}`,
  }));
  return [lead, ...named];
}
