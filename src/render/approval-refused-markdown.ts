import type { RevisionDelta } from "../patch-request/compare-revisions.js";
import { codeSpan, escapeInline } from "./escape.js";
import { isMarkerCid, isMarkerKey, writeMarker } from "./marker.js";
import { describeDelta } from "./revisions-markdown.js";

/** A reviewed patch an approver may name, with what to type to approve exactly it. */
export interface ApprovableChoice {
  readonly key: string;
  readonly cid: string;
  /** E.g. `/apply bafyrei…`: what approves this one. */
  readonly command: string;
}

/**
 * An approval that can only have been for an older revision of a key: which one, the current one that
 * replaced it, and what changed between them (undefined: it could not be read).
 */
export interface ReplacedRevision {
  readonly key: string;
  readonly named: number;
  readonly current: number;
  readonly currentCid: string;
  readonly changes: RevisionDelta | undefined;
}

/** Why an approval from someone allowed to approve still applied nothing. */
export type ApprovalRefusedInput = { readonly via: "label" | "command" } & (
  | { readonly reason: "ambiguous"; readonly choices: readonly ApprovableChoice[] }
  | {
      readonly reason: "unknown-version" | "not-current" | "several-named";
      readonly named: string;
      /** The reviews that can be approved now. */
      readonly choices: readonly ApprovableChoice[];
      /** For `not-current`: the revision named and the one that replaced it, when they are known. */
      readonly replaced?: ReplacedRevision;
    }
  | {
      /** The rules reject the version chosen, and this approval may not override them. */
      readonly reason: "rules";
      readonly choice: ApprovableChoice;
      /** True when a built-in refusal decided, which no one can override. */
      readonly builtIn: boolean;
      /** One line each: the entry and the rule (or built-in refusal) that refuses it. */
      readonly reasons: readonly string[];
      /**
       * Set when the refusal is that the repository's configuration no longer names the patch's target
       * (it did when the patch was reviewed): the target, and the file that would have to name it again.
       */
      readonly droppedTarget?: { readonly target: string; readonly configPath: string };
    }
  | {
      readonly reason: "too-early";
      readonly choice: ApprovableChoice;
      /** When GitHub says the review and the approval were written (ISO 8601); undefined when unknown. */
      readonly reviewedAt: string;
      readonly approvedAt: string | undefined;
      /** The revision reviewed before the approval was given, which the chosen one replaced. */
      readonly replaced?: ReplacedRevision;
    }
  | {
      /**
       * The version chosen was rejected after this approval was given, and the rejection closed the apply the
       * approval had begun (the app stopped part way): an approval from before the rejection (a replay, a
       * redelivery) applies nothing.
       */
      readonly reason: "rejected-since";
      readonly choice: ApprovableChoice;
      readonly approvedAt: string | undefined;
      /** When the rejection was given (ISO 8601). */
      readonly rejectedAt: string;
    }
  | {
      /**
       * A review comment on the issue is the bot's, but its signature does not verify (edited by someone,
       * or written before comments were signed): nothing binds to it, and it is reviewed again.
       */
      readonly reason: "untrusted";
      /** The patch keys those comments claim, as far as they still read as keys. */
      readonly keys: readonly string[];
    }
);

/**
 * An approval that does not say which version it is for, names one that is not under review, or was
 * given before the review it would apply was posted. Nothing is applied; the comment says what to type.
 */
export function renderApprovalRefusedMarkdown(input: ApprovalRefusedInput): string {
  const about =
    input.reason === "too-early" || input.reason === "rules" || input.reason === "rejected-since"
      ? input.choice
      : undefined;
  const marker = writeMarker({
    kind: "status",
    v: 1,
    state: "denied",
    key: about && isMarkerKey(about.key) ? about.key : null,
    cid: about && isMarkerCid(about.cid) ? about.cid : null,
  });
  const approval = input.via === "label" ? "The approval label" : "The approval";
  const lines = [marker];
  switch (input.reason) {
    case "ambiguous":
      lines.push(
        `ℹ️ **Nothing applied:** this issue has ${input.choices.length} patches that can be approved, and ${approval.toLowerCase()} does not say which.`,
        choiceList(input.choices),
      );
      break;
    case "unknown-version":
    case "not-current":
    case "several-named": {
      const named = codeSpan(escapeInline(input.named, 130));
      lines.push(`ℹ️ **Nothing applied:** ${named} ${namedWhy(input.reason, input.named, input.replaced)}`);
      lines.push(
        input.choices.length === 0
          ? "Nothing on this issue can be approved right now."
          : choiceList(input.choices),
      );
      break;
    }
    case "rules": {
      // A dropped target is refused for as long as the configuration does not name it; no approval
      // overrides that, but a commit to the configuration lifts it (the advice below).
      const who = input.droppedTarget
        ? "the repository's configuration does not name its target, and while it does not, no approval can apply it"
        : input.builtIn
          ? "a built-in refusal rejects it, which no one can override"
          : "the repository's rules reject it, and only an admin can override a rule that does not say `overridable: true`";
      lines.push(
        `🔒 **Nothing applied:** ${approval.toLowerCase()} of patch ${codeSpan(input.choice.key)} at version ${codeSpan(input.choice.cid)} was not accepted: ${who}.`,
        input.reasons
          .slice(0, 20)
          .map((reason) => `- ${escapeInline(reason, 300)}`)
          .join("\n"),
      );
      // The refusal a maintainer can lift: what the approval met is the configuration, not the patch.
      if (input.droppedTarget) lines.push(droppedTargetAdvice(input.droppedTarget));
      break;
    }
    case "untrusted": {
      const keys = input.keys
        .filter(isMarkerKey)
        .slice(0, 10)
        .map((k) => codeSpan(k));
      const which = keys.length === 0 ? "" : ` (patch ${keys.join(", ")})`;
      lines.push(
        `🚫 **Nothing applied:** a review comment of nomad-patch's on this issue${which} does not carry its signature: someone else edited it, or an earlier version of nomad-patch (or of the app's private key) wrote it. What it shows may not be what the bot reviewed, so no approval can apply it.`,
        "It is marked void, and the patch is reviewed again in a new comment. Read that review, then approve again.",
      );
      break;
    }
    case "rejected-since": {
      const at = input.approvedAt ? ` (${escapeInline(input.approvedAt, 40)})` : "";
      lines.push(
        `ℹ️ **Nothing applied:** ${approval.toLowerCase()}${at} was given before patch ${codeSpan(input.choice.key)} at version ${codeSpan(input.choice.cid)} was rejected (${escapeInline(input.rejectedAt, 40)}); the rejection stopped the apply it had begun, with nothing published. To apply it after all, approve again: comment ${codeSpan(input.choice.command)}.`,
      );
      break;
    }
    case "too-early": {
      const at = input.approvedAt ? ` (${escapeInline(input.approvedAt, 40)})` : "";
      lines.push(
        `ℹ️ **Nothing applied:** ${approval.toLowerCase()}${at} was given before the review of patch ${codeSpan(input.choice.key)} at version ${codeSpan(input.choice.cid)} was posted (${escapeInline(input.reviewedAt, 40)}), so it was not an approval of that version.`,
        ...(input.replaced
          ? [
              `It came after r${input.replaced.named} was reviewed, so it was for r${input.replaced.named}, which r${input.replaced.current} replaced: ${describeDelta(input.replaced.changes)}.`,
            ]
          : []),
        `Read the review, then approve again: comment ${codeSpan(input.choice.command)}.`,
      );
      break;
    }
  }
  return lines.join("\n\n");
}

function droppedTargetAdvice({ target, configPath }: { target: string; configPath: string }): string {
  return [
    `The patch is for the target ${codeSpan(target, { max: 130 })}, which ${codeSpan(configPath)} no longer names: this repository takes no patch for it.`,
    `If it should, add it back under \`targets:\` in ${codeSpan(configPath)} on the default branch, then approve again.`,
  ].join(" ");
}

function namedWhy(
  reason: "unknown-version" | "not-current" | "several-named",
  named: string,
  replaced: ReplacedRevision | undefined,
): string {
  if (reason === "several-named") return "names more than one version: an approval applies exactly one.";
  if (reason === "not-current" && replaced)
    return `names r${replaced.named} of patch ${codeSpan(replaced.key)}, which r${replaced.current} (${codeSpan(replaced.currentCid)}) replaced: ${describeDelta(replaced.changes)}.`;
  if (reason === "not-current")
    return "names a version that is no longer the one under review (the patch changed since).";
  return /^r[0-9]+$/i.test(named)
    ? "names no revision of a patch under review on this issue."
    : "names no patch under review on this issue.";
}

function choiceList(choices: readonly ApprovableChoice[]): string {
  const lines = choices.map(
    (c) => `- patch ${codeSpan(c.key)} at version ${codeSpan(c.cid)}: comment ${codeSpan(c.command)}`,
  );
  return ["To approve one, comment on a line of its own:", ...lines].join("\n");
}
