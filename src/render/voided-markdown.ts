import { codeSpan } from "./escape.js";
import { isMarkerCid, isMarkerKey, writeMarker } from "./marker.js";

export interface VoidedInput {
  readonly key: string;
  /** The patch CID the approval was bound to. */
  readonly approvedCid: string;
  /** What the key resolves to now (null when it no longer resolves). */
  readonly currentCid: string | null;
}

/**
 * An approval that no longer holds: the key now points at another patch than the one approved. The
 * sticky review comment is re-rendered; this says why nothing happened and what to do.
 */
export function renderVoidedMarkdown(input: VoidedInput): string {
  const marker = writeMarker({
    kind: "status",
    v: 1,
    state: "voided",
    key: isMarkerKey(input.key) ? input.key : null,
    cid: isMarkerCid(input.approvedCid) ? input.approvedCid : null,
  });
  const now =
    input.currentCid === null ? "no longer resolves" : `now points at ${codeSpan(input.currentCid)}`;
  return [
    marker,
    `🔁 **Approval voided:** it was for ${codeSpan(input.approvedCid)}, but patch key ${codeSpan(input.key)} ${now}.`,
    "Nothing was applied. The review above shows the new version; approve again if it is still good.",
  ].join("\n\n");
}
