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

describe("the work queue across senders", () => {
  const sender = (login: string, low = () => false) => ({ login, lowPriority: low });

  it("runs one sender's jobs one at a time across lanes, while another sender proceeds", async () => {
    const queue = createWorkQueue();
    const log: string[] = [];
    const blocker = gate();
    queue.enqueue(
      "issue-1",
      async () => {
        await blocker.opened;
        log.push("m1");
      },
      sender("mallory"),
    );
    queue.enqueue(
      "issue-2",
      async () => {
        log.push("m2");
      },
      sender("mallory"),
    );
    queue.enqueue(
      "issue-3",
      async () => {
        log.push("w1");
        blocker.open();
      },
      sender("writer"),
    );
    await queue.idle();
    expect(log).toEqual(["w1", "m1", "m2"]);
  });

  it("starts a low-priority sender's job only while nobody else's job waits or runs", async () => {
    const queue = createWorkQueue();
    const log: string[] = [];
    const blocker = gate();
    queue.enqueue(
      "issue-9",
      async () => {
        log.push("w1 start");
        await blocker.opened;
        log.push("w1 end");
      },
      sender("writer"),
    );
    queue.enqueue(
      "issue-1",
      async () => {
        log.push("m1");
      },
      sender("mallory", () => true),
    );
    queue.enqueue(
      "issue-8",
      async () => {
        log.push("w2");
      },
      sender("other"),
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual(["w1 start", "w2"]);
    blocker.open();
    await queue.idle();
    expect(log).toEqual(["w1 start", "w2", "w1 end", "m1"]);
  });

  it("lets a low-priority sender's job go first when the job it would wait for is queued behind it in its lane", async () => {
    const queue = createWorkQueue();
    const log: string[] = [];
    const blocker = gate();
    const mallory = sender("mallory", () => true);
    queue.enqueue("issue-0", () => blocker.opened, mallory);
    queue.enqueue("issue-1", async () => void log.push("m1"), mallory);
    // Someone else's job (here a note of no sender) in the same issue, behind mallory's: it can only
    // run after m1, so m1 must not wait for it.
    queue.enqueue("issue-1", async () => void log.push("note"));
    queue.enqueue("issue-1", async () => void log.push("w1"), sender("writer"));
    blocker.open();
    await queue.idle();
    expect(log).toEqual(["m1", "note", "w1"]);
  });

  it("drops a sender's jobs beyond the most that may wait, and says so", async () => {
    const queue = createWorkQueue({ maxPendingPerSender: 2 });
    const blocker = gate();
    const ran: number[] = [];
    const accepted = [1, 2, 3, 4].map((n) =>
      queue.enqueue(
        `issue-${n}`,
        async () => {
          await blocker.opened;
          ran.push(n);
        },
        sender("mallory"),
      ),
    );
    // The first starts at once; two more may wait; the fourth is dropped.
    expect(accepted).toEqual([true, true, true, false]);
    blocker.open();
    await queue.idle();
    expect(ran).toEqual([1, 2, 3]);
  });

  it("counts a flood of one sender exactly: every job is either run once or reported dropped", async () => {
    const dropped: string[] = [];
    const queue = createWorkQueue({ onDrop: (lane) => dropped.push(lane) });
    const ran: string[] = [];
    const accepted = Array.from({ length: 1000 }, (_, n) =>
      queue.enqueue(
        `issue-${n}`,
        async () => {
          ran.push(`issue-${n}`);
        },
        sender("maintainer"),
      ),
    );
    await queue.idle();
    // Enqueued in one go: one runs, `limits.perSender` wait, the rest are dropped, each reported.
    expect(queue.limits.perSender).toBe(100);
    expect(accepted.filter(Boolean)).toHaveLength(101);
    expect(ran).toHaveLength(101);
    expect(dropped).toHaveLength(899);
    expect(new Set([...ran, ...dropped]).size).toBe(1000);
  });

  it("drops beyond the most jobs that may wait in all, whoever sends them", async () => {
    const dropped: Array<string | undefined> = [];
    const queue = createWorkQueue({ maxPending: 3, onDrop: (_, who) => dropped.push(who) });
    const blocker = gate();
    const accepted = ["a", "b", "c", "d", "e"].map((login) =>
      queue.enqueue("one-issue", () => blocker.opened, sender(login)),
    );
    // "a" runs; b, c, d wait (3 in all); e is dropped although e has nothing waiting.
    expect(accepted).toEqual([true, true, true, true, false]);
    expect(dropped).toEqual(["e"]);
    blocker.open();
    await queue.idle();
  });
});

describe("the delivery dedupe", () => {
  it("accepts an id until it is remembered, and forgets the oldest beyond its capacity", () => {
    const dedupe = createDeliveryDedupe(2);
    expect(dedupe.isNew("a")).toBe(true);
    // Not remembered (its job was dropped): a redelivery is a new chance.
    expect(dedupe.isNew("a")).toBe(true);
    for (const id of ["a", "b", "c"]) dedupe.remember(id);
    expect(["a", "b", "c"].map((id) => dedupe.isNew(id))).toEqual([true, false, false]);
  });
});
