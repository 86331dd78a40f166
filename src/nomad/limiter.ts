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
      // Awaited only when there is a turn to wait for: an \`await\` of nothing still costs a promise.
      const turn = pause();
      if (turn) await turn;
      return await task();
    } finally {
      release();
    }
  };
}

/**
 * How many items of a long list are in progress at once in `mapInWindow`: well above any limiter's
 * concurrency (8), so the limiter always has work queued, and far below a stream's 10,000 entries.
 */
export const MAP_WINDOW = 64;

/**
 * `Promise.all(items.map(work))`, the same results in the same order, with at most `window` items in
 * progress at once. Mapping 10,000 entries at once made 10,000 closures, promises and limiter waiters
 * that lived until their turn came, long enough to be moved to V8's old generation and to raise the
 * heap's high-water mark; here the next item starts as one finishes. After a failure no further item
 * starts, and the first failure is what the call rejects with.
 */
export async function mapInWindow<T, R>(
  items: readonly T[],
  work: (item: T, index: number) => Promise<R>,
  window: number = MAP_WINDOW,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        results[index] = await work(items[index] as T, index);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, window), items.length) }, worker));
  return results;
}
