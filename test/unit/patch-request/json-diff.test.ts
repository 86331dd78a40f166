import { applyPatch } from "diff";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "../../../src/nomad/canonical-json.js";
import { structuredJsonDiff } from "../../../src/patch-request/json-diff.js";
import {
  CONTENT_B,
  createFile,
  deleteItem,
  fileData,
  ROOT,
  reviewSteps,
  rootFolder,
  updateFile,
} from "./storage-review-input.js";

/** The lines of one side of a diff block that mention `text`. */
const marked = (diff: string, op: "-" | "+", text: string) =>
  diff
    .split("\n")
    .filter((line) => line.startsWith(op) && !line.startsWith(`${op}${op}`) && line.includes(text));

describe("the JSON diff of a review matches list items by their id", () => {
  it("reads adding one file and removing another as one added and one removed, never as renames", async () => {
    const before = rootFolder([fileData("old.txt"), fileData("readme.txt")]);
    const review = await reviewSteps(before, [
      deleteItem("old.txt"),
      updateFile(`${ROOT}/readme.txt`, CONTENT_B),
      createFile("CHANGELOG.md"),
      updateFile(`${ROOT}/CHANGELOG.md`, CONTENT_B),
    ]);
    const diff = review.jsonDiff;
    // The file that stays is context: none of its lines is removed or added.
    expect(marked(diff, "-", "readme.txt")).toEqual([]);
    expect(marked(diff, "+", "readme.txt")).toEqual([]);
    // The removed file goes whole (id and name) and the new one comes whole.
    expect(marked(diff, "-", "old.txt")).toHaveLength(2);
    expect(marked(diff, "+", "CHANGELOG.md")).toHaveLength(2);
    expect(marked(diff, "+", "old.txt")).toEqual([]);
    expect(applyPatch(canonicalJson(review.before), diff)).toBe(canonicalJson(review.after));
  });

  it("shows a changed file's new content in place, inside its own record", async () => {
    const before = rootFolder([fileData("a.txt"), fileData("b.txt"), fileData("c.txt")]);
    const review = await reviewSteps(before, [updateFile(`${ROOT}/b.txt`, CONTENT_B)]);
    const changed = review.jsonDiff.split("\n").filter((l) => /^[-+] /.test(l));
    expect(changed).toEqual([
      expect.stringMatching(/^- +"\/": "bafkreifz/),
      expect.stringMatching(/^\+ +"\/": "bafkreihd/),
    ]);
  });

  it("matches links by Id, role pairs by member and role, and plain lists by value; the diff applies", () => {
    const role = (n: string) => ({ "/": `bafyreirole${n}` });
    const before = {
      Features: ["sync", "offline", "beta"],
      Links: [
        { Id: "home", Url: "https://a.example" },
        { Id: "docs", Url: "https://b.example" },
      ],
      Users: [
        { Role: role("1"), UserId: "k51alice" },
        { Role: role("2"), UserId: "k51bob" },
      ],
    };
    const after = {
      Features: ["sync", "beta", "themes"],
      Links: [
        { Id: "docs", Url: "https://b.example" },
        { Id: "blog", Url: "https://c.example" },
      ],
      Users: [
        { Role: role("2"), UserId: "k51bob" },
        { Role: role("1"), UserId: "k51carol" },
      ],
    };
    const diff = structuredJsonDiff(before, after);
    expect(marked(diff, "-", '"offline"')).toHaveLength(1);
    expect(marked(diff, "+", '"themes"')).toHaveLength(1);
    // "beta" stays; only its comma changes, as it becomes the middle item.
    expect(marked(diff, "-", "beta").concat(marked(diff, "+", "beta"))).toEqual([
      '-    "beta"',
      '+    "beta",',
    ]);
    expect(marked(diff, "-", "home")).toHaveLength(1);
    expect(marked(diff, "+", "blog")).toHaveLength(1);
    expect(marked(diff, "-", "docs").concat(marked(diff, "+", "docs"))).toEqual([]);
    expect(marked(diff, "-", "k51alice")).toHaveLength(1);
    expect(marked(diff, "+", "k51carol")).toHaveLength(1);
    expect(marked(diff, "-", "k51bob").concat(marked(diff, "+", "k51bob"))).toEqual([]);
    expect(applyPatch(canonicalJson(before), diff)).toBe(canonicalJson(after));
  });

  it("is empty for equal states and a valid patch between empty and full lists", () => {
    expect(structuredJsonDiff({ A: [1] }, { A: [1] })).toBe("");
    const before = { Files: [], Name: "x" };
    const after = { Files: [{ StorableItemId: "r/a", StorableItemName: "a" }], Name: "y" };
    const diff = structuredJsonDiff(before, after);
    expect(diff.split("\n").slice(0, 3)).toEqual(["--- before.json", "+++ after.json", "@@ -1,4 +1,9 @@"]);
    expect(applyPatch(canonicalJson(before), diff)).toBe(canonicalJson(after));
    expect(applyPatch(canonicalJson(after), structuredJsonDiff(after, before))).toBe(canonicalJson(before));
  });
});
