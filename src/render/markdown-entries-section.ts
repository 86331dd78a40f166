import type { PatchReview } from "../patch-request/change-model.js";
import { entryEffectWithIcon, entryItemLabel } from "./entry-labels.js";
import { codeSpan, escapeInline } from "./escape.js";
import { EMPTY_SECTION, fitLines, type Section } from "./fit-lines.js";
import { refusalListed } from "./markdown-header.js";
import { formatNumber } from "./words.js";

const HEADING =
  "#### Entries\n\n| # | EventId | Item | Effect | Reason |\n| ---: | --- | --- | --- | --- |\n";

/**
 * Every proposed entry in authoring order (0-based, as in the JSON): the item it acts on (the file or
 * folder a create or delete makes or removes, the field it sets; its TargetId where the module cannot say),
 * what it does to it and why.
 */
export function renderEntriesSection(review: PatchReview, budget: number): Section {
  if (review.entries.length === 0) return { text: "#### Entries\n\nThis patch request has no entries." };
  const rows = review.entries.map((entry) => {
    const target = entryItemLabel(entry, review.target.id);
    const reason =
      entry.effect === "refused" && refusalListed(review, entry.index)
        ? "listed under **Refused**"
        : entry.reason
          ? escapeInline(entry.reason, 200)
          : "";
    return `| ${entry.index} | ${codeSpan(entry.eventId, { inTable: true, max: 80 })} | ${codeSpan(target, { inTable: true, max: 80 })} | ${entryEffectWithIcon(entry)} | ${reason} |`;
  });
  const { kept, omitted } = fitLines(
    rows,
    budget,
    HEADING.length,
    (n) => `| | _…${formatNumber(n)} more entries_ | | | |`,
  );
  if (omitted === rows.length) return { ...EMPTY_SECTION, cut: "the entries table" };
  const text = HEADING + kept.join("\n");
  return omitted > 0
    ? { text, cut: `${formatNumber(omitted)} of ${formatNumber(rows.length)} entry rows` }
    : { text };
}
