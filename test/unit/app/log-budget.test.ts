import { describe, expect, it } from "vitest";
import { createLogBudget } from "../../../src/app/ack-thread/log-budget.js";

describe("createLogBudget", () => {
  it("lets the first lines of a window through, counts the rest, and says the count with the next line let through", () => {
    let now = 0;
    const budget = createLogBudget({ linesPerWindow: 3, windowMs: 60_000, now: () => now });
    const taken = Array.from({ length: 10 }, () => budget.take());
    expect(taken).toEqual([
      { log: true, skipped: 0 },
      { log: true, skipped: 0 },
      { log: true, skipped: 0 },
      ...Array.from({ length: 7 }, () => ({ log: false, skipped: 0 })),
    ]);
    now = 60_000;
    expect(budget.take()).toEqual({ log: true, skipped: 7 });
    expect(budget.take()).toEqual({ log: true, skipped: 0 });
  });
});
