import { codeSpan, escapeInline } from "../../render/escape.js";
import { writeMarker } from "../../render/marker.js";

/** The sticky comment's first form: it says the bot is on it, and the review replaces it in place. */
export function resolvingComment(key: string): string {
  return [
    writeMarker({ kind: "review", v: 1, key, cid: null, result: null, target: null, state: "resolving" }),
    `### Patch request ${codeSpan(key)}`,
    "",
    "⏳ Resolving the key and computing the diff… this comment is updated when it is ready.",
  ].join("\n");
}

/** The sticky comment when the review could not be made; the marker holds no CID, so nothing can approve it. */
export function failedReviewComment(key: string, text: string, refresh: string): string {
  return [
    writeMarker({ kind: "review", v: 1, key, cid: null, result: null, target: null, state: "failed" }),
    `### Patch request ${codeSpan(key)}`,
    "",
    `**⚠️ Could not review this patch.** ${escapeInline(text, 1500)}`,
    "",
    `<sub>Comment ${codeSpan(refresh)} to try again.</sub>`,
  ].join("\n");
}
