import { describe, expect, it } from "vitest";
import { renderReviewMarkdown } from "../../../src/render/review-markdown.js";
import { renderReviewText } from "../../../src/render/review-text.js";
import { buildReview } from "./review-builder.js";

/** Issue 13 item 6: the review names who proposed the patch and the base it was written against. */
describe("the review names the proposer and the base", () => {
  it("Markdown: the GitHub author beside the contributor's devices, and the base", () => {
    const review = buildReview();
    const markdown = renderReviewMarkdown(review, { author: "octo-contributor" });
    const proposedBy = markdown.split("\n").find((line) => line.startsWith("- **Proposed by:**"));
    expect(proposedBy).toContain("`octo-contributor` on GitHub");
    expect(proposedBy).toContain(review.patch.sources[0]);
    expect(markdown).toContain(`- **Base:** \`${review.patch.base}\``);
  });

  it("Markdown: no GitHub author line when there is none (the CLI's review)", () => {
    const markdown = renderReviewMarkdown(buildReview());
    const proposedBy = markdown.split("\n").find((line) => line.startsWith("- **Proposed by:**"));
    expect(proposedBy).toBeDefined();
    expect(proposedBy).not.toContain("on GitHub");
  });

  it("Markdown: an author that is not a GitHub login is not shown", () => {
    const markdown = renderReviewMarkdown(buildReview(), { author: "@everyone <b>x</b>" });
    expect(markdown).not.toContain("@everyone");
  });

  it("terminal text: the base and the contributor's devices in the header", () => {
    const review = buildReview();
    const text = renderReviewText(review, { color: false });
    const lines = text.split("\n");
    expect(lines.find((line) => line.startsWith("Base:"))).toContain(String(review.patch.base));
    expect(lines.find((line) => line.startsWith("From:"))).toContain(review.patch.sources[0]);
  });

  it("terminal text: a patch without a base says so", () => {
    const review = buildReview({ base: null });
    const lines = renderReviewText(review, { color: false }).split("\n");
    expect(lines.find((line) => line.startsWith("Base:"))).toContain("none given");
  });
});
