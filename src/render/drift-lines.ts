import type { PublishDriftChange } from "../patch-request/change-model.js";
import { compactValue } from "./compact-value.js";

/** Changes listed in a header, which must stay small whatever the target holds. */
export const MAX_DRIFT_LINES = 15;

/**
 * One plain-text line per change the publish would make beyond the patch, from the published value to
 * what would be published: `Name: changed "Old" → "New"`, `docs/a.md (file): removed`. Untrusted: the
 * caller escapes for its context. Values are cut at `maxValue` characters (the Markdown header's size); the
 * terminal passes no limit and wraps instead.
 */
export function driftLines(changes: readonly PublishDriftChange[], maxValue = 60): string[] {
  const lines = changes.slice(0, MAX_DRIFT_LINES).map((change) => {
    const kind = change.kind ? ` (${change.kind})` : "";
    const before = compactValue(change.before, maxValue);
    const after = compactValue(change.after, maxValue);
    const values =
      before !== undefined && after !== undefined
        ? ` ${before} → ${after}`
        : before !== undefined
          ? ` (was ${before})`
          : after !== undefined
            ? ` (becomes ${after})`
            : "";
    return `${change.path}${kind}: ${change.change}${values}`;
  });
  if (changes.length > MAX_DRIFT_LINES) lines.push(`…and ${changes.length - MAX_DRIFT_LINES} more`);
  return lines;
}
