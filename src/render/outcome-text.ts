import type { ApplyOutcome } from "../patch-request/apply-outcome.js";
import type { PatchReview } from "../patch-request/change-model.js";
import { paint } from "./ansi.js";
import { safe } from "./text-header.js";
import type { TextOptions } from "./text-options.js";

/** What an apply did, for the terminal. */
export function renderOutcomeText(outcome: ApplyOutcome, options: TextOptions, review?: PatchReview): string {
  const p = paint(options.color);
  const headline =
    outcome.status === "applied" ? p.green(p.bold("Applied")) : p.green(p.bold("Already applied"));
  let prediction = "";
  if (review) {
    prediction =
      review.predictedResultCid === outcome.roamingCid
        ? p.green("  (the predicted result)")
        : p.yellow(`  (differs from the predicted ${safe(review.predictedResultCid ?? "none")})`);
  }
  const lines = [
    `${headline} patch ${safe(outcome.patchCid)} (key ${safe(outcome.patchKey)})`,
    ...outcomeLines(outcome, prediction),
  ];
  return `${lines.join("\n")}\n`;
}

/**
 * A version this node applied before, as `show` reports it: when, by whom and with what result first,
 * then the details of the apply. Not a review: the target already holds the entries.
 */
export function renderAppliedText(outcome: ApplyOutcome, peerId: string, options: TextOptions): string {
  const p = paint(options.color);
  const lines = [
    `${p.green(p.bold(`Applied at ${safe(outcome.appliedAt)}`))} by this node (peer ${safe(peerId)}) as device ${safe(outcome.localKey)}, result CID ${safe(outcome.roamingCid)}`,
    `Patch:         ${safe(outcome.patchCid)} (key ${safe(outcome.patchKey)})`,
    ...outcomeLines(outcome, ""),
    "",
    "This version is in the target: applying it again changes nothing. A new version published under the same key is reviewed as usual.",
  ];
  return `${lines.join("\n")}\n`;
}

function outcomeLines(outcome: ApplyOutcome, prediction: string): string[] {
  return [
    `Target:        ${safe(outcome.targetId)}`,
    `Roaming value: ${safe(outcome.roamingCid)}${prediction}`,
    `Local stream:  ${safe(outcome.localStreamCid)} (key ${safe(outcome.localKey)})`,
    `Applied at:    ${safe(outcome.appliedAt)}`,
    `Entries (${outcome.entryCids.length}):`,
    ...outcome.entryCids.map((cid, i) => `  ${String(i).padStart(3)}  ${safe(cid)}`),
  ];
}
