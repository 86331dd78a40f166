import type { PatchReview } from "../patch-request/change-model.js";
import { deviceChangeOf } from "../patch-request/device-change.js";
import { codeSpan, details, escapeInline } from "./escape.js";
import { isMarkerLogin } from "./marker.js";
import { summaryParts } from "./summary-parts.js";

/** Contributor devices listed; a patch may name more, the rest are counted. */
const MAX_SOURCES = 5;

/**
 * What a reviewer checks rather than reads: the target, the patch key and the version reviewed, the
 * predicted result, the base the author saw and who proposed it: the contributor's devices and, in the
 * app, the GitHub author the rules judged (`author`, checked to be a login so that nothing else can be
 * mentioned). Collapsed, so four long identifiers do not push the change off the first screen; the
 * Markdown keeps every one whole.
 */
export function renderIdentifiers(review: PatchReview, author?: string): string {
  const { patch, target } = review;
  const name = target.name ? `, ${escapeInline(target.name, 100)}` : "";
  const { scope, effects } = summaryParts(review);
  const sources = patch.sources.slice(0, MAX_SOURCES).map((source) => codeSpan(source));
  if (patch.sources.length > MAX_SOURCES) sources.push(`and ${patch.sources.length - MAX_SOURCES} more`);
  const lines = [
    `- **Target:** ${codeSpan(target.id)} (${escapeInline(target.module, 60)}${name})`,
    `- **Patch key:** ${codeSpan(patch.key)}`,
    `- **Patch CID:** ${codeSpan(patch.cid)}: the version reviewed here; an approval binds to it, and counts only when given after this comment`,
    // A refused patch is never applied: a result it cannot reach would only mislead (issue 16 §5).
    ...(review.refusals.length > 0
      ? []
      : [
          `- **Predicted result:** ${review.predictedResultCid ? codeSpan(review.predictedResultCid) : "_cannot be predicted_"}`,
        ]),
    ...deviceLines(review),
    `- **Base:** ${patch.base ? `${codeSpan(patch.base)} (the target's version the author saw)` : "_none given_"}`,
    `- **Proposed by:** ${proposers(sources, author)}`,
    `- **Entries:** ${scope}: ${effects}.`,
  ];
  return details("Identifiers", lines.join("\n"));
}

/** The keys refused source events name, whole: the refusal above names each shortened. */
function deviceLines(review: PatchReview): string[] {
  const refused = review.entries.filter((entry) => entry.effect === "refused");
  const lines: string[] = [];
  for (const entry of refused) {
    const device = deviceChangeOf(entry.eventId, entry.content);
    if (!device) continue;
    const label = device.kind === "add" ? "Would add device" : "Would remove device";
    lines.push(`- **${label}:** ${codeSpan(device.key)} (entry ${entry.index}, refused)`);
  }
  return lines.length > MAX_SOURCES
    ? [...lines.slice(0, MAX_SOURCES), `- …and ${lines.length - MAX_SOURCES} more refused source events`]
    : lines;
}

function proposers(sources: readonly string[], author: string | undefined): string {
  const devices =
    sources.length > 0 ? `${sources.join(", ")} (the contributor's devices)` : "_no device named_";
  // A code span, not an @-mention: a review posted per version must not notify the author each time.
  return author !== undefined && isMarkerLogin(author)
    ? `${codeSpan(author)} on GitHub; ${devices}`
    : devices;
}
