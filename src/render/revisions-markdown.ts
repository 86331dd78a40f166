import type { RevisionDelta } from "../patch-request/compare-revisions.js";
import { codeSpan } from "./escape.js";
import type { Revision } from "./marker.js";
import { count } from "./words.js";

/**
 * The revision list of a patch key's current review: r1, r2, … with each version's patch CID, when the bot
 * first saw it and what changed from the one before (issue 14 §3). Empty while the key has had one
 * version. Bounded by the marker's `MAX_LISTED_REVISIONS`; older revisions are named in one line.
 */
export function renderRevisionsMarkdown(revisions: readonly Revision[]): string {
  const [first] = revisions;
  if (!first || revisions.length < 2) return "";
  const last = revisions.at(-1);
  const lines = revisions.map((revision) => {
    const name = revision === last ? `**r${revision.n}** (this review)` : `r${revision.n}`;
    const change =
      revision.n === first.n && revision.ch === undefined ? "" : ` · ${describeDelta(revision.ch)}`;
    return `- ${name} · ${codeSpan(revision.cid)} · seen ${seenAt(revision.at)}${change}`;
  });
  const older = first.n > 1 ? [`- r1–r${first.n - 1}: earlier versions, no longer listed`] : [];
  return ["#### Revisions", ...older, ...lines].join("\n");
}

/** `1 entry added, 2 changed; title changed`, or why nothing can be said. */
export function describeDelta(delta: RevisionDelta | undefined): string {
  if (delta === undefined) return "changes unknown (the earlier version could not be read)";
  const entries = [
    delta.added > 0 ? `${count(delta.added, "entry", "entries")} added` : "",
    delta.removed > 0 ? `${count(delta.removed, "entry", "entries")} removed` : "",
    delta.changed > 0 ? `${count(delta.changed, "entry", "entries")} changed` : "",
  ].filter((part) => part !== "");
  const words = [delta.title ? "title" : "", delta.description ? "description" : ""].filter((p) => p !== "");
  const parts = [entries.join(", "), words.length > 0 ? `${words.join(" and ")} changed` : ""].filter(
    (part) => part !== "",
  );
  return parts.length > 0 ? parts.join("; ") : "same entries, title and description";
}

/** `2026-01-01 00:00 UTC`: minutes are enough to tell versions apart for a reader. */
function seenAt(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}
