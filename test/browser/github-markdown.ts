import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import MarkdownIt, { type StateCore } from "markdown-it";

/**
 * Markdown to HTML as GitHub renders an issue comment, close enough to judge layout: markdown-it with
 * GitHub's settings (raw HTML such as <details>, bare URLs linked, GFM tables and strikethrough, and a
 * newline inside a paragraph kept as a line break, as comments do), GitHub's alerts (`> [!NOTE]`) and
 * the colours GitHub gives a ```diff block (+ green, - red, ! orange, @@ purple).
 */
export function githubCommentHtml(markdown: string): string {
  return markdownIt.render(markdown);
}

const markdownIt = new MarkdownIt({ html: true, linkify: true, breaks: true, highlight: highlightDiff });
markdownIt.core.ruler.after("block", "github-alerts", alerts);

const ALERT_KINDS = ["NOTE", "TIP", "IMPORTANT", "WARNING", "CAUTION"] as const;

/** `> [!WARNING]` as its first line makes a block quote one of GitHub's coloured alert boxes. */
function alerts(state: StateCore): void {
  const tokens = state.tokens;
  for (let i = 0; i < tokens.length; i += 1) {
    const open = tokens[i];
    const inline = tokens[i + 2];
    if (open?.type !== "blockquote_open" || inline?.type !== "inline") continue;
    const match = /^\[!(NOTE|TIP|IMPORTANT|WARNING|CAUTION)\]\s*(\n|$)/.exec(inline.content);
    const kind = match?.[1] as (typeof ALERT_KINDS)[number] | undefined;
    if (!match || !kind) continue;
    open.tag = "div";
    open.attrSet("class", `markdown-alert markdown-alert-${kind.toLowerCase()}`);
    const close = findClose(tokens, i);
    if (close) close.tag = "div";
    inline.content = inline.content.slice(match[0].length);
    const title = new state.Token("html_block", "", 0);
    title.content = `<p class="markdown-alert-title">${kind[0]}${kind.slice(1).toLowerCase()}</p>\n`;
    tokens.splice(i + 1, 0, title);
    // An alert whose first paragraph held only the marker leaves an empty paragraph: drop it.
    if (inline.content.trim() === "") tokens.splice(i + 2, 3);
  }
}

function findClose(tokens: StateCore["tokens"], openIndex: number) {
  let depth = 0;
  for (let j = openIndex; j < tokens.length; j += 1) {
    const token = tokens[j];
    if (token?.type === "blockquote_open") depth += 1;
    if (token?.type === "blockquote_close") {
      depth -= 1;
      if (depth === 0) return token;
    }
  }
  return undefined;
}

/** GitHub's diff grammar, by the classes its stylesheet colours. Other languages stay plain. */
function highlightDiff(code: string, language: string): string {
  if (language !== "diff") return "";
  return code
    .split("\n")
    .map((line) => {
      const text = markdownIt.utils.escapeHtml(line);
      if (line.startsWith("@@")) return `<span class="pl-mdr">${text}</span>`;
      if (line.startsWith("+")) return `<span class="pl-mi1">${text}</span>`;
      if (line.startsWith("-")) return `<span class="pl-md">${text}</span>`;
      if (line.startsWith("!")) return `<span class="pl-mc">${text}</span>`;
      return text;
    })
    .join("\n");
}

const require = createRequire(import.meta.url);
const stylesheet = readFileSync(require.resolve("github-markdown-css/github-markdown-light.css"), "utf8");

/** GitHub's comment column: the width the body of a comment is laid out in. */
export const COMMENT_WIDTH = 780;
/** The bar above a comment body (avatar, author, time): the first screen starts above it. */
const COMMENT_HEADER_HEIGHT = 42;
export const PAGE_WIDTH = COMMENT_WIDTH + 2 * 16 + 2 + 2 * 16;

/** A page holding one comment as GitHub lays it out: a header bar, then the body in a 780 px column. */
export function commentPage(markdown: string, author = "nomad-patch[bot]"): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><style>${stylesheet}</style><style>
  body { margin: 0; padding: 0 16px; background: #fff; font-family: -apple-system, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; }
  .comment { border: 1px solid #d1d9e0; border-radius: 6px; width: ${COMMENT_WIDTH + 32}px; }
  .comment-header { box-sizing: border-box; height: ${COMMENT_HEADER_HEIGHT}px; padding: 0 16px; display: flex; align-items: center; background: #f6f8fa; border-bottom: 1px solid #d1d9e0; font-size: 14px; color: #59636e; }
  .comment-header b { color: #1f2328; margin-right: 4px; }
  .markdown-body { box-sizing: content-box; width: ${COMMENT_WIDTH}px; padding: 16px; font-size: 14px; }
</style></head>
<body><div class="comment"><div class="comment-header"><b>${markdownIt.utils.escapeHtml(author)}</b> commented</div>
<div class="markdown-body" id="comment">
${githubCommentHtml(markdown)}
</div></div></body></html>`;
}
