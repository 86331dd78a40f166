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

function patch(input: DecisionInput): string {
  return input.key === undefined ? "the patch on this issue" : `patch ${codeSpan(input.key)}`;
}

function marker(state: "rejected" | "held", input: DecisionInput): string {
  const key = input.key !== undefined && isMarkerKey(input.key) ? input.key : null;
  const cid = input.cid !== undefined && isMarkerCid(input.cid) ? input.cid : null;
  return writeMarker({ kind: "status", v: 1, state, key, cid });
}
