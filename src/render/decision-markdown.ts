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
  input: DecisionInput & {
    readonly reason?: string;
    readonly builtIn?: boolean;
    /**
     * The roaming value the patch's apply published before the rejection (the approval's job ran first, or
     * an apply cut short after its first publish was finished): the rejection says it came too late.
     */
    readonly applied?: { readonly roamingCid: string };
    /** An apply of the version had begun and was cut short before it published anything: closed, not finished. */
    readonly stopped?: boolean;
  },
): string {
  const who = `**${escapeInline(input.user, 60)}**`;
  if (input.applied) {
    const lines = [
      marker("rejected", input),
      `🚫 **Rejected** by ${who}, **too late for ${patch(input)}**: it was applied before the rejection came (the target's roaming value is now ${codeSpan(input.applied.roamingCid)}). A rejection stops an apply only before it publishes anything; to undo this one, propose a patch that changes it back.`,
    ];
    if (input.reason?.trim()) lines.push(quoteMarkdown(input.reason, 1000));
    return lines.join("\n\n");
  }
  const lines = [
    marker("rejected", input),
    input.builtIn
      ? `🚫 **Refused by nomad-patch (built-in)**: ${patch(input)} will not be applied; see the review.`
      : `🚫 **Rejected** by ${who}: ${patch(input)} will not be applied.`,
  ];
  if (input.stopped)
    lines.push(
      "An apply of it had begun before the rejection and was cut short before it published anything: it was not finished, nothing was published, and the target is as it was.",
    );
  if (input.reason?.trim()) lines.push(quoteMarkdown(input.reason, 1000));
  lines.push("A new version published under the same key can be reviewed again.");
  return lines.join("\n\n");
}

/**
 * An apply begun before a rejection of its version and cut short (the app stopped), found by a later job under
 * the rejection with nothing published: closed, not finished. Only an approval given after the rejection
 * applies it.
 */
export function renderApplyRejectedMarkdown(input: {
  readonly key: string;
  readonly cid: string;
  readonly retryCommand: string;
}): string {
  return [
    marker("rejected", input),
    `🚫 **Apply stopped by a rejection**: the apply of ${patch(input)} (version ${codeSpan(input.cid)}) had begun before it was rejected, and was cut short before it published anything. The rejection stands, so it was not finished: nothing was published, and the target is as it was. To apply it after all, comment ${codeSpan(input.retryCommand, { max: 60 })}.`,
  ].join("\n\n");
}

/**
 * `/hold`: nothing is applied, by a person or a rule, until the held label is removed. With `applied`, the
 * patch was applied before the hold came (the approval's job ran first): the hold says it came too late for
 * it, and holds what comes after.
 */
export function renderHeldMarkdown(
  input: DecisionInput & {
    readonly heldLabel?: string;
    /** The roaming value the patch's apply published before the hold. */
    readonly applied?: { readonly roamingCid: string };
  },
): string {
  const label = codeSpan(input.heldLabel ?? "nomad-patch: held");
  const who = `**${escapeInline(input.user, 60)}**`;
  if (input.applied) {
    return [
      marker("held", input),
      `✋ **On hold** by ${who}, **too late for ${patch(input)}**: it was applied before the hold came (the target's roaming value is now ${codeSpan(input.applied.roamingCid)}). A hold stops an apply only before it begins; to undo this one, propose a patch that changes it back. Until the label ${label} is removed, no later version and no other patch on this issue is applied, not even by a rule or an approval.`,
    ].join("\n\n");
  }
  return [
    marker("held", input),
    `✋ **On hold** by ${who}: ${patch(input)} will not be applied, not even by a rule or an approval, until the label ${label} is removed.`,
  ].join("\n\n");
}

/**
 * An apply that was begun before the hold and cut short (the app stopped), closed under the hold with
 * nothing published: the target is as it was, and a new approval once the hold is lifted applies it.
 */
export function renderApplyHeldMarkdown(input: {
  readonly key: string;
  readonly cid: string;
  readonly heldLabel: string;
  readonly retryCommand: string;
}): string {
  const version = codeSpan(input.cid);
  return [
    marker("held", input),
    `✋ **Apply held**: the apply of ${patch(input)} (version ${version}) had begun before the issue was put on hold, and was cut short before it published anything. The hold stands, so it was not finished: nothing was published, and the target is as it was. Remove the label ${codeSpan(input.heldLabel)} and comment ${codeSpan(input.retryCommand, { max: 60 })} to apply it.`,
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
