import { visibleInvisible } from "./invisible.js";

/**
 * Escaping for GitHub-flavoured Markdown. Everything a patch carries (title, description, EventIds,
 * TargetIds, paths, values, diff text) is written by a stranger and ends up in a comment the bot signs,
 * so each helper here makes one rendering context inert: it cannot close our HTML, fences or table
 * cells, cannot ping anyone, cannot reference another issue, cannot show an image, cannot forge a
 * marker comment, cannot hide characters.
 */

/** Zero-width space: placed after `@` it stops GitHub's mention filter and is invisible when read. */
const ZWSP = "\u200B";

/**
 * Drops control characters, writes invisible and bidirectional characters out visibly (`⟨U+202E⟩`: they
 * make look-alikes and text that reads differently from what it is), normalises line endings to `\n`,
 * keeps tabs. Applied first in every context.
 */
export function cleanText(text: string): string {
  const normalised = text.replace(/\r\n?/g, "\n");
  // Diffs can be megabytes of ordinary text: copy unchanged runs in slices, not character by character.
  const parts: string[] = [];
  let from = 0;
  for (let i = 0; i < normalised.length; i += 1) {
    const replacement = cleanChar(normalised.charCodeAt(i));
    if (replacement === undefined) continue;
    parts.push(normalised.slice(from, i), replacement);
    from = i + 1;
  }
  if (from === 0) return normalised;
  parts.push(normalised.slice(from));
  return parts.join("");
}

/** Undefined keeps the character; otherwise what replaces it (usually nothing). */
function cleanChar(code: number): string | undefined {
  if (code >= 0x20 && code < 0x7f) return undefined;
  if (code === 0x0a || code === 0x09) return undefined;
  if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return "";
  if (code === 0x2028 || code === 0x2029) return "\n";
  return visibleInvisible(code);
}

/**
 * GitHub links `#123`, `owner/repo#123`, `GH-123` and issue, pull request and discussion URLs to other
 * issues, and notes the mention on them: a stranger's title or file name must not reach into other
 * issues through the bot. A zero-width space (added after cleaning, so it stays invisible) breaks each
 * reference; the text reads the same. Code spans and blocks are never linked and need none of this.
 */
function breakReferences(text: string): string {
  return text
    .replace(/#(?=\d)/g, `#${ZWSP}`)
    .replace(/\bGH-(?=\d)/gi, (gh) => `${gh}${ZWSP}`)
    .replace(/\/(issues|pull|pulls|discussions)\/(?=\d)/gi, (path) => `${path}${ZWSP}`);
}

/** Cuts to at most `max` UTF-16 units with an ellipsis, never inside a surrogate pair. */
export function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, Math.max(0, max - 1));
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/** One line: newlines and tabs become spaces, so a value cannot end a table row or an HTML block. */
export function oneLine(text: string): string {
  return cleanText(text).replace(/[\n\t]+/g, " ");
}

/**
 * Bounded contexts never need more than a few times `max` characters of input; cutting first keeps the
 * work proportional to what is shown, not to what a hostile patch sent.
 */
function head(text: string, max: number): string {
  return text.length > max * 4 + 64 ? text.slice(0, max * 4 + 64) : text;
}

/** Raw HTML context (`<summary>`, attribute-free elements): entities, no newline, no mention. */
export function escapeHtml(text: string, max = 300): string {
  return mapBounded(breakReferences(oneLine(head(text, max))), max, htmlChar);
}

/**
 * Inline Markdown (a heading, a sentence, a table cell): HTML becomes entities, Markdown punctuation is
 * backslash-escaped (links, images, emphasis, strikethrough, math, cells), mentions are broken.
 */
export function escapeInline(text: string, max = 300): string {
  return mapBounded(breakReferences(oneLine(head(text, max))), max, (char) =>
    MARKDOWN_PUNCTUATION.has(char) ? `\\${char}` : char === '"' || char === "'" ? char : htmlChar(char),
  );
}

const MARKDOWN_PUNCTUATION = new Set(["\\", "`", "*", "_", "[", "]", "!", "|", "~", "$"]);

function htmlChar(char: string): string {
  switch (char) {
    case "&":
      return "&amp;";
    case "<":
      return "&lt;";
    case ">":
      return "&gt;";
    case '"':
      return "&quot;";
    case "'":
      return "&#39;";
    case "@":
      return "@&#8203;";
    default:
      return char;
  }
}

/**
 * Escapes character by character and stops before the *escaped* text passes `max`, so the output is
 * bounded whatever the input (an `@` grows eightfold) and no entity or escape is ever cut in half.
 */
function mapBounded(text: string, max: number, escapeChar: (char: string) => string): string {
  let out = "";
  for (const char of text) {
    const piece = escapeChar(char);
    if (out.length + piece.length > max - 1) return `${out}…`;
    out += piece;
  }
  return out;
}

/**
 * A code span that holds any text: the delimiter is one backtick longer than the longest run inside.
 * In a table cell `|` must still be escaped (GFM splits cells before it parses code spans).
 */
export function codeSpan(text: string, options: { max?: number; inTable?: boolean } = {}): string {
  const body = mapBounded(oneLine(head(text, options.max ?? 120)), options.max ?? 120, (char) => {
    if (char === "@") return `@${ZWSP}`;
    return options.inTable && char === "|" ? "\\|" : char;
  });
  if (body.trim() === "") return "_(empty)_";
  const ticks = "`".repeat(longestRun(body, "`") + 1);
  const pad = body.startsWith("`") || body.endsWith("`") ? " " : "";
  return `${ticks}${pad}${body}${pad}${ticks}`;
}

/**
 * A fenced code block around any text: the fence is longer than every backtick run inside, so no line
 * of the content can close it. Content is kept byte for byte apart from control characters.
 */
export function fence(text: string, info = ""): string {
  const body = cleanText(text).replace(/\n$/, "");
  const ticks = "`".repeat(Math.max(3, longestRun(body, "`") + 1));
  return `${ticks}${info}\n${body}\n${ticks}`;
}

/**
 * The author's description as a block quote. Emphasis, lists and headings stay readable; raw HTML,
 * comments (marker forgery), links, images, math and mentions do not render. Links are turned off too
 * so a stranger's text cannot dress a phishing link as part of the bot's message; bare URLs still show.
 */
export function quoteMarkdown(text: string, max = 4000): string {
  const body = mapBounded(breakReferences(cleanText(head(text, max)).trim()), max, (char) =>
    QUOTE_PUNCTUATION.has(char) ? `\\${char}` : char === "'" || char === '"' ? char : htmlChar(char),
  );
  return body
    .split("\n")
    .map((line) => (line === "" ? ">" : `> ${line}`))
    .join("\n");
}

const QUOTE_PUNCTUATION = new Set(["[", "]", "$", "\\"]);

/** A collapsible section. The summary is HTML already escaped by the caller. */
export function details(summaryHtml: string, body: string, open = false): string {
  return `<details${open ? " open" : ""}>\n<summary>${summaryHtml}</summary>\n\n${body}\n\n</details>`;
}

function longestRun(text: string, char: string): number {
  let longest = 0;
  let run = 0;
  for (const c of text) {
    run = c === char ? run + 1 : 0;
    if (run > longest) longest = run;
  }
  return longest;
}
