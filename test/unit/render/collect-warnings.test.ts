import { describe, expect, it } from "vitest";
import { collectWarnings } from "../../../src/render/collect-warnings.js";
import { buildReview, fakeCid } from "./review-builder.js";

describe("collectWarnings", () => {
  it("adds what the target facts imply when the producer did not list it", () => {
    const review = buildReview({ base: fakeCid("old"), publishedMatchesFold: false, canApply: false });
    expect(collectWarnings(review).map((w) => w.code)).toEqual([
      "target-moved",
      "published-differs",
      "read-only",
    ]);
  });

  it("does not repeat warnings the producer listed under the same codes", () => {
    const listed = [
      { code: "target-moved", message: "moved (producer)" },
      { code: "published-differs", message: "differs (producer)" },
      { code: "read-only", message: "read-only (producer)" },
    ];
    const review = buildReview({
      base: fakeCid("old"),
      publishedMatchesFold: false,
      canApply: false,
      warnings: listed,
    });
    expect(collectWarnings(review)).toEqual(listed);
  });

  it("adds nothing for a current base on a node that can apply", () => {
    expect(collectWarnings(buildReview())).toEqual([]);
  });
});
