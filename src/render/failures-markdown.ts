import { codeSpan, escapeInline } from "./escape.js";
import { type FailureInput, renderFailureMarkdown } from "./failure-markdown.js";
import { writeMarker } from "./marker.js";

/**
 * One reply for every key of a comment that could not be reviewed: a key that does not resolve costs
 * one write per comment, not one per key. A single key keeps the sticky failure comment of its own
 * (a later refresh turns it into the review); several are listed in one `status` comment.
 */
export function renderFailuresMarkdown(failures: readonly FailureInput[]): string {
  const [only] = failures;
  if (only !== undefined && failures.length === 1) return renderFailureMarkdown(only);
  const marker = writeMarker({ kind: "status", v: 1, state: "failed", key: null, cid: null });
  const lines = failures.map(
    (f) =>
      `- ${codeSpan(f.key, { max: 100 })}: ${escapeInline(f.message, 300)} ${codeSpan(f.code, { max: 60 })}`,
  );
  const hints = [...new Set(failures.flatMap((f) => (f.hint ? [escapeInline(f.hint, 500)] : [])))];
  return [
    marker,
    `### ⚠️ Could not review ${failures.length} patch requests`,
    lines.join("\n"),
    ...hints,
    "Nothing was applied. Post the keys again (one per `Patch:` line) once they can be read.",
  ].join("\n\n");
}
