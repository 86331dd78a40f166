/**
 * Which lines of a comment GitHub renders as lines of a plain top-level paragraph, following the block
 * rules of CommonMark and GFM closely enough to never call a line plain when it is not: a slash command
 * counts only on such a line. Everything else is left out: fenced and indented code, quotes and their
 * lazy continuation lines, list items and theirs, HTML blocks (`<pre>` to `</pre>`, `<div>` to a blank
 * line, comments), and paragraphs that a setext underline turns into a heading or a delimiter row into a
 * table header. A mistake here may only ever leave out a line GitHub shows plainly, never the reverse.
 */
export function plainParagraphLines(lines: readonly string[]): boolean[] {
  const plain = lines.map(() => false);
  let fence: { char: string; length: number } | undefined;
  let htmlEnd: RegExp | undefined;
  let paragraph: number[] | undefined; // the plain lines of the open paragraph
  let lazy = false; // a quote's or list item's paragraph is open: plain-looking lines continue it
  let inlineComment = false; // an HTML comment opened inside a paragraph hides the lines up to its end
  const close = (underlined: boolean) => {
    if (paragraph && !underlined) for (const index of paragraph) plain[index] = true;
    paragraph = undefined;
  };
  for (const [index, line] of lines.entries()) {
    if (fence) {
      if (closesFence(line, fence)) fence = undefined;
      continue;
    }
    if (htmlEnd) {
      if (htmlEnd.test(line)) htmlEnd = undefined;
      continue;
    }
    if (inlineComment) {
      inlineComment = !line.includes("-->");
      continue;
    }
    if (BLANK.test(line)) {
      close(false);
      lazy = false;
      continue;
    }
    if (paragraph && (SETEXT_UNDERLINE.test(line) || TABLE_DELIMITER.test(line))) {
      close(true);
      continue;
    }
    const opening = FENCE_OPEN.exec(line);
    const marker = opening?.[1];
    if (marker && !(marker.startsWith("`") && opening[2]?.includes("`"))) {
      close(false);
      lazy = false;
      fence = { char: marker[0] ?? "`", length: marker.length };
      continue;
    }
    const html = htmlBlock(line, paragraph !== undefined || lazy);
    if (html) {
      close(false);
      lazy = false;
      if (!html.endsHere) htmlEnd = html.end;
      continue;
    }
    if (THEMATIC_BREAK.test(line)) {
      close(false);
      lazy = false;
      continue;
    }
    const quoted = QUOTE.exec(line);
    if (quoted || LIST_ITEM.test(line)) {
      close(false);
      // A quote or item holding text keeps a paragraph open, which plain lines below continue lazily.
      const inner = quoted ? line.replace(QUOTE_MARKERS, "") : "x";
      lazy = !BLANK.test(inner) && !FENCE_OPEN.test(inner);
      continue;
    }
    if (lazy) continue;
    if (INDENTED.test(line) && !paragraph) continue; // indented code
    if (ATX_HEADING.test(line)) {
      close(false);
      continue;
    }
    paragraph ??= [];
    if (line.includes("<!--")) inlineComment = !line.slice(line.lastIndexOf("<!--")).includes("-->");
    else paragraph.push(index);
  }
  close(false);
  return plain;
}

const BLANK = /^[ \t]*$/;
const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})(.*)$/;
const QUOTE = /^ {0,3}>/;
const QUOTE_MARKERS = /^(?: {0,3}> ?)+/;
const LIST_ITEM = /^ {0,3}(?:[-+*]|\d{1,9}[.)])(?:[ \t]|$)/;
const INDENTED = /^(?: {4}|\t)/;
const ATX_HEADING = /^ {0,3}#{1,6}(?:[ \t]|$)/;
const THEMATIC_BREAK = /^ {0,3}(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$/;
const SETEXT_UNDERLINE = /^ {0,3}(?:=+|-+)[ \t]*$/;
// A GFM delimiter row (it needs a pipe, or it would be a setext underline or a break).
const TABLE_DELIMITER = /^ {0,3}(?=[^\n]*\|)\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$/;

// The HTML block start conditions of CommonMark §4.6, each with the line that ends its block.
const HTML_BLOCK_TAGS =
  "address|article|aside|base|basefont|blockquote|body|caption|center|col|colgroup|dd|details|dialog|dir|div|dl|dt|fieldset|figcaption|figure|footer|form|frame|frameset|h[1-6]|head|header|hr|html|iframe|legend|li|link|main|menu|menuitem|nav|noframes|ol|optgroup|option|p|param|search|section|summary|table|tbody|td|tfoot|th|thead|title|tr|track|ul";
const HTML_BLOCKS: readonly { start: RegExp; end: RegExp; interrupts: boolean }[] = [
  {
    start: /^ {0,3}<(?:pre|script|style|textarea)(?:[ \t>]|$)/i,
    end: /<\/(?:pre|script|style|textarea)>/i,
    interrupts: true,
  },
  { start: /^ {0,3}<!--/, end: /-->/, interrupts: true },
  { start: /^ {0,3}<\?/, end: /\?>/, interrupts: true },
  { start: /^ {0,3}<![A-Za-z]/, end: />/, interrupts: true },
  { start: /^ {0,3}<!\[CDATA\[/, end: /\]\]>/, interrupts: true },
  {
    start: new RegExp(`^ {0,3}</?(?:${HTML_BLOCK_TAGS})(?:[ \\t>]|/>|$)`, "i"),
    end: BLANK,
    interrupts: true,
  },
  {
    start: /^ {0,3}(?:<[A-Za-z][A-Za-z0-9-]*(?:[ \t]+[^<>]*)?\/?>|<\/[A-Za-z][A-Za-z0-9-]*[ \t]*>)[ \t]*$/,
    end: BLANK,
    interrupts: false,
  },
];

/** The HTML block `line` starts, if it starts one (some kinds cannot interrupt a paragraph). */
function htmlBlock(line: string, inParagraph: boolean): { end: RegExp; endsHere: boolean } | undefined {
  const block = HTML_BLOCKS.find((b) => b.start.test(line) && (b.interrupts || !inParagraph));
  if (!block) return undefined;
  // `<pre>x</pre>` ends on its first line; the end is looked for after the start.
  const endsHere = block.end !== BLANK && block.end.test(line.replace(block.start, ""));
  return { end: block.end, endsHere };
}

function closesFence(line: string, fence: { char: string; length: number }): boolean {
  const closing = /^ {0,3}(`{3,}|~{3,})[ \t]*$/.exec(line)?.[1];
  return closing !== undefined && closing[0] === fence.char && closing.length >= fence.length;
}
