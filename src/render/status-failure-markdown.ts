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
  /** For a failed apply: how far the apply journal says it got, so the comment says what was published. */
  readonly progress?: ApplyProgress;
}

/** The apply journal's record of a failed apply, as far as the reader needs it. */
export interface ApplyProgress {
  /**
   * No record, `planned`, `failed`, `held` or `rejected` (nothing published), `local-published` (or `done`, which
   * `appliedRoamingCid` reports).
   */
  readonly state: "none" | "planned" | "failed" | "held" | "rejected" | "local-published" | "done";
  /** The bot's event stream holding the entries, once `local-published`. */
  readonly streamCid?: string;
  readonly entries?: number;
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
  if (input.during === "apply") return applyClosing(input.progress ?? { state: "none" }, retry);
  return `Nothing was applied. Comment ${retry} to try again.`;
}

/** Written from the apply journal's state: never "nothing" when something was published. */
function applyClosing(progress: ApplyProgress, retry: string): string {
  if (progress.state === "local-published" || progress.state === "done") {
    const stream = progress.streamCid === undefined ? "" : ` ${codeSpan(progress.streamCid)}`;
    const count =
      progress.entries === undefined ? "the patch's entries" : `the patch's ${progress.entries} entries`;
    return `**Partly published:** the bot's event stream${stream} already holds ${count}, but the target's roaming value was not republished with them. Comment ${retry} to finish: the retry republishes the roaming value and writes no entry twice.`;
  }
  if (progress.state === "planned") {
    return `The apply stopped while writing the bot's event stream: it may already hold the entries, not yet the target's roaming value. Comment ${retry} to finish: the retry writes each entry exactly once.`;
  }
  return `Nothing was published: the apply stopped before writing the bot's event stream or the target. Comment ${retry} to try again.`;
}
