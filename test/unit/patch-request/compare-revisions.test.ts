import { describe, expect, it } from "vitest";
import { compareRevisions, type RevisionFacts } from "../../../src/patch-request/compare-revisions.js";

const entry = (eventId: string, content: string, targetId = "kTarget") => ({ targetId, eventId, content });
const facts = (entries: RevisionFacts["entries"], title = "T", description = "D"): RevisionFacts => ({
  title,
  description,
  entries,
});

describe("compareRevisions: what changed from one version of a patch to the next", () => {
  it("counts nothing when only the order of the entries changed", () => {
    const a = entry("UpdateName", "bafyA");
    const b = entry("UpdateDescription", "bafyB");
    expect(compareRevisions(facts([a, b]), facts([b, a]))).toEqual({
      added: 0,
      removed: 0,
      changed: 0,
      title: false,
      description: false,
    });
  });

  it("tells an entry with new content for the same event (changed) from a new event (added) and a dropped one (removed)", () => {
    const before = facts([entry("UpdateName", "bafyOld"), entry("AddImage", "bafyImg")]);
    const after = facts([entry("UpdateName", "bafyNew"), entry("AddLink", "bafyLink")], "T2");
    expect(compareRevisions(before, after)).toEqual({
      added: 1,
      removed: 1,
      changed: 1,
      title: true,
      description: false,
    });
  });

  it("counts a repeated entry as often as it is proposed", () => {
    const twice = entry("AddLink", "bafyL");
    const delta = compareRevisions(facts([twice]), facts([twice, twice], "T", "D2"));
    expect(delta).toEqual({ added: 1, removed: 0, changed: 0, title: false, description: true });
  });

  it("does not pair entries of different targets as changes", () => {
    const delta = compareRevisions(
      facts([entry("UpdateName", "bafyA", "kOne")]),
      facts([entry("UpdateName", "bafyB", "kTwo")]),
    );
    expect(delta).toMatchObject({ added: 1, removed: 1, changed: 0 });
  });
});
