import { codeSpan, escapeInline, quoteMarkdown } from "./escape.js";
import { isMarkerCid, isMarkerKey, writeMarker } from "./marker.js";

export interface DecisionInput {
  readonly key: string;
  /** The login that decided; named, not mentioned. */
  readonly user: string;
  /** The patch CID the decision was about, when known. */
  readonly cid?: string;
}

/** `/reject [reason]`: the patch will not be applied. */
export function renderRejectedMarkdown(input: DecisionInput & { readonly reason?: string }): string {
  const lines = [
    marker("rejected", input),
    `🚫 **Rejected** by **${escapeInline(input.user, 60)}**: patch ${codeSpan(input.key)} will not be applied.`,
  ];
  if (input.reason?.trim()) lines.push(quoteMarkdown(input.reason, 1000));
  lines.push("A new version published under the same key can be reviewed again.");
  return lines.join("\n\n");
}

/** `/hold`: approvals wait until someone resumes. */
export function renderHeldMarkdown(input: DecisionInput & { readonly resumeCommand?: string }): string {
  const resume = codeSpan(input.resumeCommand ?? "/apply");
  return [
    marker("held", input),
    `✋ **On hold** by **${escapeInline(input.user, 60)}**: patch ${codeSpan(input.key)} will not be applied, even if approved, until someone with write access comments ${resume}.`,
  ].join("\n\n");
}

function marker(state: "rejected" | "held", input: DecisionInput): string {
  const key = isMarkerKey(input.key) ? input.key : null;
  const cid = input.cid !== undefined && isMarkerCid(input.cid) ? input.cid : null;
  return writeMarker({ kind: "status", v: 1, state, key, cid });
}
