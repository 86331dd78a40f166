import { describe, expect, it } from "vitest";
import { GITHUB_COMMENT_LIMIT, parseMarker, renderReviewMarkdown } from "../../../src/render/index.js";
import corpus from "../../fixtures/hostile/injections.json" with { type: "json" };
import { buildReview, PATCH_KEY } from "../render/review-builder.js";

/** Everything the review comment may contain as raw HTML: the renderer's own tags and nothing else. */
const OWN_TAGS = new Set(["details", "/details", "summary", "/summary", "sub", "/sub", "br", "b", "/b"]);

function isControlOrBidi(char: string): boolean {
  const code = char.charCodeAt(0);
  return (code < 0x20 && char !== "\n" && char !== "\t") || (code >= 0x202a && code <= 0x202e);
}

function rawTags(markdown: string): string[] {
  return [...markdown.matchAll(/<(\/?[a-zA-Z][a-zA-Z0-9-]*)/g)].map((m) => (m[1] ?? "").toLowerCase());
}

/**
 * Markdown and HTML injection in a patch's title and description, rendered into the comment the bot
 * signs: each case stays text. No forged marker, no stranger's HTML, no image, link or mention, and
 * the author's lines cannot become a command, a heading or a table of ours.
 */
describe("markdown and HTML injection in titles and descriptions", () => {
  for (const { name, text } of corpus) {
    for (const where of ["title", "description"] as const) {
      it(`${name} in the ${where} stays inert`, () => {
        const markdown = renderReviewMarkdown(buildReview({ [where]: text }));
        const lines = markdown.split("\n");
        // One marker, ours, on the first line.
        expect(lines.filter((l) => l.includes("<!--"))).toHaveLength(1);
        expect(parseMarker(lines[0] ?? "")).toMatchObject({ kind: "review", key: PATCH_KEY });
        // Only the renderer's own tags, balanced.
        const tags = rawTags(markdown);
        expect(tags.filter((t) => !OWN_TAGS.has(t))).toEqual([]);
        expect(tags.filter((t) => t === "details")).toHaveLength(tags.filter((t) => t === "/details").length);
        // No image, link or mention of the author's making.
        expect(markdown).not.toMatch(/!\[pixel\]\(/);
        expect(markdown).not.toMatch(/(?<!\\)\[Approve here(?<!\\)\]\(/);
        expect(markdown).not.toMatch(/@octocat/);
        // No line of the author's can be a command, or one of our headings.
        expect(lines.some((l) => /^\/(apply|approve)\b/.test(l))).toBe(false);
        expect(lines.some((l) => /^#{1,6} (Approved|Really)/.test(l))).toBe(false);
        // Control and bidi characters never reach the comment (bidi ones are written out as ⟨U+…⟩).
        expect([...markdown].filter(isControlOrBidi)).toEqual([]);
      });
    }
  }

  it("a giant title and description are cut to fit, the header kept", () => {
    const giant = "A".repeat(2_000_000);
    const markdown = renderReviewMarkdown(buildReview({ title: giant, description: `${giant}\n`.repeat(2) }));
    expect(markdown.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(markdown).toMatch(/^### Patch request: A+…$/m);
    expect(parseMarker(markdown.split("\n")[0] ?? "")).toMatchObject({ key: PATCH_KEY });
  });
});
