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
  it("drops control characters, writes bidi overrides out visibly, keeps newlines and tabs", () => {
    expect(cleanText("a\u0000b\u001b[2Jc\u202Ed\u2066e\r\nf\tg\u0085h")).toBe(
      "ab[2Jc⟨U+202E⟩d⟨U+2066⟩e\nf\tgh",
    );
  });

  it("writes zero-width characters out visibly: look-alike names differ", () => {
    expect(escapeInline("read\u200Bme.txt")).toBe("read⟨U+200B⟩me.txt");
    expect(codeSpan("read\u200Dme\u00ADtxt")).toBe("`read⟨U+200D⟩me⟨U+00AD⟩txt`");
    expect(escapeHtml("a\u2060b\uFEFF")).toBe("a⟨U+2060⟩b⟨U+FEFF⟩");
    // Emoji keep their variation selectors; ordinary accents are untouched.
    expect(escapeInline("⚠️ café")).toBe("⚠️ café");
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

  it("breaks references to other issues with an invisible space, in every Markdown context", () => {
    const zw = "\u200B";
    expect(escapeInline("fixes #123 and owner/repo#3, GH-7")).toBe(
      `fixes #${zw}123 and owner/repo#${zw}3, GH-${zw}7`,
    );
    expect(escapeHtml("see #9")).toBe(`see #${zw}9`);
    expect(quoteMarkdown("https://github.com/o/r/issues/12 and /pull/3")).toBe(
      `> https://github.com/o/r/issues/${zw}12 and /pull/${zw}3`,
    );
    // A heading or a hash that references nothing stays as it was.
    expect(quoteMarkdown("# Title\n#hashtag")).toBe("> # Title\n> #hashtag");
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
