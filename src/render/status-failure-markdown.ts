import { codeSpan, escapeInline } from "./escape.js";
import { isMarkerCid, isMarkerKey, writeMarker } from "./marker.js";

export interface StatusFailureInput {
  /** `apply`: the apply itself failed; `work`: anything else (mostly GitHub refusing a call). */
  readonly during: "apply" | "work";
  /** A stable code, e.g. `KUBO_UNAVAILABLE`, `GITHUB`, `RATE_LIMITED`. */
  readonly code: string;
  /** What went wrong, in a sentence. */
  readonly message: string;
  /** What the reader can do about it. */
  readonly hint?: string;
  readonly key?: string;
  readonly cid?: string;
  /**
   * Set when the patch was applied before the failure (reporting it failed): the comment must then say
   * so, never that nothing changed.
   */
  readonly appliedRoamingCid?: string;
  /** The command that tries again: `/refresh` before an apply, the approval command after. */
  readonly retryCommand: string;
}

/**
 * A one-off `failed` status: a failed apply, or work that could not finish. The sticky review comment is
 * left as it was; this says what happened, whether anything was written, and how to try again.
 */
export function renderStatusFailureMarkdown(input: StatusFailureInput): string {
  const marker = writeMarker({
    kind: "status",
    v: 1,
    state: "failed",
    key: input.key !== undefined && isMarkerKey(input.key) ? input.key : null,
    cid: input.cid !== undefined && isMarkerCid(input.cid) ? input.cid : null,
  });
  const retry = codeSpan(input.retryCommand, { max: 60 });
  const lines = [
    marker,
    input.during === "apply" ? "### ❌ Apply failed" : "### ❌ The bot could not finish",
    `${escapeInline(input.message, 1000)} ${codeSpan(input.code, { max: 60 })}`,
  ];
  if (input.hint) lines.push(escapeInline(input.hint, 500));
  lines.push(closing(input, retry));
  return lines.join("\n\n");
}

function closing(input: StatusFailureInput, retry: string): string {
  if (input.appliedRoamingCid !== undefined) {
    const patch = input.cid === undefined ? "The patch" : `The patch ${codeSpan(input.cid)}`;
    return `${patch} **was applied**: the target's roaming value is now ${codeSpan(input.appliedRoamingCid)}. Only reporting it here failed; comment ${retry} to report it again (nothing is written twice).`;
  }
  if (input.during === "apply") {
    return `Nothing was half-applied: the apply journal completes or refuses the whole patch. Comment ${retry} to try again.`;
  }
  return `Nothing was applied. Comment ${retry} to try again.`;
}
