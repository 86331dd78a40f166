import { codeSpan } from "./escape.js";
import { writeMarker } from "./marker.js";

/** The placeholder the sticky comment starts as, while the slow IPFS work runs; the review replaces it. */
export function renderResolvingMarkdown(input: { key: string }): string {
  const marker = writeMarker({
    kind: "review",
    v: 1,
    key: input.key,
    cid: null,
    result: null,
    target: null,
    state: "resolving",
  });
  return `${marker}\n\n⏳ **Resolving patch request** ${codeSpan(input.key)}… The diff will appear here in place of this message.`;
}
