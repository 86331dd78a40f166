import type { StorageItemChange } from "../patch-request/change-model.js";
import { oneLine } from "./escape.js";
import { fencedLines } from "./fenced-lines.js";
import { EMPTY_SECTION, type Section } from "./fit-lines.js";
import { storageTreeLines } from "./storage-tree.js";
import { formatNumber } from "./words.js";

/** The Storage tree in a `diff` block, so GitHub colours added (+), removed (-) and changed (!) lines. */
export function renderTreeSection(items: readonly StorageItemChange[], budget: number): Section {
  if (items.length === 0) return { text: "#### Files and folders\n\nNo file or folder changes." };
  const lines = storageTreeLines(items, oneLine, "!");
  // The counts are in the header's summary line already.
  const prefix = "#### Files and folders\n\n";
  const fitted = fencedLines(
    prefix,
    lines,
    "diff",
    budget,
    (n) => `… ${formatNumber(n)} more lines of the tree`,
  );
  if (!fitted) return { ...EMPTY_SECTION, cut: "the file tree" };
  return fitted.omitted > 0
    ? {
        text: fitted.text,
        cut: `${formatNumber(fitted.omitted)} of ${formatNumber(lines.length)} lines of the file tree`,
      }
    : { text: fitted.text };
}
