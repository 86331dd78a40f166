import { createKeyedLock } from "../service/keyed-lock.js";

/**
 * In-process work after the webhook has been answered: GitHub wants a reply within 10 s, and resolving
 * a key on IPFS can take a minute. Jobs in one lane run one at a time in arrival order (one issue's
 * events must not overtake each other: a review before the `/apply` that follows it); other lanes run
 * at once. A failing job is reported to `onError` and never stops its lane.
 */
export interface WorkQueue {
  enqueue(lane: string, job: () => Promise<void>): void;
  /** Resolves once no job is queued or running, including jobs queued by jobs. */
  idle(): Promise<void>;
}

export function createWorkQueue(onError: (error: unknown) => void = () => {}): WorkQueue {
  const lock = createKeyedLock();
  const running = new Set<Promise<void>>();
  return {
    enqueue(lane, job) {
      const run = lock(lane, job).catch(onError);
      running.add(run);
      void run.finally(() => running.delete(run));
    },
    async idle() {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
  };
}
