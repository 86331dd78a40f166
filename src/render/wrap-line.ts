/**
 * One line of plain text cut into lines of at most `width` characters (code points), continuation lines
 * starting with `indent`. Nothing is dropped: a value too long for the terminal (a URL, a CID, a JSON
 * value) is carried on to the next line instead of being shortened, at a space when one is near the end,
 * otherwise mid-word (URLs have none).
 */
export function wrapLine(line: string, width: number, indent: string): string[] {
  const chars = [...line];
  if (chars.length <= width) return [line];
  // Never less than a few characters per line, whatever the indent: the loop must always advance.
  const room = Math.max(width - indent.length, 10);
  const lines: string[] = [];
  let rest = chars;
  let first = true;
  while (rest.length > 0) {
    const available = first ? Math.max(width, 10) : room;
    if (rest.length <= available) {
      lines.push((first ? "" : indent) + rest.join(""));
      break;
    }
    const space = rest.lastIndexOf(" ", available);
    // A break at a space only when it keeps most of the line; else the value is cut mid-word.
    const at = space > available / 2 ? space : available;
    lines.push((first ? "" : indent) + rest.slice(0, at).join("").trimEnd());
    rest = rest.slice(at);
    while (rest[0] === " ") rest = rest.slice(1);
    first = false;
  }
  return lines;
}
