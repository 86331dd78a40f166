import { CID } from "multiformats/cid";
import { describe, expect, it } from "vitest";
import type { IpldMap } from "../../../src/nomad/index.js";
import { mergeAtoms } from "../../../src/patch-request/merge-atoms.js";
import { stateAtoms } from "../../../src/patch-request/state-atoms.js";

const project = (fields: Record<string, unknown>): IpldMap =>
  ({ Name: "A", Features: [], Links: [], ...fields }) as IpldMap;
const merge = (base: IpldMap, current: IpldMap, patch: IpldMap, module = "wac-project") =>
  mergeAtoms(stateAtoms(module, base), stateAtoms(module, current), stateAtoms(module, patch));
const CIDS: Record<string, CID> = {
  b: CID.parse("QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"),
  c: CID.parse("bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e"),
  p: CID.parse("bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"),
};
/** A file whose content is one of the CIDs above, by letter (any other letter: `b`). */
const file = (name: string, content: string) => ({
  StorableItemId: `r/${name}`,
  StorableItemName: name,
  ContentId: CIDS[content] ?? CIDS.b,
});
const folder = (name: string, files: unknown[], folders: unknown[] = []) =>
  ({
    StorableItemId: `r/${name}`,
    StorableItemName: name,
    Files: files,
    Folders: folders,
    Sources: [],
  }) as IpldMap;

describe("mergeAtoms: a three-way merge of two states' changes since a base", () => {
  it("takes each side's own changes, keeps equal ones, and reports a field both set differently", () => {
    const base = project({ Name: "A", Description: "d", Features: ["ink"] });
    const current = project({ Name: "B", Description: "d", Features: ["ink", "sync"] });
    const patch = project({ Name: "C", Description: "new", Features: ["ink", "beta"] });
    const result = merge(base, current, patch);
    expect(result.conflicts).toEqual([{ path: "Name", base: "A", current: "B", patch: "C" }]);
    expect([...result.merged.values()].map((a) => a.path).sort()).toEqual([
      "Description",
      "Features[beta]",
      "Features[ink]",
      "Features[sync]",
    ]);
    expect(result.merged.get("Description")?.value).toBe("new");
    const same = merge(base, current, project({ ...current }));
    expect(same.conflicts).toEqual([]);
  });

  it("leaves files both sides edited to a text merge, and refuses to drop a folder that gained a file", () => {
    const base = folder("root", [file("README.md", "b")], [folder("docs", [file("a.md", "x")])]);
    const current = folder(
      "root",
      [file("README.md", "c")],
      [folder("docs", [file("a.md", "x"), file("new.md", "n")])],
    );
    const patch = folder("root", [file("README.md", "p")]);
    const result = merge(base, current, patch, "storage");
    expect(result.textMerges.map((m) => [m.key, m.base?.value, m.current.value, m.patch.value])).toEqual([
      ["file:README.md", `${CIDS.b}`, `${CIDS.c}`, `${CIDS.p}`],
    ]);
    expect(result.conflicts).toEqual([{ path: "docs", kind: "folder", base: true, current: true }]);
  });
});
