import type { Context } from "probot";
import type { Environment } from "../../config/environment.js";
import {
  type Inbox,
  type InboxArrival,
  type InboxLimits,
  inboxLimitsFrom,
  openInbox,
} from "../../service/inbox/open-inbox.js";
import type { AppLog, Runtime } from "../job-context.js";
import type { WorkQueue } from "../work-queue.js";
import { bridgeGitHub } from "./bridge-github.js";
import { type BridgeRoute, readRoutes } from "./bridge-routes.js";
import { openBridgedIssue } from "./open-bridged-issue.js";

type Octokit = Context["octokit"];

/**
 * The inbox bridge (docs/design.md §8, docs/decisions.md "The inbox bridge"): the targets that the
 * deployment's repositories (`NOMAD_PATCH_INBOX_REPOSITORIES`) say open issues are listened on, and
 * each patch request that arrives for one becomes one issue there, reviewed as a posted key is.
 *
 * - Keys wait here in arrival order per target, at most the inbox's pending cap in all; beyond, the
 *   inbox's hand-over waits, so the inbox's own cap drops further messages (memory stays bounded).
 * - A target whose issues are all taken (`inbox.maxOpenIssues` open issues of the bot) waits, and is
 *   looked at again every `slotRecheckMs`; a target whose GitHub calls fail waits with a backoff.
 * - A key keeps the status `new` in the inbox record until its issue is reviewed, so a restart hands it
 *   on again; the issue number recorded beside it (and, while it is being opened, the repository alone)
 *   keeps a restart from opening a second issue.
 * - The repositories' files are read at start, away from the webhook server, and again every
 *   `rereadMs`; a repository that could not be read is tried again with the backoff.
 */
export interface InboxBridgeOptions {
  /** The first wait after GitHub refused or failed; it doubles up to `maxRetryMs`. */
  readonly firstRetryMs?: number;
  readonly maxRetryMs?: number;
  /** How often a target with no free issue slot is looked at again. */
  readonly slotRecheckMs?: number;
  /** How often the repositories' files are read again. */
  readonly rereadMs?: number;
  /** The inbox's limits, over the deployment's (`NOMAD_PATCH_INBOX_*`). */
  readonly inboxLimits?: Partial<InboxLimits>;
}

/** What the app gives the bridge when it starts. */
export interface BridgeHooks {
  readonly auth: (installationId?: number) => Promise<Octokit>;
  readonly runtime: Runtime;
  readonly queue: WorkQueue;
  readonly log: AppLog;
}

export interface BridgeCounts {
  /** Issues opened. */
  opened: number;
  /** Issues found already opened for a key (a restart, or GitHub's answer lost on the way). */
  found: number;
  /** Times a target was found with no free issue slot. */
  full: number;
  /** GitHub calls that failed and wait for another try. */
  retries: number;
  /** Keys waiting for their issue now, and the most there ever were. */
  waiting: number;
  maxWaiting: number;
}

export interface InboxBridge {
  /** Starts reading the repositories and listening, in the background. */
  start(hooks: BridgeHooks): void;
  /** Resolves once the first reading is done and its inboxes listen. */
  readonly ready: Promise<void>;
  /** The inbox listened on now, if any. */
  inbox(): Inbox | undefined;
  counts(): Readonly<BridgeCounts>;
  /**
   * An issue of `repository` was closed: a target waiting for a free issue slot there looks again now,
   * instead of at its next re-check, if the issue was one of its own (the bot's, with the target's inbox
   * label). The slot is counted again from GitHub before anything is opened, so a close can never open
   * more than `maxOpenIssues`; nothing else is done for any other issue.
   */
  issueClosed(
    repository: string,
    issue: { readonly author: string; readonly labels: readonly string[] },
  ): void;
  /** Resolves once nothing is being opened and every waiting key waits on a timer (a full target, a backoff). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

const DEFAULTS = {
  firstRetryMs: 30_000,
  maxRetryMs: 30 * 60_000,
  slotRecheckMs: 5 * 60_000,
  rereadMs: 15 * 60_000,
};

export function createInboxBridge(environment: Environment, options: InboxBridgeOptions = {}): InboxBridge {
  const settings = { ...DEFAULTS, ...options };
  const maxWaiting = environment.inbox.maxPending;
  const counts: BridgeCounts = { opened: 0, found: 0, full: 0, retries: 0, waiting: 0, maxWaiting: 0 };
  let hooks: BridgeHooks | undefined;
  let routes = new Map<string, BridgeRoute>();
  let inbox: Inbox | undefined;
  let listening = "";
  /** Bumped whenever the inbox is closed: hand-overs of the old one stop waiting. */
  let generation = 0;
  let closed = false;
  const waiting = new Map<string, InboxArrival[]>();
  const waitingIds = new Set<string>();
  /** Keys whose review is queued and not done: the inbox may hand them on again meanwhile. */
  const reviewing = new Set<string>();
  const busy = new Set<string>();
  const inFlight = new Set<Promise<void>>();
  const timers = new Map<string, NodeJS.Timeout>();
  /** Targets whose timer is the wait for a free issue slot (not a backoff after GitHub failed). */
  const full = new Set<string>();
  const backoff = new Map<string, number>();
  let rereadTimer: NodeJS.Timeout | undefined;
  let rereadBackoff = 0;
  let roomWaiters: (() => void)[] = [];
  let idleWaiters: (() => void)[] = [];
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });

  const idOf = (target: string, key: string) => `${target} ${key}`;
  const isIdle = () =>
    busy.size === 0 &&
    [...waiting.entries()].every(([target, list]) => list.length === 0 || timers.has(target));
  const checkIdle = () => {
    if (!isIdle()) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const wake of waiters) wake();
  };
  const wakeRoom = () => {
    const waiters = roomWaiters;
    roomWaiters = [];
    for (const wake of waiters) wake();
  };

  const later = (target: string, ms: number) => {
    const timer = setTimeout(() => {
      timers.delete(target);
      full.delete(target);
      drain(target);
    }, ms);
    timer.unref();
    timers.set(target, timer);
  };

  const forget = (target: string, list: InboxArrival[]) => {
    const done = list.shift();
    if (done) waitingIds.delete(idOf(target, done.key));
    counts.waiting--;
    wakeRoom();
  };

  function drain(target: string): void {
    const list = waiting.get(target) ?? [];
    const next = list[0];
    if (closed || !hooks || busy.has(target) || timers.has(target) || !next) {
      checkIdle();
      return;
    }
    const route = routes.get(target);
    if (!route) {
      // No repository bridges the target any more: its keys stay `new` in the inbox, for a later start.
      while (list.length > 0) forget(target, list);
      checkIdle();
      return;
    }
    busy.add(target);
    const using = hooks;
    const attempt = openBridgedIssue(
      {
        runtime: using.runtime,
        queue: using.queue,
        log: using.log,
        reviewing,
        counts,
        dataDir: environment.dataDir,
      },
      route,
      next,
    ).then((outcome) => {
      busy.delete(target);
      if (outcome === "done") {
        backoff.delete(target);
        forget(target, list);
        return drain(target);
      }
      if (outcome === "full") {
        counts.full++;
        later(target, settings.slotRecheckMs);
        full.add(target);
      } else {
        counts.retries++;
        const wait = Math.min(settings.maxRetryMs, (backoff.get(target) ?? settings.firstRetryMs / 2) * 2);
        backoff.set(target, wait);
        later(target, wait);
      }
      checkIdle();
    });
    inFlight.add(attempt);
    void attempt.finally(() => inFlight.delete(attempt));
  }

  const handOver = (at: number) => async (arrival: InboxArrival) => {
    const id = idOf(arrival.target, arrival.key);
    if (waitingIds.has(id) || reviewing.has(id)) return;
    while (counts.waiting >= maxWaiting) {
      if (closed || at !== generation) throw new Error("the inbox bridge stopped listening");
      await new Promise<void>((resolve) => roomWaiters.push(resolve));
    }
    if (closed || at !== generation) throw new Error("the inbox bridge stopped listening");
    if (waitingIds.has(id) || reviewing.has(id)) return;
    waitingIds.add(id);
    const list = waiting.get(arrival.target) ?? [];
    list.push(arrival);
    waiting.set(arrival.target, list);
    counts.waiting++;
    counts.maxWaiting = Math.max(counts.maxWaiting, counts.waiting);
    drain(arrival.target);
  };

  const closeInbox = async () => {
    generation++;
    wakeRoom();
    const old = inbox;
    inbox = undefined;
    listening = "";
    await old?.close();
  };

  /** Reads the repositories, and listens on the targets they bridge now. */
  async function reread(using: BridgeHooks): Promise<void> {
    const log = using.log;
    const read = await readRoutes(
      environment.inbox.repositories,
      (repository) => bridgeGitHub(using.auth, repository, environment.callTimeoutMs, using.runtime.markers),
      (fields, message) => log.warn(fields, message),
    );
    if (closed) return;
    routes = read.routes;
    const targets = [...routes.keys()].sort();
    if (targets.join(" ") !== listening) {
      await closeInbox();
      if (targets.length > 0 && !closed) {
        const at = generation;
        inbox = await openInbox(
          { store: using.runtime.store },
          {
            targets,
            dataDir: environment.dataDir,
            limits: { ...inboxLimitsFrom(environment), ...settings.inboxLimits },
            onKey: handOver(at),
            log: (message) => log.info({}, message),
          },
        );
        listening = targets.join(" ");
        log.info({ targets: routes.size }, "inbox bridge: listening");
      }
    }
    for (const target of waiting.keys()) drain(target);
    if (read.failed.length > 0) {
      rereadBackoff = Math.min(settings.maxRetryMs, Math.max(settings.firstRetryMs, rereadBackoff * 2));
      schedule(using, rereadBackoff);
    } else {
      rereadBackoff = 0;
      schedule(using, settings.rereadMs);
    }
  }

  function schedule(using: BridgeHooks, ms: number): void {
    if (closed) return;
    rereadTimer = setTimeout(() => {
      void reread(using).catch((error: unknown) => {
        using.log.error({ err: error }, "inbox bridge: reading the repositories failed");
        schedule(using, settings.maxRetryMs);
      });
    }, ms);
    rereadTimer.unref();
  }

  return {
    ready,
    start(given) {
      if (hooks) return;
      hooks = given;
      void reread(given)
        .catch((error: unknown) => {
          // Listening failed (pubsub off on the node, the data directory unreadable): said, and tried again.
          given.log.error({ err: error }, "inbox bridge: could not start listening");
          schedule(given, settings.maxRetryMs);
        })
        .finally(markReady);
    },
    inbox: () => inbox,
    issueClosed(repository, issue) {
      const using = hooks;
      if (closed || !using) return;
      const ours = [...full].filter((target) => {
        const route = routes.get(target);
        // GitHub's names are not case-sensitive: the configuration's and the webhook's may differ in case.
        const same = route?.repository.toLowerCase() === repository.toLowerCase();
        return same && route !== undefined && issue.labels.includes(route.inbox.label);
      });
      if (ours.length === 0) return;
      void using.runtime
        .botLogin()
        .then((botLogin) => {
          // A person's issue carrying the label frees no slot of the bot's.
          if (issue.author !== botLogin) return;
          for (const target of ours) {
            if (!full.delete(target)) continue;
            clearTimeout(timers.get(target));
            timers.delete(target);
            drain(target);
          }
        })
        .catch((error: unknown) =>
          using.log.warn({ err: error }, "inbox bridge: an issue closed, not looked at"),
        );
    },
    counts: () => ({ ...counts }),
    idle: () =>
      new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        void (inbox?.settled() ?? Promise.resolve()).then(checkIdle);
      }),
    async close() {
      if (closed) return;
      closed = true;
      clearTimeout(rereadTimer);
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
      full.clear();
      await closeInbox();
      await Promise.all([...inFlight]);
    },
  };
}
