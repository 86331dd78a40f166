import type { ApplyOutcome } from "../patch-request/apply-outcome.js";
import type { PatchReview } from "../patch-request/change-model.js";
import { codeSpan, details, escapeInline } from "./escape.js";
import { writeMarker } from "./marker.js";
import { count } from "./words.js";

/** Entry CIDs listed in full; beyond this the list is cut (the JSON output has them all). */
const MAX_ENTRY_CIDS = 300;

export interface OutcomeOptions {
  /** Who approved (a login, or e.g. the repository's rules): named, not mentioned, for the record. */
  readonly approvedBy?: string;
  /** Set when the approval overrode the rules' rejection: why it could. */
  readonly override?: { readonly by: "overridable-rules" | "admin"; readonly rules: readonly string[] };
  /** The predicted result the approval bound to, when the review itself is not at hand: checked like it. */
  readonly predictedResultCid?: string;
  /** An IPFS gateway to link the new version through (`NOMAD_PATCH_GATEWAY_URL`); absent: no link. */
  readonly gatewayUrl?: string;
  /** The target's display name when the review is not at hand (the review's own name wins). */
  readonly targetName?: string;
  /**
   * The issue was put on hold (this label) after the apply had published the bot's event stream: it was
   * finished all the same, and the outcome says why.
   */
  readonly heldTooLate?: {
    readonly heldLabel: string;
    /**
     * Put on while this apply ran (the label read once it was done), rather than found when a stopped apply
     * was resumed after its first publish.
     */
    readonly whileRunning?: boolean;
  };
  /**
   * A rejection of the version came after this apply had published the bot's event stream (the app stopped
   * there, and the rejection was read when it was resumed): it was finished all the same, and the outcome
   * says why.
   */
  readonly rejectedTooLate?: boolean;
}

/**
 * The comment after an apply. With the review that was approved, it also says whether the new roaming
 * value is the predicted one (it should be: apply refuses otherwise, so a mismatch is worth shouting).
 */
export function renderOutcomeMarkdown(
  outcome: ApplyOutcome,
  review?: PatchReview,
  options: OutcomeOptions = {},
): string {
  const marker = writeMarker({
    kind: "status",
    v: 1,
    state: outcome.status,
    key: outcome.patchKey,
    cid: outcome.patchCid,
  });
  // Named as the review names it (its summary line); the key is in the facts below, as in the review's identifiers.
  const name = review?.target.name ?? options.targetName;
  const target = name ? `**${escapeInline(name, 100)}**` : `the target ${codeSpan(outcome.targetId)}`;
  const headline =
    outcome.status === "applied"
      ? `### ✅ Applied\n\nThe patch ${codeSpan(outcome.patchCid)} is now part of ${target}. To undo it, propose a patch that changes it back: a Nomad object's history only grows.`
      : `### ✅ Already applied\n\nThe patch ${codeSpan(outcome.patchCid)} was applied before; nothing was written twice.`;
  const predicted = review?.predictedResultCid ?? options.predictedResultCid;
  const facts = [
    `- **Target:** ${codeSpan(outcome.targetId)}`,
    ...(options.approvedBy === undefined
      ? []
      : [`- **Approved by:** ${escapeInline(options.approvedBy, 60)}`]),
    ...(options.override === undefined ? [] : [`- **Overrode:** ${overrideNote(options.override)}`]),
    ...conflictNote(outcome, options.approvedBy),
    `- **New roaming value:** ${codeSpan(outcome.roamingCid)}${predictionNote(outcome, predicted)}${viewLink(outcome.roamingCid, options.gatewayUrl)}`,
    `- **Local stream:** ${codeSpan(outcome.localStreamCid)} under the bot's key ${codeSpan(outcome.localKey)}`,
    `- **Applied at:** ${escapeInline(outcome.appliedAt, 40)}`,
  ];
  const listed = outcome.entryCids.slice(0, MAX_ENTRY_CIDS).map((cid, i) => `${i}. ${codeSpan(cid)}`);
  if (outcome.entryCids.length > MAX_ENTRY_CIDS) {
    listed.push(
      `\n_…and ${outcome.entryCids.length - MAX_ENTRY_CIDS} more (see \`nomad-patch apply --json\`)._`,
    );
  }
  const entries = details(
    `${count(outcome.entryCids.length, "entry", "entries")} written with fresh timestamps`,
    listed.length > 0 ? listed.join("\n") : "_None._",
  );
  const halfWritten =
    "Stopping there would have left the target half-written (its devices fold the entries, its published roaming value does not show them), so the apply was finished.";
  const late: string[] = [];
  if (options.heldTooLate?.whileRunning)
    late.push(
      `✋ **The hold came too late**: the label ${codeSpan(options.heldTooLate.heldLabel)} was put on while this apply ran; an apply that has begun is finished, since stopping part way could leave the target half-written (its devices folding entries its published roaming value does not show). To undo it, propose a patch that changes it back; the hold stands for what comes after.`,
    );
  else if (options.heldTooLate !== undefined)
    late.push(
      `✋ **The hold came too late**: the label ${codeSpan(options.heldTooLate.heldLabel)} was put on after this apply had published the patch's entries in the bot's event stream. ${halfWritten} To undo it, propose a patch that changes it back; the hold stands for what comes after.`,
    );
  if (options.rejectedTooLate)
    late.push(
      `🚫 **The rejection came too late**: it was given after this apply had published the patch's entries in the bot's event stream. ${halfWritten} To undo it, propose a patch that changes it back.`,
    );
  return [marker, headline, ...late, facts.join("\n"), entries].join("\n\n");
}

function overrideNote(override: NonNullable<OutcomeOptions["override"]>): string {
  const rules = override.rules.map((rule) => codeSpan(rule, { max: 100 })).join(", ");
  return override.by === "admin"
    ? `the rejection by ${rules}, as an admin may override any rule`
    : `the rejection by ${rules}, which the repository made overridable`;
}

function predictionNote(outcome: ApplyOutcome, predicted: string | null | undefined): string {
  if (predicted === undefined) return "";
  if (predicted === outcome.roamingCid) return " (exactly the predicted result ✔)";
  return ` ⚠️ differs from the predicted result (${predicted ? codeSpan(predicted) : "none"})`;
}

function viewLink(cid: string, gatewayUrl: string | undefined): string {
  return gatewayUrl === undefined ? "" : ` · [view it](${gatewayUrl.replace(/\/+$/, "")}/ipfs/${cid})`;
}

/** A conflict applied on purpose (issue 16 §5): later changes were replaced, and who decided it is named. */
function conflictNote(outcome: ApplyOutcome, approvedBy: string | undefined): string[] {
  const paths = outcome.overriddenConflicts ?? [];
  if (paths.length === 0) return [];
  const shown = paths.slice(0, 10).map((path) => codeSpan(path, { max: 100 }));
  const more = paths.length > shown.length ? ` and ${paths.length - shown.length} more` : "";
  const who =
    approvedBy === undefined ? "an override" : `an admin's approval (**${escapeInline(approvedBy, 60)}**)`;
  return [
    `- **Overrode a conflict:** ${who} replaced what changed after this patch was written: ${shown.join(", ")}${more}.`,
  ];
}
