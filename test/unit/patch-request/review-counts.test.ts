import { describe, expect, it } from "vitest";
import { renderReviewMarkdown } from "../../../src/render/review-markdown.js";
import { renderReviewText } from "../../../src/render/review-text.js";
import { summaryParts } from "../../../src/render/summary-parts.js";
import {
  CONTENT_B,
  createFile,
  createFolder,
  deleteItem,
  fileData,
  folderData,
  ROOT,
  reviewSteps,
  rootFolder,
  updateFile,
} from "./storage-review-input.js";

describe("a review says what each entry adds, removes or changes, and names the item", () => {
  it("counts creates as added, deletes as removed and updates as changed, in the summary and per entry", async () => {
    const before = rootFolder([fileData("readme.md"), fileData("old.txt")]);
    const docs = `${ROOT}/docs`;
    const review = await reviewSteps(before, [
      createFolder("docs"),
      createFile("guide.md", docs),
      createFile("faq.md", docs),
      deleteItem("old.txt"),
      updateFile(`${ROOT}/readme.md`, CONTENT_B),
    ]);
    expect(review.summary.byChange).toEqual({ added: 3, changed: 1, removed: 1 });
    expect(review.summary.items).toEqual({ added: 3, changed: 1, removed: 1 });
    expect(review.entries.map((e) => [e.change, e.item])).toEqual([
      ["added", "docs"],
      ["added", "docs/guide.md"],
      ["added", "docs/faq.md"],
      ["removed", "old.txt"],
      ["changed", "readme.md"],
    ]);
    expect(summaryParts(review).effects).toBe("3 added, 1 changed, 1 removed");
  });

  it("never says 'changed' for additions, and the entries table names the file, not (target)", async () => {
    const names = ["a.txt", "b.txt", "c.txt", "d.txt", "e.txt", "f.txt", "g.txt", "h.txt", "i.txt"];
    const review = await reviewSteps(
      rootFolder([]),
      names.map((name) => createFile(name)),
    );
    expect(summaryParts(review).effects).toBe("9 added");
    const markdown = renderReviewMarkdown(review);
    expect(markdown).toContain("9 entries touching 1 target: 9 added.");
    expect(markdown).toContain("| # | EventId | Item | Effect | Reason |");
    expect(markdown).toContain("| 0 | `CreateFileInFolderEvent` | `a.txt` | ➕ added |  |");
    expect(markdown).not.toContain("(target)");
    const text = renderReviewText(review, { color: false });
    expect(text).toMatch(/ {3}0 {2}added {3,}CreateFileInFolderEvent {2}a\.txt/);
  });

  it("calls a create that replaces an existing item a change, and an entry with no effect keeps its item", async () => {
    const before = rootFolder([fileData("readme.md")], [folderData("docs", [])]);
    const overwrite = createFile("readme.md");
    const review = await reviewSteps(before, [
      { ...overwrite, content: { ...(overwrite.content as object), overwrite: true } },
      createFolder("docs"),
    ]);
    expect(review.entries.map((e) => [e.effect, e.change, e.item])).toEqual([
      ["changed", "changed", "readme.md"],
      ["no-effect", undefined, "docs"],
    ]);
    expect(summaryParts(review).effects).toBe("1 changed, 1 no effect");
  });
});

describe("a value module's entries name the field and list item they act on", () => {
  it("names a link by its Id and a feature by its value", async () => {
    const { encodeBlock } = await import("../../../src/nomad/block.js");
    const { wacProjectModule } = await import("../../../src/nomad/modules/wac-project.js");
    const link = { Id: "docs", Url: "https://example.org/docs", Name: "Docs", Description: "" };
    const linkBlock = await encodeBlock(link);
    const featureBlock = await encodeBlock("beta");
    const linked = new Map<string, unknown>([
      [linkBlock.cid.toString(), link],
      [featureBlock.cid.toString(), "beta"],
    ]);
    const before = wacProjectModule.seed({ id: ROOT, sources: [] });
    const review = await reviewSteps(
      before,
      [
        {
          targetId: ROOT,
          eventId: "AddLinkAsync",
          content: { Key: null, Value: linkBlock.cid, Unset: false },
        },
        {
          targetId: ROOT,
          eventId: "AddFeatureAsync",
          content: { Key: null, Value: featureBlock.cid, Unset: false },
        },
      ],
      { module: wacProjectModule, linked: linked as never },
    );
    expect(review.entries.map((e) => [e.change, e.item])).toEqual([
      ["added", "Links[docs]"],
      ["added", "Features[beta]"],
    ]);
    expect(summaryParts(review).effects).toBe("2 added");
  });
});
