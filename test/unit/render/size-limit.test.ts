import { describe, expect, it } from "vitest";
import type { PatchReview } from "../../../src/patch-request/change-model.js";
import { renderMarkdownHeader } from "../../../src/render/markdown-header.js";
import { GITHUB_COMMENT_LIMIT } from "../../../src/render/markdown-options.js";
import { parseMarker } from "../../../src/render/marker.js";
import { renderReviewMarkdown } from "../../../src/render/review-markdown.js";
import { testAppSigner } from "../../helpers/app-key.js";
import { probeMarkdown } from "./markdown-probe.js";
import { bigDiff, buildReview, entry, PATCH_KEY, storageItem, TARGET } from "./review-builder.js";

function giantReview(files: number, jsonLines: number, entries: number): PatchReview {
  return buildReview({
    title: "Regenerate the whole site",
    description: "Every page, rebuilt.",
    module: "storage",
    entries: Array.from({ length: entries }, (_, i) =>
      entry(i, "FileUpdateEvent", "changed", { targetId: `${TARGET}/pages/page-${i}.html` }),
    ),
    moduleView: {
      kind: "storage",
      items: Array.from({ length: files }, (_, i) =>
        storageItem(`pages/section-${i % 10}/page-${i}.html`, "changed", { textDiff: bigDiff(40) }),
      ),
    },
    jsonDiff: bigDiff(jsonLines),
  });
}

/** The parts the "Not shown here" line names, which the header is rendered with. */
function leftOut(markdown: string): string[] {
  const line = markdown.match(/\*\*Not shown here:\*\* (.*)\. To see everything/)?.[1];
  return line === undefined ? [] : line.split("; ");
}

function expectIntact(markdown: string, review: PatchReview, max: number): void {
  expect(markdown.length).toBeLessThanOrEqual(max);
  expect(parseMarker(markdown)).toMatchObject({ kind: "review", key: PATCH_KEY });
  expect(markdown).toContain(renderMarkdownHeader(review, {}, leftOut(markdown)));
  expect(probeMarkdown(markdown).unclosed).toBe(false);
}

describe("renderReviewMarkdown within GitHub's size limit", () => {
  it("cuts a giant JSON diff and hundreds of file diffs, keeps the header, says what was cut", () => {
    const review = giantReview(400, 50_000, 400);
    const markdown = renderReviewMarkdown(review);
    expectIntact(markdown, review, 65_000);
    expect(markdown.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(markdown).toMatch(
      /\*\*Not shown here:\*\* .*the JSON diff.*To see everything, run `nomad-patch show /,
    );
    expect(markdown).toContain(`nomad-patch show ${PATCH_KEY}`);
    expect(markdown).toMatch(/file diffs/);
  });

  it("cuts the JSON diff first: a small patch with a huge state diff keeps its tree, files and entries", () => {
    const review = giantReview(3, 50_000, 3);
    const markdown = renderReviewMarkdown(review);
    expectIntact(markdown, review, 65_000);
    expect(leftOut(markdown)).toEqual([expect.stringMatching(/^[\d,]+ of 50,003 lines of the JSON diff$/)]);
    expect(markdown).toContain("page-2.html");
    expect(markdown).toContain("| 2 |");
    expect(markdown).toContain("more lines");
  });

  it("cuts entries, then file diffs, before the tree when the budget is tight", () => {
    const review = giantReview(60, 5_000, 300);
    const markdown = renderReviewMarkdown(review, { maxChars: 12_000 });
    expectIntact(markdown, review, 12_000);
    const notice = leftOut(markdown).join("; ");
    expect(notice).toContain("the JSON diff");
    expect(notice).toMatch(/file diffs/);
    expect(notice).toMatch(/entr/);
    expect(notice).not.toContain("tree");
    expect(markdown).toContain("page-59.html");
  });

  it("keeps even the tree within bounds for thousands of items", () => {
    const review = giantReview(5_000, 10, 5_000);
    const markdown = renderReviewMarkdown(review);
    expectIntact(markdown, review, 65_000);
    expect(markdown).toContain("more lines of the tree");
  });

  it("bounds the header whatever the patch holds: giant title, description and problem lists", () => {
    const huge = "@<`|".repeat(50_000);
    const review = buildReview({
      title: huge,
      description: huge,
      name: huge,
      entries: Array.from({ length: 2_000 }, (_, i) => entry(i, huge, "refused", { reason: huge })),
      refusals: Array.from({ length: 2_000 }, (_, i) => ({ code: "x", message: huge, entryIndex: i })),
      warnings: Array.from({ length: 2_000 }, () => ({ code: "y", message: huge })),
      jsonDiff: bigDiff(20_000),
    });
    const markdown = renderReviewMarkdown(review);
    expect(renderMarkdownHeader(review, {}).length).toBeLessThan(25_000);
    expectIntact(markdown, review, 65_000);
    expect(markdown).toContain("…and 1,985 more.");
  });

  it("never exceeds GitHub's hard limit even when asked for more, once signed", () => {
    const review = giantReview(400, 50_000, 400);
    const markdown = renderReviewMarkdown(review, { maxChars: 1_000_000 });
    const signed = testAppSigner.sign(markdown, { owner: "o", repo: "r", issueNumber: 1 });
    expect(signed.length).toBeGreaterThan(markdown.length);
    expect(signed.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
  });
});
