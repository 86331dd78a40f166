import { fence } from "./escape.js";
import { fitLines } from "./fit-lines.js";

/**
 * `prefix` then a fenced block of as many `lines` as fit in `budget`, the last line saying how many were
 * left out. Undefined when not even the prefix and one line fit: the caller then drops the part.
 */
export function fencedLines(
  prefix: string,
  lines: readonly string[],
  info: string,
  budget: number,
  moreLine: (omitted: number) => string,
): { text: string; omitted: number } | undefined {
  // The fence grows with the content's backtick runs; measure it on everything to be safe.
  const fenceSize = fence(lines.join("\n"), info).length - lines.join("\n").length;
  const overhead = prefix.length + fenceSize;
  const { kept, omitted } = fitLines(lines, budget, overhead, moreLine);
  if (omitted > 0 && kept.length <= 1 && lines.length > 0) return undefined;
  const text = prefix + fence(kept.join("\n"), info);
  return text.length <= budget ? { text, omitted } : undefined;
}
