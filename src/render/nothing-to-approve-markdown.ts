import { codeSpan } from "./escape.js";
import { DEFAULT_COMMANDS } from "./markdown-options.js";
import { writeMarker } from "./marker.js";

/** Why an approval found nothing to apply: the issue is on hold, or it holds no applicable review. */
export type NothingToApproveInput =
  | { readonly reason: "held"; readonly heldLabel: string }
  | { readonly reason: "no-review"; readonly commands?: readonly string[] }
  /** The patch was refused by nomad-patch itself: the review says why; no approval can apply it. */
  | { readonly reason: "refused"; readonly key: string };

/**
 * An approval that had nothing to act on. It names no key or CID (it is about the issue, not a patch),
 * so nothing can bind to it; it says what would make an approval work.
 */
export function renderNothingToApproveMarkdown(input: NothingToApproveInput): string {
  const state = input.reason === "held" ? "held" : "failed";
  const marker = writeMarker({ kind: "status", v: 1, state, key: null, cid: null });
  const why =
    input.reason === "held"
      ? `this issue is on hold. Remove the label ${codeSpan(input.heldLabel)} first, then approve again.`
      : input.reason === "refused"
        ? `patch ${codeSpan(input.key)} was refused by nomad-patch (built-in): see the review. No approval can apply it as it is; a fixed version published under the same key is reviewed again.`
        : `there is no reviewed patch on this issue that can be applied. Post the patch request's key, wait for its review, then approve with ${codeSpan((input.commands ?? DEFAULT_COMMANDS)[0] ?? "/apply")}.`;
  return [marker, `ℹ️ **Nothing applied:** ${why}`].join("\n\n");
}
