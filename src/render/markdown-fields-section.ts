import type { FieldChange } from "../patch-request/change-model.js";
import { compactValue } from "./compact-value.js";
import { codeSpan } from "./escape.js";
import { EMPTY_SECTION, fitLines, type Section } from "./fit-lines.js";
import { formatNumber } from "./words.js";

const HEADING = "#### Field changes\n\n| Field | Change | Before | After |\n| --- | --- | --- | --- |\n";

/** A value module's changes, one row per field, values as compact JSON in code spans. */
export function renderFieldsSection(fields: readonly FieldChange[], budget: number): Section {
  if (fields.length === 0) return { text: "#### Field changes\n\nNo field changes." };
  const rows = fields.map(
    (field) =>
      `| ${codeSpan(field.path, { inTable: true, max: 80 })} | ${field.change} | ${cell(field.before)} | ${cell(field.after)} |`,
  );
  const { kept, omitted } = fitLines(
    rows,
    budget,
    HEADING.length,
    (n) => `| _…${formatNumber(n)} more fields_ | | | |`,
  );
  if (omitted === rows.length) return { ...EMPTY_SECTION, cut: "the field table" };
  const text = HEADING + kept.join("\n");
  return omitted > 0
    ? { text, cut: `${formatNumber(omitted)} of ${formatNumber(rows.length)} field rows` }
    : { text };
}

/**
 * Values are kept whole up to a size no real field reaches (the end of a URL is what the reviewer reads);
 * the section's budget, not the cell, keeps the comment under GitHub's limit.
 */
const MAX_CELL = 2_000;

function cell(value: unknown): string {
  const text = compactValue(value, MAX_CELL);
  return text === undefined ? "—" : codeSpan(text, { inTable: true, max: MAX_CELL });
}
