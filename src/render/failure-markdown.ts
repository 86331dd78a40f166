import { codeSpan, escapeInline } from "./escape.js";
import { DEFAULT_REFRESH_COMMAND } from "./markdown-options.js";
import { isMarkerKey, isMarkerLogin, writeMarker } from "./marker.js";

export interface FailureInput {
  /** The key as posted; shown escaped, written to the marker only when it is a base36 key. */
  readonly key: string;
  /** A stable code, e.g. `KUBO_UNAVAILABLE`, `RESOLVE_TIMEOUT`, `NOT_A_PATCH_REQUEST`, `TARGET_NOT_CONFIGURED`. */
  readonly code: string;
  /** What went wrong, in a sentence. */
  readonly message: string;
  /** What the reader can do about it. */
  readonly hint?: string;
  readonly refreshCommand?: string;
  /** Who posted the key: recorded in the marker, so a later review judges the right person. */
  readonly author?: string;
}

/**
 * A patch request that could not be reviewed. For a well-formed key it takes the sticky comment's place
 * (a `review` marker in state `failed`), so a later refresh turns it into the review; otherwise it is a
 * one-off `status` comment.
 */
export function renderFailureMarkdown(input: FailureInput): string {
  const marker = isMarkerKey(input.key)
    ? writeMarker({
        kind: "review",
        v: 1,
        key: input.key,
        cid: null,
        result: null,
        target: null,
        state: "failed",
        ...(input.author !== undefined && isMarkerLogin(input.author) ? { author: input.author } : {}),
      })
    : writeMarker({ kind: "status", v: 1, state: "failed", key: null, cid: null });
  const refresh = codeSpan(input.refreshCommand ?? DEFAULT_REFRESH_COMMAND);
  const lines = [
    marker,
    `### ⚠️ Could not review patch request ${codeSpan(input.key, { max: 100 })}`,
    `${escapeInline(input.message, 500)} ${codeSpan(input.code, { max: 60 })}`,
  ];
  if (input.hint) lines.push(escapeInline(input.hint, 500));
  lines.push(`Nothing was applied. Comment ${refresh} to try again.`);
  return lines.join("\n\n");
}
