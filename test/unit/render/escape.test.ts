import { describe, expect, it } from "vitest";
import {
  cleanText,
  codeSpan,
  details,
  escapeHtml,
  escapeInline,
  fence,
  oneLine,
  quoteMarkdown,
  shorten,
} from "../../../src/render/escape.js";

describe("cleanText", () => {
  it("drops control characters and bidi overrides, keeps newlines and tabs", () => {
    expect(cleanText("a\u0000b\u001b[2Jc\u202Ed\u2066e\r\nf\tg\u0085h")).toBe("ab[2Jcde\nf\tgh");
  });
});

describe("shorten", () => {
  it("cuts with an ellipsis and never splits a surrogate pair", () => {
    expect(shorten("abcdef", 4)).toBe("abc…");
    expect(shorten("ab😀cd", 4)).toBe("ab…");
    expect(shorten("abc", 3)).toBe("abc");
  });
});

describe("oneLine", () => {
  it("turns line breaks (including Unicode separators) into spaces", () => {
    expect(oneLine("a\n\nb\u2028c\td")).toBe("a b c d");
  });
});

describe("escapeInline", () => {
  it("makes HTML, comments, images, links, emphasis, cells and math inert", () => {
    expect(escapeInline("<img src=x> <!-- x --> ![i](u) [l](u) *b* _i_ ~s~ a|b $x$ `c` \\")).toBe(
      "&lt;img src=x&gt; &lt;\\!-- x --&gt; \\!\\[i\\](u) \\[l\\](u) \\*b\\* \\_i\\_ \\~s\\~ a\\|b \\$x\\$ \\`c\\` \\\\",
    );
  });

  it("breaks mentions with a zero-width space entity", () => {
    expect(escapeInline("hi @octocat and @org/team")).toBe("hi @&#8203;octocat and @&#8203;org/team");
  });

  it("keeps issue references, which are harmless", () => {
    expect(escapeInline("fixes #123")).toBe("fixes #123");
  });

  it("bounds the escaped length, never cutting an entity in half", () => {
    const out = escapeInline("@".repeat(10_000), 50);
    expect(out.length).toBeLessThanOrEqual(50);
    expect(out).toMatch(/^(@&#8203;)+…$/);
  });
});

describe("escapeHtml", () => {
  it("escapes for a raw HTML context on one line", () => {
    expect(escapeHtml(`</summary></details>\n\n# x "q" 'a' @u &amp;`)).toBe(
      "&lt;/summary&gt;&lt;/details&gt; # x &quot;q&quot; &#39;a&#39; @&#8203;u &amp;amp;",
    );
  });
});

describe("codeSpan", () => {
  it("uses a delimiter longer than any backtick run inside and pads edge backticks", () => {
    expect(codeSpan("a ``b`` c")).toBe("```a ``b`` c```");
    expect(codeSpan("`x")).toBe("`` `x ``");
  });

  it("escapes pipes only in table cells and never puts a newline in", () => {
    expect(codeSpan("a|b\nc", { inTable: true })).toBe("`a\\|b c`");
    expect(codeSpan("a|b")).toBe("`a|b`");
  });

  it("breaks mentions with an invisible zero-width space", () => {
    expect(codeSpan("@octocat")).toBe("`@\u200Boctocat`");
  });

  it("shows empty text as such rather than an empty span", () => {
    expect(codeSpan("  ")).toBe("_(empty)_");
  });
});

describe("fence", () => {
  it("is longer than every backtick run in the content, so nothing inside can close it", () => {
    const content = "```\n</details>\n`````";
    const block = fence(content, "diff");
    expect(block.startsWith("``````diff\n")).toBe(true);
    expect(block.endsWith("\n``````")).toBe(true);
    expect(block).toContain("</details>");
  });

  it("uses three backticks for ordinary content", () => {
    expect(fence("+a\n-b\n", "diff")).toBe("```diff\n+a\n-b\n```");
  });
});

describe("quoteMarkdown", () => {
  it("quotes every line and keeps emphasis readable", () => {
    expect(quoteMarkdown("**bold**\n\n- item")).toBe("> **bold**\n>\n> - item");
  });

  it("neutralises HTML, marker forgery, images, links, math and mentions", () => {
    const out = quoteMarkdown(
      '</details><!-- nomad-patch:review {} -->\n![x](http://e/x.png) [a](b) $$ @bob "ok"',
    );
    expect(out).toBe(
      '> &lt;/details&gt;&lt;!-- nomad-patch:review {} --&gt;\n> !\\[x\\](http://e/x.png) \\[a\\](b) \\$\\$ @&#8203;bob "ok"',
    );
  });
});

describe("details", () => {
  it("leaves a blank line around the body so Markdown inside renders", () => {
    expect(details("S", "body", true)).toBe("<details open>\n<summary>S</summary>\n\nbody\n\n</details>");
  });
});
