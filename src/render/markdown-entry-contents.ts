import type { EntryChange, PatchReview } from "../patch-request/change-model.js";
import { relativeTargetId } from "./entry-labels.js";
import { details, escapeHtml, fence, shorten } from "./escape.js";
import { EMPTY_SECTION, type Section } from "./fit-lines.js";
import { count, formatNumber } from "./words.js";

const HEADING = "#### Entry contents\n\n";
const MAX_CONTENT = 3000;
const TRAILER_RESERVE = 120;

/**
 * What the entries hold, for those whose effect cannot be previewed (all of them for a module the bot
 * does not know), so a reviewer can still judge them.
 */
export function renderEntryContentsSection(review: PatchReview, budget: number): Section {
  const shown = review.moduleView.kind === "none" ? review.entries : review.entries.filter(isUnknown);
  if (shown.length === 0) return EMPTY_SECTION;
  const blocks: string[] = [];
  let used = HEADING.length + TRAILER_RESERVE;
  for (const entry of shown) {
    const block = details(summaryHtml(entry, review.target.id), fence(contentText(entry), "json"));
    if (used + block.length + 2 > budget) break;
    blocks.push(block);
    used += block.length + 2;
  }
  if (blocks.length === 0) return { ...EMPTY_SECTION, cut: "the entry contents" };
  const left = shown.length - blocks.length;
  const trailer = left > 0 ? [`_…and ${count(left, "more entry", "more entries")} not shown._`] : [];
  const text = HEADING + [...blocks, ...trailer].join("\n\n");
  return left > 0
    ? { text, cut: `${formatNumber(left)} of ${formatNumber(shown.length)} entry contents` }
    : { text };
}

function isUnknown(entry: EntryChange): boolean {
  return entry.effect === "unknown";
}

function summaryHtml(entry: EntryChange, rootId: string): string {
  const target = escapeHtml(relativeTargetId(entry.targetId, rootId), 120);
  return `Entry ${entry.index}: <code>${escapeHtml(entry.eventId, 80)}</code> on <code>${target}</code>`;
}

function contentText(entry: EntryChange): string {
  if (entry.content === null || entry.content === undefined) return "// content unreachable";
  let text: string;
  try {
    text = JSON.stringify(entry.content, null, 2) ?? String(entry.content);
  } catch {
    text = String(entry.content);
  }
  return shorten(text, MAX_CONTENT);
}
