import { codeSpan } from "./escape.js";
import { isMarkerCid, isMarkerKey, writeMarker } from "./marker.js";

/** What moved since the approval: the patch key (to another patch), or the target it applies to. */
export type VoidedInput = {
  readonly key: string;
  /** The patch CID the approval was bound to. */
  readonly approvedCid: string;
} & (
  | {
      readonly moved?: "key";
      /** What the key resolves to now (null when it no longer resolves). */
      readonly currentCid: string | null;
    }
  | { readonly moved: "target"; readonly targetId: string }
);

/**
 * An approval that no longer holds: the key now points at another patch than the one approved, or the
 * target changed so the approved result cannot be reached. The sticky review comment is re-rendered;
 * this says why nothing happened and what to do.
 */
export function renderVoidedMarkdown(input: VoidedInput): string {
  const marker = writeMarker({
    kind: "status",
    v: 1,
    state: "voided",
    key: isMarkerKey(input.key) ? input.key : null,
    cid: isMarkerCid(input.approvedCid) ? input.approvedCid : null,
  });
  const why =
    input.moved === "target"
      ? `the target ${codeSpan(input.targetId)} changed since the review, so applying it now would not give the approved result.`
      : `patch key ${codeSpan(input.key)} ${input.currentCid === null ? "no longer resolves" : `now points at ${codeSpan(input.currentCid)}`}.`;
  return [
    marker,
    `🔁 **Approval voided:** it was for ${codeSpan(input.approvedCid)}, but ${why}`,
    "Nothing was applied. The review above shows the new version; approve again if it is still good.",
  ].join("\n\n");
}
