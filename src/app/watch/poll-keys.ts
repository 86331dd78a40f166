import { createLimiter } from "../../nomad/index.js";
import type { WatchedKey, WatchList } from "./watch-list.js";

export interface PollerOptions {
  readonly list: WatchList;
  /** What the key points at now; bounded in time by the caller; undefined when not found. */
  readonly resolve: (key: string) => Promise<string | undefined>;
  /**
   * The key moved to `cid`: review it as `/refresh` would. Resolves once that review is done (or
   * failed); until then the pair is not resolved again.
   */
  readonly onMoved: (entry: WatchedKey, cid: string) => Promise<void>;
  /** Resolves started per rolling minute, whatever the number of keys watched. */
  readonly resolvesPerMinute: number;
  readonly now: () => number;
  /** In [0, 1): spreads each pair's next resolve over ±10 % of its interval. */
  readonly random?: () => number;
  readonly log?: (fields: object, message: string) => void;
  /** Resolves run at once; the rest of a round waits. */
  readonly concurrency?: number;
}

export interface Poller {
  /** One round: resolve the pairs that are due, within what the rolling minute has left. */
  tick(): Promise<void>;
  /** Resolves started since the poller was made: what the cap is checked against. */
  readonly resolvesStarted: number;
}

const MINUTE = 60_000;
const JITTER = 0.1;

/**
 * Polls watched patch keys (issue 14 §3). Each round takes the most overdue pairs, at most what the
 * rolling minute's budget has left, so 1,000 open patches cannot make the bot resolve 1,000 keys a
 * minute: the list simply takes longer to go round. A key is resolved again only after its interval
 * (jittered, so keys watched together drift apart), and not while the review of its last move is queued.
 * Rounds never overlap.
 */
export function createPoller(options: PollerOptions): Poller {
  const random = options.random ?? Math.random;
  const log = options.log ?? (() => {});
  const limit = createLimiter(options.concurrency ?? 4);
  const started: number[] = [];
  const reviewing = new Set<string>();
  let round: Promise<void> | undefined;
  let count = 0;
  const idOf = (e: WatchedKey) => `${e.repo}#${e.issue} ${e.key}`;

  async function poll(entry: WatchedKey): Promise<void> {
    let cid: string | undefined;
    try {
      cid = await options.resolve(entry.key);
    } catch (error) {
      log({ key: entry.key, err: error }, "watched key did not resolve");
    }
    const jitter = 1 - JITTER + 2 * JITTER * random();
    options.list.reschedule(entry, options.now() + Math.round(entry.intervalMs * jitter));
    if (cid === undefined || cid === entry.cid) return;
    const id = idOf(entry);
    reviewing.add(id);
    log(
      { key: entry.key, repo: entry.repo, issue: entry.issue, from: entry.cid, to: cid },
      "watched key moved",
    );
    void options
      .onMoved(entry, cid)
      .catch((error: unknown) => log({ key: entry.key, err: error }, "review of a moved key failed"))
      .finally(() => reviewing.delete(id));
  }

  async function runRound(): Promise<void> {
    const now = options.now();
    while (started.length > 0 && (started[0] ?? 0) <= now - MINUTE) started.shift();
    const budget = options.resolvesPerMinute - started.length;
    if (budget <= 0) return;
    const due = options.list
      .due(now, budget + reviewing.size)
      .filter((entry) => !reviewing.has(idOf(entry)))
      .slice(0, budget);
    for (const _ of due) started.push(now);
    count += due.length;
    await Promise.all(due.map((entry) => limit(() => poll(entry))));
  }

  return {
    tick() {
      round ??= runRound().finally(() => {
        round = undefined;
      });
      return round;
    },
    get resolvesStarted() {
      return count;
    },
  };
}
