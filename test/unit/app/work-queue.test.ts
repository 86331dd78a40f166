import { describe, expect, it } from "vitest";
import { createDeliveryDedupe } from "../../../src/app/delivery-dedupe.js";
import { createWorkQueue } from "../../../src/app/work-queue.js";

function gate() {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

describe("the work queue", () => {
  it("runs one lane's jobs in order while another lane proceeds, and idle() waits for all", async () => {
    const queue = createWorkQueue();
    const log: string[] = [];
    const blocker = gate();
    queue.enqueue("target-a", async () => {
      await blocker.opened;
      log.push("a1");
    });
    queue.enqueue("target-a", async () => {
      log.push("a2");
    });
    queue.enqueue("target-b", async () => {
      log.push("b1");
      blocker.open();
    });
    await queue.idle();
    expect(log).toEqual(["b1", "a1", "a2"]);
  });

  it("reports a failing job and keeps its lane going; jobs queued by jobs are awaited", async () => {
    const errors: unknown[] = [];
    const queue = createWorkQueue((error) => errors.push(error));
    const log: string[] = [];
    queue.enqueue("x", async () => {
      throw new Error("boom");
    });
    queue.enqueue("x", async () => {
      queue.enqueue("y", async () => {
        log.push("nested");
      });
    });
    await queue.idle();
    expect((errors[0] as Error).message).toBe("boom");
    expect(log).toEqual(["nested"]);
  });
});

describe("the delivery dedupe", () => {
  it("accepts an id once and forgets the oldest beyond its capacity", () => {
    const first = createDeliveryDedupe(2);
    expect([first("a"), first("a"), first("b"), first("c")]).toEqual([true, false, true, true]);
    expect(first("a")).toBe(true);
    expect(first("c")).toBe(false);
  });
});
