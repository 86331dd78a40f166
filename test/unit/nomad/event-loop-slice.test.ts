import { describe, expect, it } from "vitest";
import { createEventLoopSlicer } from "../../../src/nomad/event-loop-slice.js";
import { createLimiter } from "../../../src/nomad/limiter.js";

/** A clock that moves only when the test says: each step of work "takes" what the test decides. */
function fakeClock() {
  let ms = 0;
  return { now: () => ms, advance: (by: number) => (ms += by) };
}

/** Counts the turns of the event loop that run while `work` runs, by a ticker on `setImmediate`. */
async function turnsDuring(work: () => Promise<void>): Promise<number> {
  let turns = 0;
  let ticking = true;
  const tick = () => {
    turns++;
    if (ticking) setImmediate(tick);
  };
  setImmediate(tick);
  // The ticker's first turn is not the work's doing.
  await new Promise((resolve) => setImmediate(resolve));
  const before = turns;
  await work();
  ticking = false;
  return turns - before;
}

describe("event-loop slicer", () => {
  it("lets work run on until the turn has used its slice, then hands every caller the same next turn", async () => {
    const clock = fakeClock();
    const turns: Array<() => void> = [];
    const slicer = createEventLoopSlicer({ sliceMs: 4, now: clock.now, nextTurn: (c) => turns.push(c) });
    expect(slicer.yieldIfBusy()).toBeUndefined(); // opens the turn
    clock.advance(3);
    expect(slicer.yieldIfBusy()).toBeUndefined();
    clock.advance(1);
    const first = slicer.yieldIfBusy();
    const second = slicer.yieldIfBusy();
    expect(first).toBeInstanceOf(Promise);
    expect(second).toBe(first);
    expect(turns).toHaveLength(1);
    expect(slicer.yields).toBe(0);
    let resumed = false;
    void first?.then(() => (resumed = true));
    turns[0]!();
    await first;
    expect(resumed).toBe(true);
    expect(slicer.yields).toBe(1);
    // The next turn starts a fresh slice: no waiting for time spent before it.
    expect(slicer.yieldIfBusy()).toBeUndefined();
    expect(turns).toHaveLength(2);
  });

  it("does not count a turn in which nothing waited", () => {
    const clock = fakeClock();
    const turns: Array<() => void> = [];
    const slicer = createEventLoopSlicer({ sliceMs: 4, now: clock.now, nextTurn: (c) => turns.push(c) });
    slicer.yieldIfBusy();
    turns[0]!();
    expect(slicer.yields).toBe(0);
  });

  it("gives the event loop a turn every slice of a loop whose every step is already settled", async () => {
    const clock = fakeClock();
    const slicer = createEventLoopSlicer({ sliceMs: 4, now: clock.now });
    const steps = 400;
    const turns = await turnsDuring(async () => {
      for (let i = 0; i < steps; i++) {
        await slicer.yieldIfBusy();
        clock.advance(1); // one step of work: 1 ms
        await Promise.resolve(); // a read the cache answers at once
      }
    });
    // A slice holds 4 steps and its opening one, so about 80 yields; without the slicer the ticker gets none.
    expect(slicer.yields).toBeGreaterThanOrEqual(steps / 5 - 1);
    expect(turns).toBeGreaterThanOrEqual(slicer.yields);
  });

  it("without the slicer, the same loop never gives the event loop a turn (what the slicer is for)", async () => {
    const turns = await turnsDuring(async () => {
      for (let i = 0; i < 400; i++) await Promise.resolve();
    });
    expect(turns).toBe(0);
  });

  it("makes a limiter's tasks wait for the next turn once a slice is used up, across concurrent tasks", async () => {
    const clock = fakeClock();
    const slicer = createEventLoopSlicer({ sliceMs: 4, now: clock.now });
    const limit = createLimiter(8, () => slicer.yieldIfBusy());
    const items = Array.from({ length: 1_000 }, (_, i) => i);
    let results: number[] = [];
    const turns = await turnsDuring(async () => {
      results = await Promise.all(
        items.map((i) =>
          limit(async () => {
            clock.advance(1);
            return i * 2;
          }),
        ),
      );
    });
    expect(results).toEqual(items.map((i) => i * 2));
    // A turn runs at most its slice (4 steps), the 8 tasks that waited and resume together, and the 8 that
    // start before the clock moves again: 20 steps, so at least 50 turns for 1,000.
    expect(slicer.yields).toBeGreaterThanOrEqual(50);
    expect(turns).toBeGreaterThanOrEqual(slicer.yields);
  });
});
