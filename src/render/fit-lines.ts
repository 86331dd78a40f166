/** A rendered part of the comment and, when it had to be shortened, a few words on what was cut. */
export interface Section {
  readonly text: string;
  readonly cut?: string;
}

export const EMPTY_SECTION: Section = { text: "" };

/**
 * Keeps as many leading lines as fit in `budget` characters, counting `overhead` (the wrapping
 * around them) and a closing line that says how many were left out. Joined with `\n`.
 */
export function fitLines(
  lines: readonly string[],
  budget: number,
  overhead: number,
  moreLine: (omitted: number) => string,
): { kept: string[]; omitted: number } {
  const total = lines.reduce((sum, line) => sum + line.length + 1, overhead);
  if (total <= budget) return { kept: [...lines], omitted: 0 };
  const reserve = moreLine(lines.length).length + 1;
  const kept: string[] = [];
  let used = overhead + reserve;
  for (const line of lines) {
    if (used + line.length + 1 > budget) break;
    kept.push(line);
    used += line.length + 1;
  }
  const omitted = lines.length - kept.length;
  return { kept: [...kept, moreLine(omitted)], omitted };
}
