import type { Conflict, PatchReview } from "../patch-request/change-model.js";
import {
  baseUnavailableSentence,
  conflictAdvice,
  conflictSentence,
  conflictValues,
  MAX_CONFLICT_DIFF_LINES,
  MAX_CONFLICT_DIFFS,
  MAX_CONFLICT_LINES,
} from "./conflict-lines.js";
import { codeSpan, details, escapeHtml, escapeInline, fence } from "./escape.js";
import { isMarkerCid, isMarkerKey, writeMarker } from "./marker.js";
import { formatNumber } from "./words.js";

/**
 * The top of a review whose patch conflicts with changes made after its base: one line per conflict
 * saying what approving removes. Bounded whatever the patch holds: at most 10 lines.
 */
export function renderConflictMarkdown(review: PatchReview): string {
  const check = review.conflicts;
  if (!check || check.state === "clean") return "";
  if (check.state === "base-unavailable")
    return `> [!WARNING]\n> **${escapeInline(baseUnavailableSentence(check), 600)}.**`;
  const conflicts = check.conflicts;
  const lines = conflicts.slice(0, MAX_CONFLICT_LINES).map((conflict) => {
    const values = conflictValues(conflict);
    return `> - **${escapeInline(conflictSentence(conflict), 400)}.**${values ? ` ${escapeInline(values, 300)}` : ""}`;
  });
  if (conflicts.length > MAX_CONFLICT_LINES)
    lines.push(`> - …and ${formatNumber(conflicts.length - MAX_CONFLICT_LINES)} more.`);
  const advice = adviceMarkdown(review.patch.key);
  const alert = [
    "> [!CAUTION]",
    `> **Conflict: this patch was written against an older version of the target** (base ${codeSpan(check.base ?? "none")}).`,
    ...lines,
    ">",
    `> ${advice}`,
  ].join("\n");
  return alert;
}

/**
 * Both sides of each conflicting text file (base → current, base → patch), under their own heading.
 * Placed after the review's summary line, so the title and the counts stay on the first screen
 * (issue 16 §3). Bounded: 5 files with diffs of 80 lines each.
 */
export function renderConflictSidesMarkdown(review: PatchReview): string {
  const check = review.conflicts;
  if (check?.state !== "conflicts") return "";
  const diffs = check.conflicts
    .filter((conflict) => conflict.currentDiff !== undefined || conflict.diffNote !== undefined)
    .slice(0, MAX_CONFLICT_DIFFS)
    .map(bothSides);
  return diffs.length === 0 ? "" : ["#### Conflicts: both sides", ...diffs].join("\n\n");
}

function bothSides(conflict: Conflict): string {
  const path = escapeHtml(conflict.path, 200);
  if (conflict.diffNote !== undefined)
    return `<sub>${path}: no text diff (${escapeHtml(conflict.diffNote, 200)})</sub>`;
  const side = (summary: string, diff: string) => details(summary, fence(capped(diff), "diff"), true);
  return [
    side(
      `<b>${path}</b>: changed since the base (base → current: what approving removes)`,
      conflict.currentDiff ?? "",
    ),
    side(`<b>${path}</b>: the patch (base → patch)`, conflict.patchDiff ?? ""),
  ].join("\n\n");
}

function capped(diff: string): string {
  const lines = diff.replace(/\n$/, "").split("\n");
  if (lines.length <= MAX_CONFLICT_DIFF_LINES) return lines.join("\n");
  const more = lines.length - MAX_CONFLICT_DIFF_LINES;
  return [...lines.slice(0, MAX_CONFLICT_DIFF_LINES), `… ${formatNumber(more)} more lines`].join("\n");
}

/**
 * Posted when the rules would apply a patch but it conflicts (or its base cannot be read): no rule
 * applies a lost update, so a person decides; the review above shows both sides.
 */
export function renderConflictHoldMarkdown(input: {
  readonly key: string;
  readonly cid: string;
  readonly reason: string;
  /** Whose approval was refused; absent: the rules'. */
  readonly by?: string;
}): string {
  const key = isMarkerKey(input.key) ? input.key : null;
  const cid = isMarkerCid(input.cid) ? input.cid : null;
  const lead = input.by
    ? `Approval by **${escapeInline(input.by, 60)}** refused`
    : "Not applied by the rules";
  return [
    writeMarker({ kind: "status", v: 1, state: "denied", key, cid }),
    `⚠️ **${lead}**: ${escapeInline(input.reason, 800)}.`,
    adviceMarkdown(input.key),
  ].join("\n\n");
}

function adviceMarkdown(key: string): string {
  const command = `nomad-patch rebase ${key}`;
  return escapeInline(conflictAdvice(key), 600).replace(escapeInline(command, 600), codeSpan(command));
}
