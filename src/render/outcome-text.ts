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
    `Target:        ${safe(outcome.targetId)}`,
    `Roaming value: ${safe(outcome.roamingCid)}${prediction}`,
    `Local stream:  ${safe(outcome.localStreamCid)} (key ${safe(outcome.localKey)})`,
    `Applied at:    ${safe(outcome.appliedAt)}`,
    `Entries (${outcome.entryCids.length}):`,
    ...outcome.entryCids.map((cid, i) => `  ${String(i).padStart(3)}  ${safe(cid)}`),
  ];
  return `${lines.join("\n")}\n`;
}
