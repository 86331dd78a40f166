import { CID } from "multiformats/cid";
import { describe, expect, it } from "vitest";
import type { IpldMap } from "../../../src/nomad/index.js";
import { type BaseState, detectConflicts } from "../../../src/patch-request/detect-conflicts.js";

const BASE_CID = "bafyreidykglsfhoixmivffc5uwhcgshx4j465xwqntbmu43nb2dzqwfvae";
const V1 = CID.parse("QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o");
const V2 = CID.parse("bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e");
const V3 = CID.parse("bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku");

const file = (name: string, content: CID | null) => ({
  StorableItemId: `root/${name}`,
  StorableItemName: name,
  ContentId: content,
});
const folder = (files: unknown[], folders: unknown[] = [], name = "root"): IpldMap =>
  ({ StorableItemId: name, StorableItemName: name, Files: files, Folders: folders, Sources: [] }) as IpldMap;
const project = (fields: Record<string, unknown>): IpldMap =>
  ({ Name: "", Links: [], Features: [], Sources: [], ...fields }) as IpldMap;
const link = (Id: string, Url: string) => ({ Id, Url, Name: Id, Description: "" });
const loaded = (value: IpldMap | null): BaseState => ({
  state: "loaded",
  cid: value ? BASE_CID : null,
  value,
});

describe("detectConflicts: what the patch writes that changed after its base", () => {
  it("flags a file the operator changed after the base that the patch replaces, with the three contents", () => {
    const base = folder([file("README.md", V1), file("other.txt", V1)]);
    const current = folder([file("README.md", V2), file("other.txt", V1)]);
    const after = folder([file("README.md", V3), file("other.txt", V1)]);
    const check = detectConflicts({ module: "storage", base: loaded(base), current, after });
    expect(check).toEqual({
      state: "conflicts",
      base: BASE_CID,
      conflicts: [
        {
          path: "README.md",
          kind: "file",
          base: V1.toString(),
          current: V2.toString(),
          patch: V3.toString(),
        },
      ],
    });
  });

  it("is clean when what changed since the base is not what the patch writes, or both made the same change", () => {
    const base = folder([file("README.md", V1), file("a.txt", V1)]);
    const current = folder([file("README.md", V2), file("a.txt", V3)]);
    // The patch changes a.txt the way the operator did, and leaves README.md alone.
    const after = folder([file("README.md", V2), file("a.txt", V3), file("new.txt", V1)]);
    expect(detectConflicts({ module: "storage", base: loaded(base), current, after }).state).toBe("clean");
  });

  it("flags a file added after the base inside a folder the patch deletes", () => {
    const docs = (files: unknown[]) => folder(files, [], "docs");
    const base = folder([], [docs([file("a.md", V1)])]);
    const current = folder([], [docs([file("a.md", V1), file("new.md", V2)])]);
    const after = folder([]);
    const check = detectConflicts({ module: "storage", base: loaded(base), current, after });
    expect(check.conflicts).toEqual([{ path: "docs/new.md", kind: "file", current: V2.toString() }]);
  });

  it("reads a null base as an empty target: every item the patch writes that exists now conflicts", () => {
    const current = project({ Name: "Operator's", Links: [link("x", "https://x")] });
    const after = project({ Name: "Mine", Links: [link("x", "https://x"), link("y", "https://y")] });
    const check = detectConflicts({ module: "wac-project", base: loaded(null), current, after });
    expect(check).toEqual({
      state: "conflicts",
      base: null,
      conflicts: [{ path: "Name", current: "Operator's", patch: "Mine" }],
    });
  });

  it("value fields: both sides changed is a conflict, one side only is clean, list items count one by one", () => {
    const base = project({ Name: "A", Features: ["sync"], Links: [link("x", "https://x")] });
    const current = project({ Name: "B", Features: ["sync", "offline"], Links: [link("x", "https://x2")] });
    const bothChanged = project({
      Name: "C",
      Features: ["sync", "offline", "beta"],
      Links: [link("x", "https://x3")],
    });
    const check = detectConflicts({ module: "wac-project", base: loaded(base), current, after: bothChanged });
    expect(check.conflicts).toEqual([
      {
        path: "Links[x]",
        base: link("x", "https://x"),
        current: link("x", "https://x2"),
        patch: link("x", "https://x3"),
      },
      { path: "Name", base: "A", current: "B", patch: "C" },
    ]);
    // The operator added a feature and the patch another: nothing is lost, so no conflict.
    const onlyFeatures = project({ ...current, Features: ["sync", "offline", "beta"] });
    expect(
      detectConflicts({ module: "wac-project", base: loaded(base), current, after: onlyFeatures }).state,
    ).toBe("clean");
    // Only the patch changed the description: clean.
    const onlyPatch = project({ ...current, Description: "new" });
    expect(
      detectConflicts({ module: "wac-project", base: loaded(base), current, after: onlyPatch }).state,
    ).toBe("clean");
  });

  it("says the base is unavailable instead of guessing", () => {
    const state = folder([file("README.md", V1)]);
    const check = detectConflicts({
      module: "storage",
      base: { state: "unavailable", cid: BASE_CID, note: "it timed out" },
      current: state,
      after: folder([file("README.md", V2)]),
    });
    expect(check).toEqual({ state: "base-unavailable", base: BASE_CID, conflicts: [], note: "it timed out" });
  });
});
