import type { PatchReview, StorageItemChange } from "../patch-request/change-model.js";
import { escapeInline, shorten } from "./escape.js";
import { formatBytes } from "./file-facts.js";
import { count, formatNumber } from "./words.js";

/**
 * The one line a maintainer reads first: which target, and what the patch does to it in counts people
 * use (`**Website** (storage): 3 added · 1 changed · 1 removed · 2 binary`), then entries that do
 * nothing or will not apply. Markdown; the name is escaped, the rest is numbers and fixed words.
 */
export function targetSummaryLine(review: PatchReview): string {
  const { target, summary } = review;
  const name = target.name ? escapeInline(target.name, 100) : shorten(target.id, 16);
  const parts = [...effectCounts(review)];
  if (summary.noEffect > 0) parts.push(`${formatNumber(summary.noEffect)} no effect`);
  if (summary.invalid > 0) parts.push(`${formatNumber(summary.invalid)} invalid`);
  if (summary.refused > 0) parts.push(`${formatNumber(summary.refused)} refused`);
  return `**${name}** (${escapeInline(target.module, 60)}): ${parts.join(" · ")}`;
}

function effectCounts(review: PatchReview): string[] {
  const view = review.moduleView;
  if (view.kind === "none") {
    return [`${count(review.summary.entries, "entry", "entries")} whose effect cannot be previewed`];
  }
  const counts = review.summary.items;
  const parts = (["added", "changed", "removed"] as const)
    .filter((change) => counts[change] > 0)
    .map((change) => `${formatNumber(counts[change])} ${change}`);
  if (parts.length === 0) return ["no change"];
  if (view.kind === "storage") {
    const binary = view.items.filter((item) => item.textDiffNote?.startsWith("binary")).length;
    if (binary > 0) parts.push(`${formatNumber(binary)} binary`);
    const net = netSize(view.items);
    if (net !== undefined && net !== 0)
      parts.push(`${parts.pop()}, ${net > 0 ? "+" : "−"}${formatBytes(Math.abs(net))}`);
  }
  return parts;
}

/**
 * Bytes of file content the patch adds, net (issue 16 §3), from the sizes the review already has; no
 * file is fetched for it. Undefined when any file's size on a side where it exists is unknown.
 */
function netSize(items: readonly StorageItemChange[]): number | undefined {
  let net = 0;
  for (const item of items) {
    if (item.kind !== "file") continue;
    const before = item.change === "added" ? 0 : item.beforeSize;
    const after = item.change === "removed" ? 0 : item.afterSize;
    if (typeof before !== "number" && before !== null) return undefined;
    if (typeof after !== "number" && after !== null) return undefined;
    net += (after ?? 0) - (before ?? 0);
  }
  return net;
}
