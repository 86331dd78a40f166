import { InternalError } from "../errors.js";
import { yieldIfBusy } from "./event-loop-slice.js";

/**
 * Runs at most `concurrency` tasks at once; the rest wait their turn in call order. Every loop over
 * untrusted items (streams, entries, contents, references) runs its per-item reads through a limiter, so
 * this is also where such a loop gives the event loop a turn: once the current turn has run for a slice,
 * a task waits for the next one before it starts (`yieldIfBusy`), even when every read is a cache hit.
 */
export type Limiter = <T>(task: () => Promise<T>) => Promise<T>;

export function createLimiter(
  concurrency: number,
  /** Where a task waits for the event loop's next turn (a test passes its own slicer's). */
  pause: () => Promise<void> | undefined = yieldIfBusy,
): Limiter {
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new InternalError(`A limiter needs a concurrency of at least 1, got ${concurrency}`);
  }
  let running = 0;
  // A queue read from `head`: `shift()` on an array of 10,000 waiters moves them all, once per task.
  let waiting: Array<(() => void) | undefined> = [];
  let head = 0;
  // A finishing task hands its slot straight to the next waiter, so a newcomer cannot slip in between.
  const release = () => {
    const next = waiting[head];
    if (!next) {
      running--;
      return;
    }
    waiting[head++] = undefined;
    if (head === waiting.length) {
      waiting = [];
      head = 0;
    } else if (head >= 1_024 && head * 2 >= waiting.length) {
      waiting = waiting.slice(head);
      head = 0;
    }
    next();
  };
  return async (task) => {
    if (running >= concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
    else running++;
    try {
      await pause();
      return await task();
    } finally {
      release();
    }
  };
}
