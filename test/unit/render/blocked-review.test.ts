import { describe, expect, it } from "vitest";
import { isApplicable } from "../../../src/patch-request/change-model.js";
import { driftProblem, unreachableBlockers } from "../../../src/patch-request/publish-blockers.js";
import {
  parseMarker,
  renderReviewJson,
  renderReviewMarkdown,
  renderReviewText,
} from "../../../src/render/index.js";
import { reviewStatus } from "../../../src/render/review-status.js";
import { buildReview, fakeCid, fakeKey } from "./review-builder.js";

const DEVICE = fakeKey("device");
const drift = {
  publishedCid: fakeCid("published"),
  allowed: false,
  changes: Array.from({ length: 40 }, (_, i) => ({
    path: `Links[l${i}]`,
    change: "removed" as const,
    before: { Id: `l${i}`, Url: "https://example.com/@someone<script>" },
  })),
};

function blocked() {
  const review = buildReview();
  return {
    ...review,
    target: { ...review.target, unreachableSources: [{ id: DEVICE, via: "paired with this node" }] },
    publishDrift: drift,
    blockers: [...unreachableBlockers([{ id: DEVICE, via: "paired with this node" }]), driftProblem(drift)],
  };
}

describe("a review an apply is blocked on", () => {
  it("is approvable but not applicable: the rules do not apply it, an approval binds as usual", () => {
    const review = blocked();
    expect(isApplicable(review)).toBe(false);
    expect(reviewStatus(review)).toMatchObject({ state: "needs-review", label: "Blocked for now" });
    expect(parseMarker(renderReviewMarkdown(review))).toMatchObject({ state: "needs-review" });
  });

  it("names the device and the drift in Markdown, escaped and bounded, and says how to allow it", () => {
    const markdown = renderReviewMarkdown(blocked());
    expect(markdown).toContain("**Blocked (an apply is refused until this clears):**");
    expect(markdown).toContain(DEVICE);
    expect(markdown).toContain("(paired with this node)");
    expect(markdown).toContain("**Beyond this patch, publishing would change**");
    expect(markdown).toContain("- …and 25 more");
    expect(markdown.match(/^- Links\\\[l\d+\\\]/gm)).toHaveLength(15);
    expect(markdown).not.toContain("<script>");
    expect(markdown).not.toMatch(/@someone/);
    expect(markdown).toContain("`allowDivergentPublish: true`");
  });

  it("shows drift values whole in Markdown (a long URL is what a reviewer must read), within a bounded list", () => {
    const url = `https://example.org/${"docs/getting-started/".repeat(8)}installing-on-windows`;
    const long = {
      ...drift,
      changes: [
        {
          path: "Links[docs]",
          change: "changed" as const,
          before: { Url: "https://example.org/a" },
          after: { Url: url },
        },
        ...Array.from({ length: 14 }, (_, i) => ({
          path: `Links[big${i}]`,
          change: "removed" as const,
          before: { Url: `https://example.org/${"x".repeat(1_900)}${i}` },
        })),
      ],
    };
    const markdown = renderReviewMarkdown({ ...blocked(), publishDrift: long });
    expect(markdown).toContain(url);
    // Whole values or none: a line that does not fit the list's budget is counted, never cut.
    const listed = markdown.match(/^- Links\\\[big\d+\\\].*$/gm) ?? [];
    for (const line of listed) expect(line).toMatch(/x{1900}\d+/);
    expect(listed.length).toBeLessThan(14);
    expect(markdown).toMatch(new RegExp(`- …and ${14 - listed.length} more`));
  });

  it("shows the same in the terminal and in JSON", () => {
    const review = blocked();
    const text = renderReviewText(review, { color: false });
    expect(text).toContain("Blocked (an apply is refused until this clears)");
    expect(text).toContain(DEVICE);
    expect(text).toContain("--allow-divergent-publish");
    const json = JSON.parse(renderReviewJson(review));
    expect(json.blockers.map((b: { code: string }) => b.code)).toEqual([
      "source-unreachable",
      "divergent-publish",
    ]);
    expect(json.publishDrift.changes).toHaveLength(40);
    expect(json.target.unreachableSources).toEqual([{ id: DEVICE, via: "paired with this node" }]);
    expect(Object.keys(json).slice(-2)).toEqual(["publishDrift", "blockers"]);
  });
});
