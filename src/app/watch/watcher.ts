import { join } from "node:path";
import type { Environment } from "../../config/environment.js";
import { createPoller, type Poller } from "./poll-keys.js";
import type { WatchedKey } from "./watch-list.js";
import { openWatchList, type WatchList } from "./watch-list.js";

/** How often a round looks for due keys; each key's own interval is at least a minute. */
const ROUND_MS = 15_000;

export interface WatcherOptions {
  readonly environment: Environment;
  /** The clock rounds and intervals are measured by (epoch ms). */
  readonly now?: () => number;
  readonly random?: () => number;
  readonly log?: (fields: object, message: string) => void;
}

/** What the app gives the watcher: how to resolve a key, and how to review one that moved. */
export interface WatcherHooks {
  readonly resolve: (key: string) => Promise<string | undefined>;
  readonly onMoved: (entry: WatchedKey, cid: string) => Promise<void>;
}

/**
 * The open patch keys the app watches, and the rounds that poll them (docs/design.md §5). `createApp`
 * attaches it and, unless it was passed in, starts its timer; a test passes its own and runs `tick()`
 * with its own clock instead of waiting.
 */
export interface Watcher {
  readonly list: WatchList;
  readonly now: () => number;
  attach(hooks: WatcherHooks): void;
  /** One polling round; resolves when its resolves are done (the reviews they queue run on the queue). */
  tick(): Promise<void>;
  readonly resolvesStarted: number;
  /** Rounds every 15 s on a timer that does not keep the process alive. */
  start(): void;
  stop(): void;
}

export function createWatcher(options: WatcherOptions): Watcher {
  const { environment } = options;
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => {});
  const list = openWatchList({
    file: environment.watchMaxKeys > 0 ? join(environment.dataDir, "watched-keys.json") : undefined,
    maxKeys: environment.watchMaxKeys,
    log: (message) => log({}, message),
  });
  let poller: Poller | undefined;
  let timer: NodeJS.Timeout | undefined;
  return {
    list,
    now,
    attach(hooks) {
      poller = createPoller({
        list,
        ...hooks,
        resolvesPerMinute: environment.watchResolvesPerMinute,
        now,
        random: options.random,
        log,
      });
    },
    tick: () => poller?.tick() ?? Promise.resolve(),
    get resolvesStarted() {
      return poller?.resolvesStarted ?? 0;
    },
    start() {
      if (timer || environment.watchMaxKeys === 0) return;
      timer = setInterval(() => void poller?.tick(), ROUND_MS);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}
