import { describe, expect, it } from "vitest";
import { renderReviewMarkdown } from "../../../src/render/review-markdown.js";
import { renderReviewText } from "../../../src/render/review-text.js";
import { wrapLine } from "../../../src/render/wrap-line.js";
import { buildReview, entry, field, TARGET } from "./review-builder.js";

const URL = `https://example.org/${"very-long-path-segment/".repeat(6)}the-end-a-reviewer-must-read?ref=${"x".repeat(20)}`;

/** A project review whose link URL is far longer than any terminal line, and a long entry reason. */
function longValuesReview() {
  return buildReview({
    title: "Point the docs link elsewhere",
    entries: [
      entry(0, "LinkUpdateEvent", "changed", { targetId: `${TARGET}/Links` }),
      entry(1, "DescriptionUpdateEvent", "no-effect", {
        reason: `the description is already this text, which was set by ${"an earlier patch ".repeat(5)}at the end`,
      }),
    ],
    moduleView: {
      kind: "fields",
      fields: [
        field("Links[docs].Url", "changed", "https://example.org/docs", URL),
        field("Name", "changed", "Old", "New"),
      ],
    },
  });
}

/** The lines of one section (from its heading to the next blank line). */
function section(text: string, heading: string): string[] {
  const lines = text.split("\n");
  const start = lines.indexOf(heading);
  const end = lines.indexOf("", start);
  return lines.slice(start + 1, end === -1 ? undefined : end);
}

/** The section with its wrapped lines joined again (continuations are indented past the first column). */
function unwrapped(lines: string[]): string {
  return lines.join("\n").replace(/\n {5,}/g, "");
}

describe("the terminal review at any width", () => {
  it.each([40, 60, 80, 120])(
    "keeps every field value and entry reason whole at %i columns, within the width",
    (width) => {
      const text = renderReviewText(longValuesReview(), { color: false, width });
      const fields = section(text, "Field changes");
      const entries = section(text, "Entries");
      for (const line of [...fields, ...entries]) expect([...line].length).toBeLessThanOrEqual(width);
      expect(unwrapped(fields)).toContain(`"${URL}"`);
      expect(unwrapped(fields)).toContain('"https://example.org/docs"');
      expect(entries.join(" ").replace(/\s+/g, " ")).toContain(`${"an earlier patch ".repeat(5)}at the end`);
      expect(text).not.toContain("…\n");
    },
  );

  it("keeps a field change on one line when it fits", () => {
    const text = renderReviewText(longValuesReview(), { color: false, width: 400 });
    expect(section(text, "Field changes")).toEqual([
      `  Links[docs].Url  changed  "https://example.org/docs" → "${URL}"`,
      '  Name  changed  "Old" → "New"',
    ]);
  });

  it("puts before and after on lines of their own when they do not fit", () => {
    const text = renderReviewText(longValuesReview(), { color: false, width: 80 });
    const fields = section(text, "Field changes");
    expect(fields[0]).toBe("  Links[docs].Url  changed");
    expect(fields[1]).toBe('    before: "https://example.org/docs"');
    expect(fields[2]?.startsWith('    after:  "https://example.org/')).toBe(true);
    expect(fields.at(-1)).toBe('  Name  changed  "Old" → "New"');
  });

  it("keeps the values of a publish drift whole, wrapped", () => {
    const review = {
      ...longValuesReview(),
      publishDrift: {
        publishedCid: "bafypublished",
        changes: [
          { path: "Links[home].Url", change: "changed" as const, before: "https://a.example", after: URL },
        ],
        allowed: false,
      },
    };
    const text = renderReviewText(review, { color: false, width: 60 });
    const start = text.indexOf("  ~ Links[home].Url");
    const drift = text.slice(start, text.indexOf("\n  Name the missing device", start));
    for (const line of drift.split("\n")) expect([...line].length).toBeLessThanOrEqual(60);
    // Broken at a space or mid-value: with the line breaks and spaces taken out, the values are whole.
    const squeezed = (text: string) => text.replace(/\s+/g, "");
    expect(squeezed(drift)).toContain(squeezed(`"https://a.example" → "${URL}"`));
  });

  it("keeps the full value in the Markdown", () => {
    expect(renderReviewMarkdown(longValuesReview())).toContain(URL);
  });
});

describe("wrapLine", () => {
  it("returns a line that fits as it is", () => {
    expect(wrapLine("short", 10, "  ")).toEqual(["short"]);
  });

  it("cuts a word-less value into lines of the width, losing nothing", () => {
    const value = "a".repeat(95);
    const lines = wrapLine(value, 40, "    ");
    expect(lines.map((l) => l.length)).toEqual([40, 40, 23]);
    expect(lines.map((l) => l.trimStart()).join("")).toBe(value);
  });

  it("breaks at a space near the end of the line", () => {
    expect(wrapLine("one two three four five six", 12, "  ")).toEqual([
      "one two",
      "  three four",
      "  five six",
    ]);
  });

  it("counts characters, not UTF-16 units, and never splits one", () => {
    const lines = wrapLine("😀".repeat(25), 20, "");
    expect(lines.map((l) => [...l].length)).toEqual([20, 5]);
  });

  it("advances even when the indent is wider than the width", () => {
    const lines = wrapLine("b".repeat(50), 12, " ".repeat(20));
    expect(lines.map((l) => l.trimStart()).join("")).toBe("b".repeat(50));
  });
});
