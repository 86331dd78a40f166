import type { IpfsStore, Subscription } from "../../ipfs/store.js";
import { type IpnsName, parseIpnsName } from "../../nomad/index.js";
import {
  decodeInboxMessage,
  inboxTopic,
  MAX_INBOX_MESSAGE_BYTES,
} from "../../patch-request/inbox-message.js";
import { checkArrival } from "./check-arrival.js";
import {
  DEFAULT_MAX_INBOX_ITEMS,
  type InboxItem,
  readInboxRecord,
  updateInboxRecord,
  withItemChanged,
} from "./inbox-record.js";
import { createRateLimiter, type RateLimit } from "./rate-limit.js";

/**
 * The receiving side of the inboxes (docs/design.md §8, docs/configuration.md "Inbox"), shared by
 * `nomad-patch watch`, `nomad-patch inbox --listen` and the app:
 *
 *   const inbox = await openInbox({ store }, { targets, dataDir, onKey: (arrival) => … });
 *   …
 *   await inbox.close();
 *
 * For each target it subscribes to the target's topic and, per message:
 * 1. drops (and counts) what is too large, not a message, or names another target than the topic's;
 * 2. drops what is over the sender's rate (by pubsub peer) or the global rate;
 * 3. drops a key it already has (recorded in `<dataDir>/inbox/<target>.json`, so across restarts too) or
 *    is checking, and any key once `maxPending` keys wait;
 * 4. records the key as `new` and, a few at a time, resolves it and reads its patch request: a key that
 *    does not resolve, is not a patch request, or is for another target is recorded `invalid` (and
 *    logged); a good one gets its CID and title recorded and is handed to `onKey`. It stays pending
 *    until `onKey` returns, so a slow consumer holds the pending cap, not memory.
 * Keys still `new` when an inbox opens (the process stopped before they were handed on) are taken
 * again first. Nothing in a message is trusted: `onKey` gets a key to review as if it had been posted.
 */
export interface InboxLimits {
  /** Messages one pubsub peer may send, over all the targets' topics. */
  readonly perSender: RateLimit;
  /** Messages taken in all, from everyone. */
  readonly global: RateLimit;
  /** Keys taken and not yet handed on (checked and passed to `onKey`); beyond, messages are dropped. */
  readonly maxPending: number;
  /** Keys remembered per target for deduplication and the `inbox` list. */
  readonly maxItems: number;
  /** Senders whose rate is tracked at once. */
  readonly maxSenders: number;
  /** Time to resolve a key and read its patch request. */
  readonly resolveTimeoutMs: number;
  /** Keys checked at the same time. */
  readonly concurrency: number;
}

export const DEFAULT_INBOX_LIMITS: InboxLimits = {
  perSender: { perMinute: 30, burst: 10 },
  global: { perMinute: 300, burst: 100 },
  maxPending: 100,
  maxItems: DEFAULT_MAX_INBOX_ITEMS,
  maxSenders: 10_000,
  resolveTimeoutMs: 30_000,
  concurrency: 2,
};

/**
 * The limits from the deployment's settings (`NOMAD_PATCH_INBOX_*`), with bursts of a third of a minute's
 * worth, and keys resolved within the deployment's bound.
 */
export function inboxLimitsFrom(settings: {
  readonly inbox: {
    readonly perSenderPerMinute: number;
    readonly perMinute: number;
    readonly maxPending: number;
  };
  readonly resolveTimeoutMs: number;
}): InboxLimits {
  const rate = (perMinute: number): RateLimit => ({
    perMinute,
    burst: Math.max(1, Math.ceil(perMinute / 3)),
  });
  return {
    ...DEFAULT_INBOX_LIMITS,
    perSender: rate(settings.inbox.perSenderPerMinute),
    global: rate(settings.inbox.perMinute),
    maxPending: settings.inbox.maxPending,
    resolveTimeoutMs: settings.resolveTimeoutMs,
  };
}

/** A key that resolved to a patch request for the inbox's target. */
export interface InboxArrival {
  readonly key: IpnsName;
  readonly target: IpnsName;
  /** The version it resolved to when checked; a review resolves again. */
  readonly cid: string;
  readonly title: string;
  /** The pubsub peer that delivered it. */
  readonly from: string;
}

/** What the inbox did with the messages it got (each message is counted once, under one outcome). */
export interface InboxCounts {
  received: number;
  accepted: number;
  duplicate: number;
  malformed: number;
  oversized: number;
  otherTarget: number;
  rateLimited: number;
  overCap: number;
  /** Accepted keys the check found bad (a subset of `accepted`). */
  invalid: number;
  /** Accepted keys handed to `onKey` (a subset of `accepted`). */
  delivered: number;
}

export interface OpenInboxInput {
  readonly targets: readonly string[];
  readonly dataDir: string;
  readonly limits?: Partial<InboxLimits>;
  readonly onKey?: (arrival: InboxArrival) => void | Promise<void>;
  readonly log?: (message: string) => void;
}

export interface Inbox {
  /** The topics listened on, by target. */
  readonly topics: ReadonlyMap<IpnsName, string>;
  counts(): Readonly<InboxCounts>;
  /** Keys pending now, and the most there ever were at once. */
  pending(): { readonly now: number; readonly max: number };
  /** Resolves once no key is pending and every record is written (for tests and orderly stops). */
  settled(): Promise<void>;
  /** Unsubscribes, then waits for the keys being checked; keys not yet checked stay `new` for next time. */
  close(): Promise<void>;
}

/** A key found invalid may be delivered again after this long (its node may have been offline). */
const RETRY_INVALID_AFTER_MS = 10 * 60_000;

/** How often, at most, each kind of dropped message is logged: a flood must not flood the log. */
const DROP_LOG_INTERVAL_MS = 60_000;

export async function openInbox(deps: { readonly store: IpfsStore }, input: OpenInboxInput): Promise<Inbox> {
  const limits = { ...DEFAULT_INBOX_LIMITS, ...input.limits };
  const log = input.log ?? (() => {});
  const targets = [...new Set(input.targets.map((t) => parseIpnsName(t, "target")))];
  const counts: InboxCounts = {
    received: 0,
    accepted: 0,
    duplicate: 0,
    malformed: 0,
    oversized: 0,
    otherTarget: 0,
    rateLimited: 0,
    overCap: 0,
    invalid: 0,
    delivered: 0,
  };
  const perSender = createRateLimiter(limits.perSender, limits.maxSenders);
  const global = createRateLimiter(limits.global, 1);
  /** Keys recorded per target: mirrors the record (so it is bounded by `maxItems`). */
  const known = new Map<IpnsName, Set<string>>();
  const queue: { key: IpnsName; target: IpnsName; from: string }[] = [];
  const pendingKeys = new Set<string>();
  let maxPending = 0;
  let active = 0;
  let closed = false;
  let writes: Promise<unknown> = Promise.resolve();
  const waiters: (() => void)[] = [];
  const dropsSince = new Map<string, { count: number; loggedAt: number }>();

  const pendingId = (target: string, key: string) => `${target} ${key}`;
  const remember = (target: IpnsName, items: readonly InboxItem[]) => known.set(target, keysTaken(items));
  /** Record writes happen one after another, in arrival order. */
  const write = <T>(task: () => Promise<T>): Promise<T> => {
    const done = writes.then(task);
    writes = done.catch((error) => log(`inbox: could not write the record: ${(error as Error).message}`));
    return done;
  };
  const drop = (reason: keyof InboxCounts, detail: string) => {
    counts[reason]++;
    const now = Date.now();
    const seen = dropsSince.get(reason) ?? { count: 0, loggedAt: 0 };
    seen.count++;
    if (now - seen.loggedAt >= DROP_LOG_INTERVAL_MS) {
      log(`inbox: dropped ${seen.count} message(s) (${reason}), last: ${detail}`);
      seen.count = 0;
      seen.loggedAt = now;
    }
    dropsSince.set(reason, seen);
  };
  const wakeWaiters = () => {
    if (queue.length > 0 || active > 0) return;
    void writes.then(() => {
      if (queue.length > 0 || active > 0) return;
      for (const wake of waiters.splice(0)) wake();
    });
  };

  const checkNext = () => {
    while (!closed && active < limits.concurrency && queue.length > 0) {
      const next = queue.shift() as (typeof queue)[number];
      active++;
      void checkOne(next).finally(() => {
        active--;
        pendingKeys.delete(pendingId(next.target, next.key));
        checkNext();
        wakeWaiters();
      });
    }
    wakeWaiters();
  };

  const checkOne = async ({ key, target, from }: (typeof queue)[number]) => {
    try {
      const checked = await checkArrival(deps.store, key, target, limits.resolveTimeoutMs);
      const now = new Date().toISOString();
      if (!checked.ok) {
        counts.invalid++;
        log(`inbox ${target}: ${key} is invalid: ${checked.reason}`);
        await write(() =>
          updateInboxRecord(input.dataDir, target, (items) =>
            withItemChanged(items, key, { status: "invalid", reason: checked.reason, updatedAt: now }),
          ),
        );
        return;
      }
      await write(() =>
        updateInboxRecord(input.dataDir, target, (items) =>
          withItemChanged(items, key, { cid: checked.cid, title: checked.title, updatedAt: now }),
        ),
      );
      log(`inbox ${target}: ${key} arrived (${checked.cid}, "${checked.title}")`);
      counts.delivered++;
      await input.onKey?.({ key, target, cid: checked.cid, title: checked.title, from });
    } catch (error) {
      // The consumer's failure, or the disk's: the key stays `new`, and is taken again at the next start.
      log(`inbox ${target}: ${key} could not be handed on: ${(error as Error).message}`);
    }
  };

  const enqueue = (key: IpnsName, target: IpnsName, from: string) => {
    pendingKeys.add(pendingId(target, key));
    maxPending = Math.max(maxPending, pendingKeys.size);
    queue.push({ key, target, from });
  };

  const onMessage = (target: IpnsName) => (message: { from: string; data: Uint8Array }) => {
    if (closed) return;
    counts.received++;
    const decoded = decodeInboxMessage(message.data, target);
    if (!decoded.ok)
      return drop(decoded.reason === "other-target" ? "otherTarget" : decoded.reason, decoded.detail);
    if (!perSender.take(message.from)) return drop("rateLimited", `from ${message.from}`);
    if (!global.take("")) return drop("rateLimited", "all senders");
    const { patch: key } = decoded.message;
    if (known.get(target)?.has(key) || pendingKeys.has(pendingId(target, key))) return drop("duplicate", key);
    if (pendingKeys.size >= limits.maxPending) return drop("overCap", key);
    counts.accepted++;
    enqueue(key, target, message.from);
    const arrivedAt = new Date().toISOString();
    const item: InboxItem = { key, status: "new", from: message.from, arrivedAt, updatedAt: arrivedAt };
    void write(async () => {
      remember(
        target,
        await updateInboxRecord(
          input.dataDir,
          target,
          // A key found invalid before and delivered again replaces its old record.
          (items) => [...items.filter((old) => old.key !== key), item],
          limits.maxItems,
        ),
      );
    }).then(checkNext, checkNext);
  };

  // Keys taken before a stop and never handed on come first, within the pending cap.
  for (const target of targets) {
    const { items } = await readInboxRecord(input.dataDir, target);
    remember(target, items);
    for (const item of items)
      if (item.status === "new" && pendingKeys.size < limits.maxPending) enqueue(item.key, target, item.from);
  }
  const topics = new Map(targets.map((target) => [target, inboxTopic(target)]));
  const subscriptions: Subscription[] = [];
  try {
    for (const [target, topic] of topics)
      subscriptions.push(
        await deps.store.pubsubSubscribe(topic, onMessage(target), {
          // Larger than a message, so an oversized one is seen and counted rather than dropped unseen.
          maxBytes: 64 * MAX_INBOX_MESSAGE_BYTES,
          onEnd: (error) => log(`inbox ${target}: the subscription ended: ${error.message}`),
        }),
      );
  } catch (error) {
    closed = true;
    await Promise.all(subscriptions.map((s) => s.close()));
    throw error;
  }
  checkNext();

  return {
    topics,
    counts: () => ({ ...counts }),
    pending: () => ({ now: pendingKeys.size, max: maxPending }),
    settled: () =>
      new Promise<void>((resolve) => {
        waiters.push(resolve);
        wakeWaiters();
      }),
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all(subscriptions.map((s) => s.close()));
      queue.length = 0;
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        wakeWaiters();
      });
    },
  };
}

/**
 * The keys a new delivery of which is a duplicate: all but those found invalid a while ago, since a key
 * that did not resolve may have been delivered while the contributor's node was offline.
 */
function keysTaken(items: readonly InboxItem[], now = Date.now()): Set<string> {
  const taken = new Set<string>();
  for (const item of items)
    if (item.status !== "invalid" || now - Date.parse(item.updatedAt) < RETRY_INVALID_AFTER_MS)
      taken.add(item.key);
  return taken;
}
