/**
 * A DAG-JSON value on one line for a table cell or a terminal column: JSON text (strings keep their
 * quotes, so `"1"` and `1` differ), links as `{"/":"bafy…"}`, cut to `max` characters.
 * Undefined means the field is absent on that side.
 */
export function compactValue(value: unknown, max = 120): string | undefined {
  if (value === undefined) return undefined;
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    // Cycles or BigInts cannot come from a decoded block; show something rather than fail the comment.
    text = String(value);
  }
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
