import { describe, expect, it } from "vitest";
import type { StorageItemChange } from "../../../src/patch-request/change-model.js";
import { attachTextDiffs, type FileText, textDiffCandidates } from "../../../src/patch-request/text-diffs.js";
import { renderReviewMarkdown } from "../../../src/render/review-markdown.js";
import { bigDiff, buildReview, entry, fakeCid, PATCH_KEY, storageItem, TARGET } from "./review-builder.js";

const chapter = (i: number) => `chapters/chapter-${String(i + 1).padStart(2, "0")}.md`;

/** `n` changed text files, each with a content CID on both sides. */
function changedFiles(n: number): StorageItemChange[] {
  return Array.from({ length: n }, (_, i) =>
    storageItem(chapter(i), "changed", {
      beforeContent: fakeCid(`before-${i}`),
      afterContent: fakeCid(`after-${i}`),
    }),
  );
}

describe("the texts a review reads are counted in files (issue 16 §2)", () => {
  it("reads both sides of all 40 files of a 40-file patch, under a limit of 50 files", () => {
    const files = changedFiles(40);
    const cids = textDiffCandidates(files, 50);
    expect(cids).toHaveLength(80);
    const texts = new Map<string, FileText>(cids.map((cid) => [cid, { text: `${cid}\n` }]));
    const reviewed = attachTextDiffs(files, texts, 50);
    expect(reviewed.filter((file) => file.textDiff !== undefined)).toHaveLength(40);
    expect(reviewed.some((file) => file.textDiffNote !== undefined)).toBe(false);
  });

  it("reads the first 50 of 60 files whole and says, in files, why the other 10 have no diff", () => {
    const files = changedFiles(60);
    const cids = textDiffCandidates(files, 50);
    expect(cids).toHaveLength(100);
    expect(cids).toContain(fakeCid("after-49"));
    expect(cids).not.toContain(fakeCid("before-50"));
    const texts = new Map<string, FileText>(cids.map((cid) => [cid, { text: `${cid}\n` }]));
    const reviewed = attachTextDiffs(files, texts, 50);
    expect(reviewed.filter((file) => file.textDiff !== undefined)).toHaveLength(50);
    expect(reviewed.at(-1)?.textDiffNote).toBe(
      "not fetched: the review reads at most 50 files, and this patch touches 60",
    );
  });
});

describe("the comment never claims more than it shows (issue 16 §2)", () => {
  /** The case: 40 files; 25 diffs too large together for one comment, 15 files never fetched. */
  function fortyFiles() {
    const items = changedFiles(40).map((file, i) =>
      i < 25 ? { ...file, textDiff: bigDiff(240) } : { ...file, textDiffNote: "content not fetched" },
    );
    return buildReview({
      title: "Reword every chapter",
      module: "storage",
      entries: items.map((item, i) =>
        entry(i, "FileUpdateEvent", "changed", { targetId: `${TARGET}/${item.path}` }),
      ),
      moduleView: { kind: "storage", items },
    });
  }

  it("says in the headline what is left out and how to see it, and never that it shows exactly the change", () => {
    const markdown = renderReviewMarkdown(fortyFiles());
    expect(markdown).not.toContain("An approval applies exactly the change shown here");
    const status = markdown.split("\n").find((line) => line.startsWith("**✅")) ?? "";
    expect(status).toContain("an approval applies all of it");
    const leftOut = markdown.match(/\*\*Not shown here:\*\* (.*)/)?.[1] ?? "";
    expect(leftOut).toMatch(/[\d,]+ of 25 file diffs/);
    expect(leftOut).toContain("the text of 15 files");
    expect(leftOut).toContain(`nomad-patch show ${PATCH_KEY}`);
    // Headlined: before the tree and the diffs, right under the verdict.
    expect(markdown.indexOf("**Not shown here:**")).toBeLessThan(markdown.indexOf("#### "));
  });

  it("drops the entries table before any file diff", () => {
    const markdown = renderReviewMarkdown(fortyFiles());
    expect(markdown).not.toContain("#### Entries");
    expect(markdown.match(/\*\*Not shown here:\*\* (.*)/)?.[1]).toContain("the entries table");
    expect(markdown).toContain("chapter-01.md");
  });

  it("says an approval applies exactly what is shown when nothing is left out", () => {
    const review = buildReview({
      module: "storage",
      entries: [entry(0, "FileUpdateEvent", "changed")],
      moduleView: { kind: "storage", items: [storageItem("a.md", "changed", { textDiff: bigDiff(5) })] },
    });
    const markdown = renderReviewMarkdown(review);
    expect(markdown).toContain("An approval applies exactly the change shown here.");
    expect(markdown).not.toContain("Not shown here");
  });
});
