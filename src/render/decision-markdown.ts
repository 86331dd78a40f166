import { codeSpan, escapeInline, quoteMarkdown } from "./escape.js";
import { isMarkerCid, isMarkerKey, writeMarker } from "./marker.js";

export interface DecisionInput {
  /** The patch key decided about; absent when the issue carries no single reviewed patch. */
  readonly key?: string;
  /** The login that decided (or what did, e.g. the repository's rules); named, not mentioned. */
  readonly user: string;
  /** The patch CID the decision was about, when known. */
  readonly cid?: string;
}

/** Who decides when the repository's rules do: named in a rule's rejection and an automatic apply's outcome. */
export const RULESET = "the repository's rules";
const BUILT_IN_HEADLINE = "🚫 **Refused by nomad-patch (built-in)**:";
const RULES_HEADLINE = `🚫 **Rejected** by **${escapeInline(RULESET, 60)}**:`;

/**
 * Whether a rejection comment (a signed one of the bot's: its text is the bot's) was the rules' or a
 * built-in refusal, not a person's `/reject`: a login has no space or apostrophe, so no person's name reads
 * as the rules'. Only such a rejection is lifted when the configuration no longer makes it.
 */
export function isRulesRejection(body: string): boolean {
  const headline = body.replace(/\r\n/g, "\n").split("\n\n")[1] ?? "";
  return headline.startsWith(RULES_HEADLINE) || headline.startsWith(BUILT_IN_HEADLINE);
}

/**
 * A rejection by the rules rewritten once no rule makes it: the configuration changed (a rule removed or
 * narrowed, a target added). What stands now is the review's to say; a rule that rejects the version again
 * says so in a new comment.
 */
export function renderLiftedMarkdown(input: Omit<DecisionInput, "user">): string {
  const version = input.cid === undefined ? "" : ` (version ${codeSpan(input.cid)})`;
  return [
    marker("lifted", input),
    `↩️ **Rejection lifted**: the rules rejected ${patch(input)}${version}, and under the repository's configuration now nothing rejects it. The review says what stands now; a rule that rejects it again says so in a new comment.`,
  ].join("\n\n");
}

/**
 * `/reject [reason]`, a reject rule, or a built-in refusal (`builtIn`: no rule exists to name, so it
 * says nomad-patch refused it, as the review does): the patch will not be applied.
 */
export function renderRejectedMarkdown(
  input: DecisionInput & { readonly reason?: string; readonly builtIn?: boolean },
): string {
  const lines = [
    marker("rejected", input),
    input.builtIn
      ? `🚫 **Refused by nomad-patch (built-in)**: ${patch(input)} will not be applied; see the review.`
      : `🚫 **Rejected** by **${escapeInline(input.user, 60)}**: ${patch(input)} will not be applied.`,
  ];
  if (input.reason?.trim()) lines.push(quoteMarkdown(input.reason, 1000));
  lines.push("A new version published under the same key can be reviewed again.");
  return lines.join("\n\n");
}

/** `/hold`: nothing is applied, by a person or a rule, until the held label is removed. */
export function renderHeldMarkdown(input: DecisionInput & { readonly heldLabel?: string }): string {
  const label = codeSpan(input.heldLabel ?? "nomad-patch: held");
  return [
    marker("held", input),
    `✋ **On hold** by **${escapeInline(input.user, 60)}**: ${patch(input)} will not be applied, not even by a rule or an approval, until the label ${label} is removed.`,
  ].join("\n\n");
}

function patch(input: Pick<DecisionInput, "key">): string {
  return input.key === undefined ? "the patch on this issue" : `patch ${codeSpan(input.key)}`;
}

function marker(state: "rejected" | "lifted" | "held", input: Omit<DecisionInput, "user">): string {
  const key = input.key !== undefined && isMarkerKey(input.key) ? input.key : null;
  const cid = input.cid !== undefined && isMarkerCid(input.cid) ? input.cid : null;
  return writeMarker({ kind: "status", v: 1, state, key, cid });
}
