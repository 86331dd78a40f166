/**
 * In-process work after the webhook has been answered: GitHub wants a reply within 10 s, and resolving
 * a key on IPFS can take a minute.
 * - Jobs in one lane (an issue) run one at a time in arrival order: one issue's events must not overtake
 *   each other (a review before the `/apply` that follows it).
 * - One sender's jobs run one at a time, whatever their lanes: every GitHub write of the process goes
 *   through one throttled queue (1 write/s), so a sender with 200 comments on 20 issues must not put
 *   hundreds of writes ahead of everyone else's.
 * - A sender who is `lowPriority` (their keys keep failing) starts a job only while nobody else's job
 *   waits or runs.
 * - At most `maxPendingPerSender` jobs wait per sender, and `maxPending` in all; `enqueue` drops more,
 *   tells `onDrop` and returns false (the caller tells the person: README, "Flood limits").
 * A failing job is reported to `onError` and never stops its lane.
 */
export interface WorkQueue {
  /** False when the job was dropped: its sender has too many jobs waiting. */
  enqueue(lane: string, job: () => Promise<void>, sender?: JobSender): boolean;
  /** The most jobs that may wait per sender, and in all. */
  readonly limits: { readonly perSender: number; readonly total: number };
  /** Resolves once no job is queued or running, including jobs queued by jobs. */
  idle(): Promise<void>;
}

/** The person whose event caused a job. */
export interface JobSender {
  readonly login: string;
  /** Asked whenever the queue picks the next job: priority can change while a job waits. */
  readonly lowPriority: () => boolean;
}

export interface WorkQueueOptions {
  readonly onError?: (error: unknown) => void;
  readonly maxPendingPerSender?: number;
  /** Jobs waiting in all, whoever sent them: what memory (and the disk queue) may hold. */
  readonly maxPending?: number;
  /** Told of every job `enqueue` dropped. */
  readonly onDrop?: (lane: string, sender: string | undefined) => void;
}

interface Pending {
  readonly lane: string;
  /** Undefined: a job no person caused, bound by its lane only. */
  readonly sender: string | undefined;
  readonly low: () => boolean;
  readonly run: () => Promise<void>;
}

export const DEFAULT_MAX_PENDING_PER_SENDER = 100;
export const DEFAULT_MAX_PENDING = 5000;

export function createWorkQueue(options: WorkQueueOptions | ((error: unknown) => void) = {}): WorkQueue {
  const settings = typeof options === "function" ? { onError: options } : options;
  const { onError = () => {}, onDrop = () => {} } = settings;
  const maxPendingPerSender = settings.maxPendingPerSender ?? DEFAULT_MAX_PENDING_PER_SENDER;
  const maxPending = settings.maxPending ?? DEFAULT_MAX_PENDING;
  // Waiting jobs in arrival order; only the first of each lane may start.
  const waiting: Pending[] = [];
  const pendingBySender = new Map<string, number>();
  const busyLanes = new Set<string>();
  const busySenders = new Set<string>();
  const running = new Set<Promise<void>>();
  let whenIdle: Array<() => void> = [];

  const senderBusy = (sender: string | undefined) => sender !== undefined && busySenders.has(sender);
  /**
   * Someone else's job runs, or a job of someone else who is not low priority waits at the head of its
   * lane. A job queued behind one of the sender's own in its lane can only run after it: waiting for it
   * would stop both for good.
   */
  const othersActive = (sender: string) => {
    if ([...busySenders].some((s) => s !== sender)) return true;
    const seenLanes = new Set<string>();
    return waiting.some((job) => {
      const head = !seenLanes.has(job.lane);
      seenLanes.add(job.lane);
      return head && job.sender !== sender && !job.low();
    });
  };

  function pump(): void {
    const seenLanes = new Set<string>();
    for (const job of [...waiting]) {
      const head = !seenLanes.has(job.lane);
      seenLanes.add(job.lane);
      if (!head || busyLanes.has(job.lane) || senderBusy(job.sender)) continue;
      if (job.sender !== undefined && job.low() && othersActive(job.sender)) continue;
      start(job);
    }
    if (waiting.length === 0 && running.size === 0) {
      const waiters = whenIdle;
      whenIdle = [];
      for (const resolve of waiters) resolve();
    }
  }

  function start(job: Pending): void {
    waiting.splice(waiting.indexOf(job), 1);
    if (job.sender !== undefined) {
      const left = (pendingBySender.get(job.sender) ?? 1) - 1;
      if (left === 0) pendingBySender.delete(job.sender);
      else pendingBySender.set(job.sender, left);
      busySenders.add(job.sender);
    }
    busyLanes.add(job.lane);
    const run: Promise<void> = Promise.resolve()
      .then(job.run)
      .catch(onError)
      .finally(() => {
        busyLanes.delete(job.lane);
        if (job.sender !== undefined) busySenders.delete(job.sender);
        running.delete(run);
        pump();
      });
    running.add(run);
  }

  return {
    limits: { perSender: maxPendingPerSender, total: maxPending },
    enqueue(lane, run, who) {
      const sender = who?.login;
      const pending = sender === undefined ? 0 : (pendingBySender.get(sender) ?? 0);
      if (waiting.length >= maxPending || pending >= maxPendingPerSender) {
        onDrop(lane, sender);
        return false;
      }
      if (sender !== undefined) pendingBySender.set(sender, pending + 1);
      waiting.push({ lane, sender, low: who?.lowPriority ?? (() => false), run });
      pump();
      return true;
    },
    idle() {
      if (waiting.length === 0 && running.size === 0) return Promise.resolve();
      return new Promise<void>((resolve) => whenIdle.push(resolve));
    },
  };
}
