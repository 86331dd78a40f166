import { CID } from "multiformats/cid";
import { describe, expect, it } from "vitest";
import type { IpldValue } from "../../../src/nomad/index.js";
import { diffFields } from "../../../src/patch-request/field-view.js";
import { diffStorageTrees } from "../../../src/patch-request/storage-view.js";
import { attachTextDiffs, bytesAsText, textDiffCandidates } from "../../../src/patch-request/text-diffs.js";

const R = "k51qzi5uqu5dh6rtvuvyr9x7jhiwku7m4o1mbp28ibo3t27wr8couy0sz47lep";
const A = CID.parse("QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o");
const B = CID.parse("bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e");

const file = (name: string, cid: CID | null, parent = R) => ({
  StorableItemId: `${parent}/${name}`,
  StorableItemName: name,
  ContentId: cid,
});
const folder = (name: string, files: unknown[], folders: unknown[] = [], parent = R): IpldValue =>
  ({
    StorableItemId: parent === "" ? R : `${parent}/${name}`,
    StorableItemName: name,
    Files: files,
    Folders: folders,
    Sources: [],
  }) as IpldValue;

describe("diffStorageTrees", () => {
  it("lists added, changed and removed files and whole added or removed folders by path", () => {
    const before = folder(
      "Docs",
      [file("a.txt", A), file("gone.txt", A), file("same.txt", A)],
      [folder("old", [file("x.txt", A, `${R}/old`)])],
      "",
    );
    const after = folder(
      "Docs",
      [file("a.txt", B), file("same.txt", A), file("new.txt", B)],
      [folder("photos", [file("cat.jpg", B, `${R}/photos`)])],
      "",
    );
    expect(diffStorageTrees(before, after)).toEqual([
      {
        path: "a.txt",
        kind: "file",
        change: "changed",
        beforeContent: A.toString(),
        afterContent: B.toString(),
      },
      { path: "gone.txt", kind: "file", change: "removed", beforeContent: A.toString(), afterContent: null },
      { path: "new.txt", kind: "file", change: "added", beforeContent: null, afterContent: B.toString() },
      { path: "old", kind: "folder", change: "removed" },
      { path: "old/x.txt", kind: "file", change: "removed", beforeContent: A.toString(), afterContent: null },
      { path: "photos", kind: "folder", change: "added" },
      {
        path: "photos/cat.jpg",
        kind: "file",
        change: "added",
        beforeContent: null,
        afterContent: B.toString(),
      },
    ]);
  });

  it("reports nothing for identical trees", () => {
    const tree = () => folder("Docs", [file("a.txt", A)], [folder("sub", [file("b", B, `${R}/sub`)])], "");
    expect(diffStorageTrees(tree(), tree())).toEqual([]);
  });
});

describe("text diffs", () => {
  it("diffs small text files and explains the others", () => {
    const items = diffStorageTrees(
      folder("Docs", [file("a.txt", A), file("img.bin", A)], [], ""),
      folder("Docs", [file("a.txt", B), file("img.bin", B)], [], ""),
    );
    expect(textDiffCandidates(items)).toEqual([A.toString(), B.toString()]);
    const texts = new Map([
      [A.toString(), bytesAsText(new TextEncoder().encode("hello\nworld\n"))],
      [B.toString(), bytesAsText(new TextEncoder().encode("hello\nthere\n"))],
    ]);
    const [text] = attachTextDiffs(items.slice(0, 1), texts);
    expect(text?.textDiff).toBe(
      ["--- a/a.txt", "+++ b/a.txt", "@@ -1,2 +1,2 @@", " hello", "-world", "+there"].join("\n"),
    );
    const [binary] = attachTextDiffs(
      items.slice(0, 1),
      new Map([[A.toString(), bytesAsText(new Uint8Array([0, 1, 2]))]]),
    );
    expect(binary?.textDiffNote).toBe("binary file");
    const [missing] = attachTextDiffs(items.slice(0, 1), new Map());
    expect(missing?.textDiffNote).toBe("content not fetched");
  });

  it("diffs an added file from /dev/null and a removed one to /dev/null, as git does", () => {
    const texts = new Map([[A.toString(), { text: "new\n" }]]);
    const [added] = attachTextDiffs(
      [{ path: "n.md", kind: "file", change: "added", afterContent: A.toString() }],
      texts,
    );
    expect(added?.textDiff?.split("\n").slice(0, 2)).toEqual(["--- /dev/null", "+++ b/n.md"]);
    const [removed] = attachTextDiffs(
      [{ path: "o.md", kind: "file", change: "removed", beforeContent: A.toString() }],
      texts,
    );
    expect(removed?.textDiff?.split("\n").slice(0, 2)).toEqual(["--- a/o.md", "+++ /dev/null"]);
  });

  it("treats invalid UTF-8 as binary", () => {
    expect(bytesAsText(new Uint8Array([0xff, 0xfe, 0x41]))).toEqual({
      note: "binary file",
      size: 3,
      head: new Uint8Array([0xff, 0xfe, 0x41]),
    });
    expect(bytesAsText(new TextEncoder().encode("tab\tand\nnewline"))).toEqual({
      text: "tab\tand\nnewline",
      size: 15,
    });
  });
});

describe("diffFields", () => {
  it("shows a list of plain values item by item (issue 16 §4), and the whole list when only its order changed", () => {
    const before = { Features: ["sync", "offline", "beta", "x"], Tags: ["a", "b"] };
    const after = { Features: ["sync", "offline", "x", "x", "gamma"], Tags: ["b", "a"] };
    expect(diffFields(before, after)).toEqual([
      { path: "Features[beta]", change: "removed", before: "beta" },
      { path: "Features[x]", change: "added", after: "x" },
      { path: "Features[gamma]", change: "added", after: "gamma" },
      { path: "Tags", change: "changed", before: ["a", "b"], after: ["b", "a"] },
    ]);
  });

  it("reports top-level fields and Id-keyed lists item by item, links in DAG-JSON form", () => {
    const before = {
      Name: "Old",
      Links: [
        { Id: "l1", Url: "https://a.example" },
        { Id: "l2", Url: "https://b.example" },
      ],
      Features: ["x"],
      Image: A,
    };
    const after = {
      Name: "New",
      Links: [
        { Id: "l1", Url: "https://a2.example" },
        { Id: "l3", Url: "https://c.example" },
      ],
      Features: ["x", "y"],
      Image: B,
      Category: "Tools",
    };
    expect(diffFields(before, after)).toEqual([
      { path: "Category", change: "added", after: "Tools" },
      { path: "Features[y]", change: "added", after: "y" },
      { path: "Image", change: "changed", before: { "/": A.toString() }, after: { "/": B.toString() } },
      {
        path: "Links[l1]",
        change: "changed",
        before: { Id: "l1", Url: "https://a.example" },
        after: { Id: "l1", Url: "https://a2.example" },
      },
      { path: "Links[l2]", change: "removed", before: { Id: "l2", Url: "https://b.example" } },
      { path: "Links[l3]", change: "added", after: { Id: "l3", Url: "https://c.example" } },
      { path: "Name", change: "changed", before: "Old", after: "New" },
    ]);
  });
});
