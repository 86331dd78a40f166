import { describe, expect, it } from "vitest";
import { encodeBlock } from "../../../src/nomad/index.js";
import { createTargetMemo, foldCost, type RememberedFold } from "../../../src/service/target-memo.js";

async function fold(key: string, stateBytes: number): Promise<RememberedFold> {
  const state = { Name: key };
  return {
    key,
    visited: [],
    sources: [],
    unreachable: [],
    state,
    foldedCid: (await encodeBlock(state)).cid,
    stateBytes,
    matchesPublished: true,
    warnings: [],
    entryCount: 1,
    rejectedHistory: { count: 0, skipped: 0, entries: [] },
    newestTicks: 1n,
    ownStream: undefined,
    bytesRead: 100,
  };
}

describe("the memo of target folds", () => {
  it("is bounded by the estimated size of what it holds, least recently used out first", async () => {
    const a = await fold("a", 1_000);
    const memo = createTargetMemo({ maxBytes: foldCost(a) * 2 });
    memo.set(a);
    memo.set(await fold("b", 1_000));
    expect(await memo.get("a")).toBe(a); // now the most recently used
    memo.set(await fold("c", 1_000));
    expect(memo.stats().folds).toBe(2);
    expect(memo.stats().bytes).toBeLessThanOrEqual(foldCost(a) * 2);
    expect(await memo.get("b")).toBeUndefined();
    expect(await memo.get("a")).toBe(a);
    expect((await memo.get("c"))?.key).toBe("c");
  });

  it("keeps nothing larger than its whole bound, and a fold remembered again replaces the old one", async () => {
    const memo = createTargetMemo({ maxBytes: 10_000 });
    memo.set(await fold("huge", 1_000_000));
    expect(memo.stats()).toEqual({ folds: 0, bytes: 0 });
    memo.set(await fold("k", 100));
    const newer = await fold("k", 200);
    memo.set(newer);
    expect(memo.stats()).toEqual({ folds: 1, bytes: foldCost(newer) });
    expect(await memo.get("k")).toBe(newer);
  });

  it("hands out what no review can change: a mutation attempt on one hit throws and a later hit reads the same", async () => {
    const base = await fold("shared", 100);
    const cid = base.foldedCid;
    const state = { Name: "Before", Files: [{ Name: "a.txt", Tags: ["x"], Data: cid }], Meta: { Size: 1 } };
    const remembered: RememberedFold = {
      ...base,
      state,
      visited: [{ source: "k51source", streamCid: cid } as unknown as RememberedFold["visited"][number]],
      sources: ["k51source" as RememberedFold["sources"][number]],
      warnings: ["a warning"],
      rejectedHistory: {
        count: 1,
        entries: [{ cid: "bafy", eventId: "x" }],
      } as unknown as RememberedFold["rejectedHistory"],
    };
    const shelved: RememberedFold[] = [];
    const memo = createTargetMemo({
      maxBytes: 1_000_000,
      shelf: { get: async (key) => shelved.find((f) => f.key === key), put: () => {} },
    });
    memo.set(remembered);
    const hit = (await memo.get("shared")) as RememberedFold;
    const writable = hit as unknown as {
      state: { Name: string; Files: { Name: string; Tags: string[] }[]; Meta: { Size: number } };
      visited: unknown[];
      sources: string[];
      warnings: string[];
      rejectedHistory: { count: number; entries: unknown[] };
      entryCount: number;
    };
    const attempts: (() => unknown)[] = [
      () => {
        writable.state.Name = "After";
      },
      () => writable.state.Files.push({ Name: "b.txt", Tags: [] }),
      () => {
        (writable.state.Files[0] as { Name: string }).Name = "renamed";
      },
      () => (writable.state.Files[0] as { Tags: string[] }).Tags.push("y"),
      () => {
        writable.state.Meta.Size = 2;
      },
      () => {
        delete (writable.state as { Meta?: unknown }).Meta;
      },
      () => writable.visited.pop(),
      () => writable.sources.push("k51other"),
      () => writable.warnings.splice(0),
      () => {
        writable.rejectedHistory.count = 0;
      },
      () => {
        writable.entryCount = 0;
      },
      // Through the object the caller remembered, too.
      () => {
        (state as { Name: string }).Name = "After";
      },
    ];
    for (const attempt of attempts) expect(attempt).toThrow(TypeError);
    const later = (await memo.get("shared")) as RememberedFold;
    expect(later.state).toEqual({
      Name: "Before",
      Files: [{ Name: "a.txt", Tags: ["x"], Data: cid }],
      Meta: { Size: 1 },
    });
    expect(later.visited).toHaveLength(1);
    expect(later.sources).toEqual(["k51source"]);
    expect(later.warnings).toEqual(["a warning"]);
    expect(later.rejectedHistory.count).toBe(1);
    expect(later.entryCount).toBe(1);
    // The CID inside still works as a CID.
    expect((later.state.Files as { Data: typeof cid }[])[0]?.Data.toString()).toBe(cid.toString());

    // A fold read back from the shelf is frozen as it is kept.
    shelved.push({ ...(await fold("from-disk", 100)), state: { Name: "Disk", List: [1] } });
    const fromDisk = (await memo.get("from-disk")) as RememberedFold;
    expect(() => (fromDisk.state.List as number[]).push(2)).toThrow(TypeError);
    expect((await memo.get("from-disk"))?.state).toEqual({ Name: "Disk", List: [1] });
  });
});
