import type { FieldChange } from "../patch-request/change-model.js";
import { compactValue } from "./compact-value.js";
import { codeSpan } from "./escape.js";
import { EMPTY_SECTION, fitLines, type Section } from "./fit-lines.js";
import { formatNumber } from "./words.js";

const HEADING = "#### Field changes\n\n| Field | Change |\n| --- | --- |\n";
/** Long enough for any URL or description a reviewer must read whole; bounded for a hostile value. */
const MAX_VALUE = 2000;
/** A change whose two sides together pass this is stacked, before above after, so the table fits. */
const INLINE_CHANGE = 60;
/** Record fields a person recognises a record by, shown first: `Docs · https://…`. */
const LEADING_KEYS = ["Name", "Url"];

/**
 * A value module's changes, one row per field or list item, in two columns so the table fits GitHub's
 * 780 px comment column (issue 16 §4): the change cell holds `before → after`, stacked when long;
 * records as their fields (`Name · Url`), a changed record as the fields that changed. Values are
 * code spans, which wrap at `/` and `-` and keep the value whole.
 */
export function renderFieldsSection(fields: readonly FieldChange[], budget: number): Section {
  if (fields.length === 0) return { text: "#### Field changes\n\nNo field changes." };
  const rows = fields.map(
    (field) => `| ${codeSpan(field.path, { inTable: true, max: 200 })} | ${changeCell(field)} |`,
  );
  const { kept, omitted } = fitLines(
    rows,
    budget,
    HEADING.length,
    (n) => `| _…${formatNumber(n)} more fields_ | |`,
  );
  if (omitted === rows.length) return { ...EMPTY_SECTION, cut: "the field table" };
  const text = HEADING + kept.join("\n");
  return omitted > 0
    ? { text, cut: `${formatNumber(omitted)} of ${formatNumber(rows.length)} field rows` }
    : { text };
}

function changeCell(field: FieldChange): string {
  if (field.change === "added")
    return namesItself(field, field.after) ? "added" : `added: ${value(field.after)}`;
  if (field.change === "removed")
    return namesItself(field, field.before) ? "removed" : `removed: ${value(field.before)}`;
  if (isRecord(field.before) && isRecord(field.after)) return recordChange(field.before, field.after);
  return beforeAfter(value(field.before), value(field.after));
}

/** A list item whose path already is its value (`Features[beta]`) needs no value after it. */
function namesItself(field: FieldChange, item: unknown): boolean {
  return typeof item === "string" && field.path.endsWith(`[${item}]`);
}

function beforeAfter(before: string, after: string): string {
  return before.length + after.length > INLINE_CHANGE ? `${before}<br>→ ${after}` : `${before} → ${after}`;
}

/** The fields of a changed record that differ, one per line: `Url: a → b`. */
function recordChange(before: Record<string, unknown>, after: Record<string, unknown>): string {
  const keys = orderedKeys({ ...before, ...after }).filter(
    (key) => JSON.stringify(before[key]) !== JSON.stringify(after[key]),
  );
  return keys.map((key) => `${key}: ${beforeAfter(value(before[key]), value(after[key]))}`).join("<br>");
}

/** A value for a table cell: records as their non-empty fields, links as their CID, the rest as JSON. */
function value(item: unknown): string {
  if (item === undefined) return "—";
  if (isRecord(item)) {
    if (typeof item["/"] === "string" && Object.keys(item).length === 1) return span(item["/"]);
    const parts = orderedKeys(item)
      .filter((key) => key !== "Id" && !isEmpty(item[key]))
      .map((key) => (typeof item[key] === "string" ? span(item[key]) : value(item[key])));
    return parts.length > 0 ? parts.join(" · ") : span(compactValue(item, MAX_VALUE) ?? "");
  }
  return span(compactValue(item, MAX_VALUE) ?? "");
}

function span(text: string): string {
  return codeSpan(text, { inTable: true, max: MAX_VALUE });
}

function orderedKeys(record: Record<string, unknown>): string[] {
  const keys = Object.keys(record);
  return [
    ...LEADING_KEYS.filter((key) => keys.includes(key)),
    ...keys.filter((k) => !LEADING_KEYS.includes(k)).sort(),
  ];
}

function isRecord(item: unknown): item is Record<string, unknown> {
  return typeof item === "object" && item !== null && !Array.isArray(item);
}

function isEmpty(item: unknown): boolean {
  return item === "" || item === null || (Array.isArray(item) && item.length === 0);
}
