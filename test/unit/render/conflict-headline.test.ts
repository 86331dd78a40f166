import { describe, expect, it } from "vitest";
import type { Conflict, PatchReview } from "../../../src/patch-request/change-model.js";
import {
  GITHUB_COMMENT_LIMIT,
  parseMarker,
  renderReviewMarkdown,
  renderReviewText,
} from "../../../src/render/index.js";
import corpus from "../../fixtures/hostile/injections.json" with { type: "json" };
import { buildReview, fakeCid, PATCH_KEY } from "./review-builder.js";

const OWN_TAGS = new Set(["details", "/details", "summary", "/summary", "sub", "/sub", "br", "b", "/b"]);
const rawTags = (markdown: string) =>
  [...markdown.matchAll(/<(\/?[a-zA-Z][a-zA-Z0-9-]*)/g)].map((m) => (m[1] ?? "").toLowerCase());

function conflicted(conflicts: Conflict[]): PatchReview {
  return { ...buildReview(), conflicts: { state: "conflicts", base: fakeCid("base"), conflicts } };
}

const readme: Conflict = {
  path: "README.md",
  kind: "file",
  base: fakeCid("b"),
  current: fakeCid("c"),
  patch: fakeCid("p"),
  currentDiff: "--- a/README.md\n+++ b/README.md\n@@ -1,1 +1,3 @@\n # Docs\n+## Security\n+Report privately.",
  patchDiff: "--- a/README.md\n+++ b/README.md\n@@ -1,1 +1,1 @@\n-# Docs\n+# The docs",
};

describe("the conflict headline", () => {
  it("comes first, says what approving removes, and shows both sides", () => {
    const markdown = renderReviewMarkdown(conflicted([readme]));
    const parts = markdown.split("\n\n");
    expect(parseMarker(parts[0] ?? "")).toMatchObject({ kind: "review", state: "needs-review" });
    expect(parts[1]).toMatch(/^> \[!CAUTION\]/);
    expect(parts[1]).toContain(
      "README.md changed after this patch was written: approving removes those changes",
    );
    expect(parts[1]).toContain(`\`nomad-patch rebase ${PATCH_KEY}\``);
    expect(markdown.indexOf("+## Security")).toBeLessThan(markdown.indexOf("+# The docs"));
    // The two sides follow the title and the summary line, which stay on the first screen.
    expect(markdown.indexOf("+## Security")).toBeGreaterThan(markdown.indexOf("### Patch request"));

    const text = renderReviewText(conflicted([readme]), { color: false, width: 100 });
    expect(text.split("\n")[0]).toContain("CONFLICT");
    expect(text).toContain(
      "  ✗ README.md changed after this patch was written: approving removes those changes",
    );
  });

  it("stays small whatever the patch holds: ten lines, then a count", () => {
    const many = Array.from({ length: 5000 }, (_, i): Conflict => ({ ...readme, path: `f${i}.md` }));
    const markdown = renderReviewMarkdown(conflicted(many));
    expect(markdown.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(markdown).toContain("…and 4,990 more.");
    expect(markdown.match(/changed after this patch was written/g)?.length).toBe(10);
  });

  for (const { name, text } of corpus) {
    it(`${name} in a conflicting path or diff stays inert`, () => {
      const hostile: Conflict = { ...readme, path: text, currentDiff: text, patchDiff: `+${text}` };
      const field: Conflict = { path: text, base: text, current: text, patch: text };
      const whole = renderReviewMarkdown(conflicted([hostile, field]));
      // A diff is file content shown as code: inert in a fenced block, which nothing in it can close.
      const markdown = whole.replace(/^(`{3,})diff\n[\s\S]*?\n\1$/gm, "");
      expect(markdown.length).toBeLessThan(whole.length);
      const lines = markdown.split("\n");
      expect(lines.filter((l) => l.includes("<!--"))).toHaveLength(1);
      const tags = rawTags(markdown);
      expect(tags.filter((t) => !OWN_TAGS.has(t))).toEqual([]);
      expect(tags.filter((t) => t === "details")).toHaveLength(tags.filter((t) => t === "/details").length);
      expect(lines.some((l) => /^\/(apply|approve)\b/.test(l))).toBe(false);
      expect(markdown).not.toMatch(/@octocat/);
    });
  }
});
