import type { PatchReview } from "../patch-request/change-model.js";
import { type Paint, paintDiffLine } from "./ansi.js";
import {
  baseUnavailableSentence,
  conflictAdvice,
  conflictSentence,
  conflictValues,
} from "./conflict-lines.js";
import { safe } from "./text-header.js";

/**
 * The conflict headline for a terminal, first thing in the review: every conflict (a terminal has no
 * size limit) and both diffs of each text file.
 */
export function conflictTextLines(review: PatchReview, p: Paint): string[] {
  const check = review.conflicts;
  if (!check || check.state === "clean") return [];
  if (check.state === "base-unavailable")
    return [p.yellow(p.bold(safe(`${baseUnavailableSentence(check)}.`))), ""];
  const lines = [
    p.red(
      p.bold(
        `CONFLICT: this patch was written against an older version of the target (base ${safe(check.base ?? "none")})`,
      ),
    ),
  ];
  for (const conflict of check.conflicts) {
    const values = conflictValues(conflict, 200);
    lines.push(`  ${p.red("✗")} ${safe(conflictSentence(conflict))}${values ? `. ${safe(values)}` : ""}`);
  }
  lines.push(`  ${safe(conflictAdvice(review.patch.key))}`);
  for (const conflict of check.conflicts) {
    if (conflict.diffNote !== undefined)
      lines.push("", `  ${safe(conflict.path)}: no text diff (${safe(conflict.diffNote)})`);
    if (conflict.currentDiff === undefined) continue;
    lines.push(
      "",
      p.bold(`${safe(conflict.path)}: changed since the base (base → current: what approving removes)`),
    );
    lines.push(...diff(conflict.currentDiff, p));
    lines.push("", p.bold(`${safe(conflict.path)}: the patch (base → patch)`));
    lines.push(...diff(conflict.patchDiff ?? "", p));
  }
  return [...lines, ""];
}

function diff(text: string, p: Paint): string[] {
  return text
    .replace(/\n$/, "")
    .split("\n")
    .map((line) => `  ${paintDiffLine(safe(line), p)}`);
}
