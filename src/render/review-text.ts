import type { PatchReview } from "../patch-request/change-model.js";
import { type Paint, paint, paintDiffLine } from "./ansi.js";
import { compactValue } from "./compact-value.js";
import { entryEffectLabel, entryItemLabel } from "./entry-labels.js";
import { storageCounts, storageTreeLines } from "./storage-tree.js";
import { stripTerminalControls } from "./terminal-safe.js";
import { safe, textHeaderLines } from "./text-header.js";
import { DEFAULT_WIDTH, type TextOptions } from "./text-options.js";

/**
 * The review for a terminal: the same information as the GitHub comment, complete (a terminal has no
 * size limit; pipe it to a pager), colour only when asked, and no control character from the patch.
 */
export function renderReviewText(review: PatchReview, options: TextOptions): string {
  const p = paint(options.color);
  const width = Math.max(40, options.width ?? DEFAULT_WIDTH);
  const rule = p.dim("─".repeat(width));
  const lines = [...textHeaderLines(review, p)];
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
    const cell = (value: unknown) => compactValue(value, Math.floor(width / 3)) ?? "—";
    return [
      p.bold("Field changes"),
      ...view.fields.map(
        (f) => `  ${safe(f.path)}  ${f.change}  ${safe(cell(f.before))} → ${safe(cell(f.after))}`,
      ),
    ];
  }
  const lines = [p.bold(`Files and folders (${storageCounts(view.items)})`)];
  lines.push(...storageTreeLines(view.items, safe).map((line) => `  ${paintDiffLine(line, p)}`));
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
  return review.entries.map((entry) => {
    const target = safe(entryItemLabel(entry, review.target.id));
    const reason = entry.reason ? `  ${safe(entry.reason)}` : "";
    const line = `  ${String(entry.index).padStart(3)}  ${entryEffectLabel(entry).padEnd(9)}  ${safe(entry.eventId).padEnd(column)}  ${target}${reason}`;
    return line.length > width ? `${line.slice(0, width - 1)}…` : line;
  });
}

function diffLines(diff: string, p: Paint): string[] {
  return diff.split("\n").map((line) => `  ${paintDiffLine(safe(line), p)}`);
}
