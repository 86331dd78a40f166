import { describe, expect, it } from "vitest";
import { approvalFacts } from "../../../src/render/markdown-header.js";
import type { ReviewMarkdownOptions } from "../../../src/render/markdown-options.js";
import { renderReviewMarkdown } from "../../../src/render/review-markdown.js";
import { fieldsReview, refusedReview, storageReview } from "./scenarios.js";

const base = { approveLabel: "nomad-patch: approve", commands: ["/apply", "/approve"] };
const rule: ReviewMarkdownOptions = {
  ...base,
  rulesReject: { by: "rule", rules: ["no-names"], reasons: ['entry 0: rule "no-names" says reject'] },
};

/** Whether a review rendered with `written` still says what `now` would say about approving it. */
const holds = (
  review: ReturnType<typeof fieldsReview>,
  written: ReviewMarkdownOptions,
  now: ReviewMarkdownOptions,
) => {
  const body = renderReviewMarkdown(review, written);
  return approvalFacts(review, now).every((fact) => body.includes(fact));
};

describe("approvalFacts", () => {
  it("are written by the review they describe, whatever it holds", () => {
    for (const review of [fieldsReview(), storageReview(), refusedReview()])
      for (const options of [base, rule, { ...base, approveLabel: "ship it", commands: ["/ship"] }])
        expect(holds(review, options, options)).toBe(true);
  });

  it("no longer hold once a rule rejects, stops rejecting, or the approve label or command changes", () => {
    const review = fieldsReview();
    expect(holds(review, base, rule)).toBe(false);
    expect(holds(review, rule, base)).toBe(false);
    expect(
      holds(review, rule, { ...rule, rulesReject: { ...rule.rulesReject!, by: "overridable-rule" } }),
    ).toBe(false);
    expect(holds(review, base, { ...base, approveLabel: "ship it" })).toBe(false);
    expect(holds(review, base, { ...base, commands: ["/ship"] })).toBe(false);
    // What approving takes is not the reviewer's to change: the refresh command, the gateway.
    expect(holds(review, base, { ...base, refreshCommand: "/again", gatewayUrl: "https://dweb.link" })).toBe(
      true,
    );
  });

  it("say nothing a refused review could change: it is never approved, whatever the rules say", () => {
    expect(holds(refusedReview(), base, rule)).toBe(true);
    expect(holds(refusedReview(), base, { ...base, approveLabel: "ship it" })).toBe(true);
  });
});

describe("the review's line on approving a version the built-in refusals reject", () => {
  const builtIn = (rules: string[]): ReviewMarkdownOptions => ({
    ...base,
    rulesReject: {
      by: "built-in",
      rules,
      reasons: ["the patch is for k51…, which is not a target of this repository"],
    },
  });

  it("says a dropped target's refusal holds while the configuration does not name it, and what lifts it", () => {
    const body = renderReviewMarkdown(fieldsReview(), {
      ...builtIn(["unknown-target"]),
      refreshCommand: "/refresh",
    });
    expect(body).toContain(
      "**Nothing to approve:** the repository's configuration does not name this patch's target, and while it does not, no approval can apply it.",
    );
    expect(body).toContain(
      "add the target under `targets:` in `.github/nomad-patch.yml` on the default branch, then comment `/refresh`",
    );
    expect(body).not.toContain("no one can override");
  });

  it("says any other built-in refusal is one no one can override", () => {
    const body = renderReviewMarkdown(fieldsReview(), builtIn(["reserved-event-id"]));
    expect(body).toContain("a built-in refusal rejects this version, and no one can override it");
  });
});
