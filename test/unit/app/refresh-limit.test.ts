import { describe, expect, it } from "vitest";
import { createRefreshLimiter } from "../../../src/app/refresh-limit.js";

describe("createRefreshLimiter", () => {
  it("admits one refresh per person and issue per interval", () => {
    const limiter = createRefreshLimiter();
    expect(limiter.admit("o/r#1:alice", 0, 300_000)).toBe(true);
    expect(limiter.admit("o/r#1:alice", 299_999, 300_000)).toBe(false);
    expect(limiter.admit("o/r#2:alice", 1, 300_000)).toBe(true);
    expect(limiter.admit("o/r#1:bob", 1, 300_000)).toBe(true);
    expect(limiter.admit("o/r#1:alice", 300_000, 300_000)).toBe(true);
  });

  it("stays bounded, forgetting the least recently admitted first", () => {
    const limiter = createRefreshLimiter(2);
    limiter.admit("a", 0, 1000);
    limiter.admit("b", 0, 1000);
    limiter.admit("c", 0, 1000);
    expect(limiter.admit("a", 1, 1000)).toBe(true);
    expect(limiter.admit("c", 1, 1000)).toBe(false);
  });
});
