import type { StorageItemChange } from "../patch-request/change-model.js";
import { details, escapeHtml, fence } from "./escape.js";
import { fencedLines } from "./fenced-lines.js";
import { EMPTY_SECTION, type Section } from "./fit-lines.js";
import { inTreeOrder } from "./storage-tree.js";
import { count, formatNumber } from "./words.js";

const HEADING = "#### File diffs\n\n";
const TRAILER_RESERVE = 120;
/**
 * Diff lines shown open before the rest are folded (issue 16 §3): the first files read without a click,
 * and a big patch does not bury what follows.
 */
export const OPEN_DIFF_LINES = 150;

/**
 * One collapsible ```diff block per text file, in the tree's order, as many as the budget holds; the
 * leading ones open while they total at most `OPEN_DIFF_LINES` lines.
 */
export function renderFileDiffsSection(items: readonly StorageItemChange[], budget: number): Section {
  const files = inTreeOrder(items).filter((item) => item.kind === "file" && item.textDiff !== undefined);
  if (files.length === 0) return EMPTY_SECTION;
  const blocks: string[] = [];
  let used = HEADING.length + TRAILER_RESERVE;
  let partial = false;
  let openLines = 0;
  for (const file of files) {
    const diff = file.textDiff ?? "";
    const lines = diff.replace(/\n$/, "").split("\n");
    const summary = summaryHtml(file, diff);
    const open = openLines >= 0 && openLines + lines.length <= OPEN_DIFF_LINES;
    // Once one file stays closed, the later ones do too: the open diffs are the leading ones.
    openLines = open ? openLines + lines.length : -1;
    const whole = details(summary, fence(diff, "diff"), open);
    if (used + whole.length + 2 <= budget) {
      blocks.push(whole);
      used += whole.length + 2;
      continue;
    }
    // The first file that does not fit is shown cut, if a useful part of it fits; the rest are counted.
    const wrapper = details(summary, "", false).length;
    const cut = fencedLines(
      "",
      lines,
      "diff",
      budget - used - wrapper - 2,
      (n) => `… ${formatNumber(n)} more lines`,
    );
    if (cut) {
      blocks.push(details(summary, cut.text, false));
      partial = true;
    }
    break;
  }
  if (blocks.length === 0)
    return { ...EMPTY_SECTION, cut: `all ${count(files.length, "file diff", "file diffs")}` };
  const full = blocks.length - (partial ? 1 : 0);
  const notShown = files.length - blocks.length;
  const trailer =
    notShown > 0 ? [`_…and ${count(notShown, "more file diff", "more file diffs")} not shown._`] : [];
  const text = HEADING + [...blocks, ...trailer].join("\n\n");
  if (full === files.length) return { text };
  const inPart = partial ? ", one shown in part" : "";
  return {
    text,
    cut: `${formatNumber(files.length - full)} of ${count(files.length, "file diff", "file diffs")}${inPart}`,
  };
}

function summaryHtml(file: StorageItemChange, diff: string): string {
  let added = 0;
  let removed = 0;
  for (const line of diff.split("\n")) {
    if (line.startsWith("+") && !line.startsWith("+++")) added += 1;
    else if (line.startsWith("-") && !line.startsWith("---")) removed += 1;
  }
  return `<code>${escapeHtml(file.path, 200)}</code> ${file.change}, +${added} −${removed}`;
}
