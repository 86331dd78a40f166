import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { findKeys } from "../../../src/app/find-keys.js";
import { ipnsNameArb } from "./arbitraries.js";

const keys = fc.sample(fc.uniqueArray(ipnsNameArb, { minLength: 500, maxLength: 500 }), {
  numRuns: 1,
  seed: 6,
})[0]!;

/** A comment stuffed with keys: the bot takes the first few, in order, and never more than its limit. */
describe("hundreds of keys in one comment", () => {
  it("500 distinct keys: only the first `max`, in the order written", () => {
    const text = keys
      .map((k, i) => (i % 3 === 0 ? `/ipns/${k}` : i % 3 === 1 ? `ipns://${k}` : k))
      .join("\n");
    const found = findKeys(text, { offered: false, max: 20 });
    expect(found.map((f) => f.key)).toEqual(keys.slice(0, 20));
    expect(found.every((f) => !f.offered)).toBe(true);
  });

  it("the same key 500 times in every form counts once, offered when any mention offers it", () => {
    const key = keys[0]!;
    const text = `${Array.from({ length: 500 }, () => `see ${key} and /ipns/${key}`).join("\n")}\nPatch: ${key}`;
    expect(findKeys(text, { offered: false, max: 20 })).toEqual([{ key, offered: true }]);
  });

  it("a comment-sized run of key-like letters holds no key", () => {
    const text = `k51${"a".repeat(65_000)}`;
    expect(findKeys(text, { offered: true, max: 20 })).toEqual([]);
  });
});
