import type { PatchReview } from "../patch-request/change-model.js";
import { details } from "./escape.js";
import { fencedLines } from "./fenced-lines.js";
import { EMPTY_SECTION, type Section } from "./fit-lines.js";
import { count, formatNumber } from "./words.js";

/** The unified diff of the canonical JSON of before and after, collapsed: complete but bulky. */
export function renderJsonDiffSection(review: PatchReview, budget: number): Section {
  const diff = review.jsonDiff.replace(/\n$/, "");
  if (diff.trim() === "") {
    const unpredictable = review.moduleView.kind === "none" || review.predictedResultCid === null;
    return {
      text: unpredictable
        ? "_No JSON diff: the effect cannot be previewed._"
        : "_The state does not change._",
    };
  }
  const lines = diff.split("\n");
  const summary = `JSON diff of the target state (${count(lines.length, "line", "lines")})`;
  const wrapper = details(summary, "").length;
  const fitted = fencedLines("", lines, "diff", budget - wrapper, (n) => `… ${formatNumber(n)} more lines`);
  if (!fitted) return { ...EMPTY_SECTION, cut: "the JSON diff" };
  const text = details(summary, fitted.text);
  return fitted.omitted > 0
    ? { text, cut: `${formatNumber(fitted.omitted)} of ${formatNumber(lines.length)} lines of the JSON diff` }
    : { text };
}
