import { describe, expect, it } from "vitest";
import { createSenderBudget } from "../../../src/app/sender-budget.js";

function clock(start = 0) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe("the sender budget", () => {
  it("takes keys until the window's allowance is spent, then refuses until the window ends", () => {
    const time = clock();
    const budget = createSenderBudget({ keysPerWindow: 10, windowMs: 1000, now: time.now });
    expect([budget.take("m", 5), budget.take("m", 5), budget.take("m", 1)]).toEqual([true, true, false]);
    // Another person has an allowance of their own.
    expect(budget.take("w", 10)).toBe(true);
    time.advance(1000);
    expect(budget.take("m", 10)).toBe(true);
  });

  it("says 'first refusal' once per window, and an exempt sender is not limited", () => {
    const time = clock();
    const budget = createSenderBudget({ keysPerWindow: 1, windowMs: 1000, now: time.now });
    expect(budget.take("m", 2)).toBe(false);
    expect([budget.firstRefusal("m"), budget.firstRefusal("m")]).toEqual([true, false]);
    budget.exempt("w");
    expect(budget.take("w", 1000)).toBe(true);
    time.advance(1000);
    expect(budget.firstRefusal("m")).toBe(true);
  });

  it("says 'first drop' once per window and per sender, apart from the key refusal", () => {
    const time = clock();
    const budget = createSenderBudget({ keysPerWindow: 1, windowMs: 1000, now: time.now });
    expect([budget.firstDrop("m"), budget.firstDrop("m"), budget.firstDrop("w")]).toEqual([
      true,
      false,
      true,
    ]);
    expect(budget.firstRefusal("m")).toBe(true);
    time.advance(1000);
    expect(budget.firstDrop("m")).toBe(true);
  });

  it("makes a sender low priority once their keys failed often enough, for the window", () => {
    const time = clock();
    const budget = createSenderBudget({ keysPerWindow: 100, windowMs: 1000, demoteAfter: 3, now: time.now });
    budget.failed("m", 2);
    expect(budget.isLowPriority("m")).toBe(false);
    budget.failed("m", 1);
    expect(budget.isLowPriority("m")).toBe(true);
    expect(budget.isLowPriority("w")).toBe(false);
    time.advance(1000);
    expect(budget.isLowPriority("m")).toBe(false);
  });

  it("remembers at most maxSenders people, forgetting the oldest window first", () => {
    const budget = createSenderBudget({ keysPerWindow: 1, windowMs: 1000, maxSenders: 2, now: () => 0 });
    budget.take("a", 1);
    budget.take("b", 1);
    budget.take("c", 1);
    // "a" was forgotten: a fresh allowance; "c" was kept: none left.
    expect(budget.take("a", 1)).toBe(true);
    expect(budget.take("c", 1)).toBe(false);
  });
});
