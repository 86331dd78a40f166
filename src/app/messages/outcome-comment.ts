import type { ApplyOutcome } from "../../patch-request/apply-outcome.js";
import { codeSpan } from "../../render/escape.js";
import { statusComment } from "./status-comment.js";

/** The outcome of an apply: what was written, where, and what the target now resolves to. */
export function outcomeComment(outcome: ApplyOutcome, approvedBy: string): string {
  const entries = outcome.entryCids.map((cid, i) => `${i + 1}. ${codeSpan(cid)}`);
  const again = outcome.status === "already-applied";
  const headline = again
    ? `**✅ Already applied** at ${outcome.appliedAt}; this approval (by ${approvedBy}) wrote nothing again.`
    : `**✅ Applied** (approved by ${approvedBy}) at ${outcome.appliedAt}.`;
  return statusComment(outcome.status, { key: outcome.patchKey, cid: outcome.patchCid }, [
    headline,
    "",
    `- **Target:** ${codeSpan(outcome.targetId)}`,
    `- **New roaming value:** ${codeSpan(outcome.roamingCid)}`,
    `- **Patch CID applied:** ${codeSpan(outcome.patchCid)}`,
    `- **Written by device:** ${codeSpan(outcome.localKey)} (stream ${codeSpan(outcome.localStreamCid)})`,
    "",
    `**Entries written** (${outcome.entryCids.length}):`,
    "",
    ...entries,
  ]);
}
