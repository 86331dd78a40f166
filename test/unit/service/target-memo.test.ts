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
    rejectedHistory: { count: 0, entries: [] },
    newestTicks: 1n,
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
});
