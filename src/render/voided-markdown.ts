import type { RevisionDelta } from "../patch-request/compare-revisions.js";
import { codeSpan } from "./escape.js";
import { isMarkerCid, isMarkerKey, writeMarker } from "./marker.js";
import { describeDelta } from "./revisions-markdown.js";

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
      /** What changed from the approved version to the current one; absent when it could not be read. */
      readonly changes?: RevisionDelta;
      /**
       * The approved version's revision number and the one the current version gets (the next), when the
       * approved review kept its revision list.
       */
      readonly revisions?: { readonly approved: number; readonly current: number };
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
  const revisions = input.moved === "target" ? undefined : input.revisions;
  const named = (n: number | undefined, cid: string) =>
    n === undefined ? codeSpan(cid) : `r${n} (${codeSpan(cid)})`;
  const why =
    input.moved === "target"
      ? `the target ${codeSpan(input.targetId)} changed since the review, so applying it now would not give the approved result.`
      : `patch key ${codeSpan(input.key)} ${input.currentCid === null ? "no longer resolves" : `now points at ${named(revisions?.current, input.currentCid)}`}.`;
  const changes =
    input.moved !== "target" && input.changes ? [changedLine(input.changes, input.revisions)] : [];
  return [
    marker,
    `🔁 **Approval voided:** it was for ${named(revisions?.approved, input.approvedCid)}, but ${why}`,
    ...changes,
    "Nothing was applied. The review above shows the new version; approve again if it is still good.",
  ].join("\n\n");
}

/** Issue 16 §5: the approver learns whether the new version needs a fresh read or only a glance. */
function changedLine(
  delta: RevisionDelta,
  revisions: { readonly approved: number; readonly current: number } | undefined,
): string {
  const entriesSame = delta.added + delta.removed + delta.changed === 0;
  const words = delta.title || delta.description;
  const what = describeDelta(delta) + (entriesSame && words ? " (entries unchanged)" : "");
  const since = revisions
    ? `from r${revisions.approved} to r${revisions.current}`
    : "since the approved version";
  return `**Changed ${since}:** ${what}.`;
}
