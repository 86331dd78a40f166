import { codeSpan } from "./escape.js";
import { type ReviewMarker, writeMarker } from "./marker.js";

/**
 * What an out-of-date review comment becomes once a new version of its patch has its own review: the
 * marker keeps the old CIDs for the record, in a state no approval binds to, and the diff is dropped so
 * nobody reads it as current.
 */
export function renderSupersededMarkdown(old: ReviewMarker): string {
  const marker = writeMarker({ ...old, state: "superseded" });
  const version = old.cid ? ` at version ${codeSpan(old.cid)}` : "";
  const result = old.result ? ` (predicted result ${codeSpan(old.result)})` : "";
  return [
    marker,
    `### ⏭️ Superseded`,
    `This was the review of patch request ${codeSpan(old.key)}${version}${result}. The patch changed since, and the new review is in a later comment. This version can no longer be approved; approvals given before the new review do not count.`,
  ].join("\n\n");
}
