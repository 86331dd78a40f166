/**
 * Splits rendered Markdown into prose and fenced-code lines following CommonMark's fence rules (a fence
 * closes only with a run of at least its own length), so tests can check that hostile text stays inside
 * its fence and that the prose around it is inert.
 */
export function probeMarkdown(markdown: string): { prose: string; fenced: string[]; unclosed: boolean } {
  const prose: string[] = [];
  const fenced: string[] = [];
  let open = 0;
  for (const line of markdown.split("\n")) {
    if (open === 0) {
      const opening = /^ {0,3}(`{3,})[^`]*$/.exec(line);
      if (opening) open = opening[1]?.length ?? 0;
      else prose.push(line);
      continue;
    }
    const closing = /^ {0,3}(`{3,})\s*$/.exec(line);
    if (closing && (closing[1]?.length ?? 0) >= open) open = 0;
    else fenced.push(line);
  }
  return { prose: prose.join("\n"), fenced, unclosed: open !== 0 };
}

/** Cells in a GFM table row: pipes not escaped with a backslash. */
export function unescapedPipes(row: string): number {
  return row.match(/(?<!\\)\|/g)?.length ?? 0;
}

export function occurrences(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

/** Prose with code spans removed (their content is shown literally, never parsed). */
export function withoutCodeSpans(prose: string): string {
  return prose.replace(/(?<![\\`])(`+)(?!`)([^\n]*?[^`\n])\1(?!`)/g, "");
}
