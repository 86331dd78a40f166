import { CID } from "multiformats/cid";
import { describe, expect, it } from "vitest";
import type { IpldMap } from "../../../src/nomad/index.js";
import { publishDrift } from "../../../src/patch-request/publish-drift.js";

const R = "k51qzi5uqu5dh6rtvuvyr9x7jhiwku7m4o1mbp28ibo3t27wr8couy0sz47lep";
const A = CID.parse("QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o");
const B = CID.parse("bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e");
const PUBLISHED = "bafyreidykglsfhoixmivffc5uwhcgshx4j465xwqntbmu43nb2dzqwfvae";

const project = (fields: Record<string, unknown>): IpldMap =>
  ({ Name: "", Description: "", Links: [], Sources: [], ...fields }) as IpldMap;
const link = (Id: string, Url: string) => ({ Id, Url, Name: Id, Description: "" });

function drift(published: IpldMap, before: IpldMap, after: IpldMap, module = "wac-project", allowed = false) {
  return publishDrift({ module, published: { cid: PUBLISHED, value: published }, before, after, allowed });
}

describe("publishDrift: what a publish changes beyond the patch", () => {
  it("is nothing when the published value is the fold, or when nothing is published", () => {
    const state = project({ Name: "A" });
    expect(drift(state, state, project({ Name: "B" }))).toBeUndefined();
    expect(
      publishDrift({
        module: "wac-project",
        published: undefined,
        before: state,
        after: state,
        allowed: false,
      }),
    ).toBeUndefined();
  });

  it("lists fields the fold would change from the published value, leaving out those the patch changes", () => {
    const published = project({
      Name: "Published",
      Description: "Only published",
      Links: [link("x", "https://x")],
    });
    const before = project({ Name: "Folded" });
    const after = project({ Name: "Patched" });
    expect(drift(published, before, after)).toEqual({
      publishedCid: PUBLISHED,
      allowed: false,
      changes: [
        { path: "Description", change: "changed", before: "Only published", after: "" },
        { path: "Links[x]", change: "removed", before: link("x", "https://x") },
      ],
    });
  });

  it("is nothing when every difference lies where the patch writes anyway", () => {
    const published = project({ Links: [link("x", "https://old")] });
    const before = project({ Links: [link("x", "https://folded")] });
    const after = project({ Links: [] });
    expect(drift(published, before, after)).toBeUndefined();
  });

  it("compares Storage file by file, and a folder the patch deletes covers the files in it", () => {
    const file = (name: string, cid: CID, parent = R) => ({
      StorableItemId: `${parent}/${name}`,
      StorableItemName: name,
      ContentId: cid,
    });
    const root = (files: unknown[], folders: unknown[] = []) =>
      ({
        StorableItemId: R,
        StorableItemName: "Docs",
        Files: files,
        Folders: folders,
        Sources: [],
      }) as IpldMap;
    const docs = (files: unknown[]) => ({
      StorableItemId: `${R}/docs`,
      StorableItemName: "docs",
      Files: files,
      Folders: [],
      Sources: [],
    });
    const published = root([file("a.txt", B)], [docs([file("new.md", A, `${R}/docs`)])]);
    const before = root([file("a.txt", A)], [docs([])]);
    expect(drift(published, before, root([file("a.txt", A)]), "storage")?.changes).toEqual([
      { path: "a.txt", kind: "file", change: "changed" },
    ]);
  });

  it("counts a difference no view names as one change of the whole value, so nothing drifts unseen", () => {
    const root = (name: string) =>
      ({ StorableItemId: R, StorableItemName: name, Files: [], Folders: [], Sources: [] }) as IpldMap;
    expect(drift(root("Renamed elsewhere"), root("Docs"), root("Docs"), "storage", true)).toEqual({
      publishedCid: PUBLISHED,
      allowed: true,
      changes: [{ path: "(the whole value)", change: "changed" }],
    });
  });
});
