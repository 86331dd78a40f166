import type { FieldChange, PatchReview } from "../patch-request/change-model.js";
import { type Paint, paint, paintDiffLine } from "./ansi.js";
import { compactValue } from "./compact-value.js";
import { conflictTextLines } from "./conflict-text.js";
import { entryEffectLabel, entryItemLabel } from "./entry-labels.js";
import { storageCounts, storageTreeLines } from "./storage-tree.js";
import { stripTerminalControls } from "./terminal-safe.js";
import { safe, textHeaderLines } from "./text-header.js";
import { DEFAULT_WIDTH, type TextOptions } from "./text-options.js";
import { wrapLine } from "./wrap-line.js";

/**
 * The review for a terminal: the same information as the GitHub comment, complete (a terminal has no
 * size limit; pipe it to a pager), colour only when asked, and no control character from the patch.
 */
export function renderReviewText(review: PatchReview, options: TextOptions): string {
  const p = paint(options.color);
  const width = Math.max(40, options.width ?? DEFAULT_WIDTH);
  const rule = p.dim("─".repeat(width));
  const lines = [...conflictTextLines(review, p), ...textHeaderLines(review, p, width, options.command)];
  const description = stripTerminalControls(review.patch.description.trim(), { multiline: true });
  if (description !== "")
    lines.push(
      "",
      p.bold("Description"),
      ...description.split("\n").map((l) => (l === "" ? "  │" : `  │ ${l}`)),
    );
  lines.push("", rule, ...moduleViewLines(review, p, width));
  lines.push("", p.bold("Entries"), ...entryLines(review, width));
  const diff = review.jsonDiff.replace(/\n$/, "");
  lines.push("", p.bold("JSON diff"), ...(diff === "" ? ["  (none)"] : diffLines(diff, p)));
  return `${lines.join("\n")}\n`;
}

function moduleViewLines(review: PatchReview, p: Paint, width: number): string[] {
  const view = review.moduleView;
  if (view.kind === "none") return [p.bold("Effect"), `  The effect cannot be previewed: ${safe(view.note)}`];
  if (view.kind === "fields") {
    if (view.fields.length === 0) return [p.bold("Field changes"), "  (none)"];
    return [p.bold("Field changes"), ...view.fields.flatMap((f) => fieldLines(f, width))];
  }
  const lines = [p.bold(`Files and folders (${storageCounts(view.items)})`)];
  lines.push(...storageTreeLines(view.items, safe).map((line) => `  ${paintDiffLine(line, p)}`));
  // Files without a text diff: their content CIDs, to fetch and look at (`ipfs cat`, a gateway).
  for (const item of view.items) {
    if (item.kind !== "file" || item.textDiff !== undefined) continue;
    const cids = [item.beforeContent, item.afterContent].filter((cid): cid is string => Boolean(cid));
    if (cids.length > 0) lines.push(`  ${safe(item.path)}: CID ${cids.map(safe).join(" → ")}`);
  }
  for (const item of view.items) {
    if (item.textDiff === undefined) continue;
    lines.push(
      "",
      p.bold(`${safe(item.path)} (${item.change})`),
      ...diffLines(item.textDiff.replace(/\n$/, ""), p),
    );
  }
  return lines;
}

function entryLines(review: PatchReview, width: number): string[] {
  if (review.entries.length === 0) return ["  (none)"];
  const column = Math.min(40, Math.max(...review.entries.map((entry) => safe(entry.eventId).length)));
  return review.entries.flatMap((entry) => {
    const target = safe(entryItemLabel(entry, review.target.id));
    const reason = entry.reason ? `  ${safe(entry.reason)}` : "";
    const line = `  ${String(entry.index).padStart(3)}  ${entryEffectLabel(entry).padEnd(9)}  ${safe(entry.eventId).padEnd(column)}  ${target}${reason}`;
    // Wrapped under the event id, never cut: the reason and the item are what the reviewer reads.
    return wrapLine(line, width, " ".repeat(18));
  });
}

/**
 * A field change on one line when it fits; else the path and change, then `before:` and `after:` on lines
 * of their own, wrapped. Values are never shortened: the end of a URL is what a reviewer must read.
 */
function fieldLines(field: FieldChange, width: number): string[] {
  const before = safe(compactValue(field.before, Number.POSITIVE_INFINITY) ?? "—");
  const after = safe(compactValue(field.after, Number.POSITIVE_INFINITY) ?? "—");
  const line = `  ${safe(field.path)}  ${field.change}  ${before} → ${after}`;
  if ([...line].length <= width) return [line];
  const indent = " ".repeat(12);
  return [
    ...wrapLine(`  ${safe(field.path)}  ${field.change}`, width, indent),
    ...(field.before === undefined ? [] : wrapLine(`    before: ${before}`, width, indent)),
    ...(field.after === undefined ? [] : wrapLine(`    after:  ${after}`, width, indent)),
  ];
}

function diffLines(diff: string, p: Paint): string[] {
  return diff.split("\n").map((line) => `  ${paintDiffLine(safe(line), p)}`);
}
