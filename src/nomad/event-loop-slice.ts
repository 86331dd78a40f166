/**
 * Long work over untrusted data (a CAR export of 30,000 blocks, 10,000 entries read from a warm cache, a
 * fold, a review's diff) can run for seconds without ever giving the event loop a turn: each step awaits
 * only promises that are already settled, so the whole loop runs as one chain of microtasks, and the
 * process answers no webhook until it ends. Such loops call `yieldIfBusy()` once per step: it costs a
 * clock read while the current turn of the event loop is young, and once the turn has run for a slice it
 * returns a promise that settles on the next turn, after timers and I/O had theirs.
 */
export interface EventLoopSlicer {
  /** `undefined` while the current turn is within its slice; otherwise a promise for the next turn. */
  yieldIfBusy(): Promise<void> | undefined;
  /** How many times work waited for the next turn (for tests and benchmarks). */
  readonly yields: number;
}

export interface SlicerOptions {
  /** How long one turn may run before work waits for the next. */
  readonly sliceMs: number;
  readonly now?: () => number;
  /** Runs `callback` on the next turn of the event loop, after I/O (`setImmediate`). */
  readonly nextTurn?: (callback: () => void) => void;
}

/**
 * The first call in a turn opens a slice and asks for a callback on the next turn, which closes it: a
 * slice never spans two turns, so a loop woken by I/O is not made to wait for time spent idle. Every
 * caller past the slice waits for that same callback, so concurrent loops (eight reads at once) give the
 * turn back together and resume together.
 */
export function createEventLoopSlicer(options: SlicerOptions): EventLoopSlicer {
  const now = options.now ?? (() => performance.now());
  const nextTurn = options.nextTurn ?? ((callback) => setImmediate(callback));
  let turn: { readonly start: number; readonly ended: Promise<void> } | undefined;
  let waited = false;
  let yields = 0;
  return {
    yieldIfBusy() {
      if (!turn) {
        let end = () => {};
        const ended = new Promise<void>((resolve) => {
          end = resolve;
        });
        turn = { start: now(), ended };
        nextTurn(() => {
          turn = undefined;
          if (waited) yields++;
          waited = false;
          end();
        });
        return undefined;
      }
      if (now() - turn.start < options.sliceMs) return undefined;
      waited = true;
      return turn.ended;
    },
    get yields() {
      return yields;
    },
  };
}

/**
 * A few milliseconds: a webhook that arrives during a review waits at most about this long (plus one
 * step and a collection) for its turn, while the review pays one `setImmediate` per slice.
 */
export const SLICE_MS = 4;

const shared = createEventLoopSlicer({ sliceMs: SLICE_MS });

/** The process-wide slicer: every long loop shares the turn, so together they never hold it past a slice. */
export function yieldIfBusy(): Promise<void> | undefined {
  return shared.yieldIfBusy();
}
