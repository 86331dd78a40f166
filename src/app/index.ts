import { join } from "node:path";
import type { ApplicationFunction, Probot } from "probot";
import { readAppPrivateKey } from "../config/app-credentials.js";
import type { Environment } from "../config/environment.js";
import { UsageError } from "../errors.js";
import type { IpfsStore } from "../ipfs/store.js";
import type { ApplyJournal } from "../service/apply-journal.js";
import type { AcknowledgedDeliveries } from "./ack-thread/ack-thread.js";
import { takeAcknowledged } from "./ack-thread/take-acknowledged.js";
import { botLoginFromGitHub } from "./bot-login.js";
import { createInboxBridge, type InboxBridge } from "./bridge/inbox-bridge.js";
import { createDeliveryDedupe } from "./delivery-dedupe.js";
import { EVENTS, openDiskQueue } from "./disk-queue.js";
import { checkCredentialsInBackground } from "./github/check-credentials.js";
import { createInstallationTokens } from "./github/installation-token.js";
import type { AppLog, Runtime } from "./job-context.js";
import { createKeyPosters } from "./key-posters.js";
import { appMarkerSigner } from "./marker-signer.js";
import { incomingEvent, onWebhook, type WebhookDeps } from "./on-webhook.js";
import { createRefreshLimiter } from "./refresh-limit.js";
import { replayQueued } from "./replay-queued.js";
import { createSenderBudget } from "./sender-budget.js";
import { createTransferredIssues } from "./transferred-issues.js";
import { watchHooks } from "./watch/watch-hooks.js";
import { createWatcher, type Watcher } from "./watch/watcher.js";
import { takeWebhooksAtRoot } from "./webhook-at-root.js";
import { limitWebhookBodies } from "./webhook-body-limit.js";
import { createWorkQueue, type WorkQueue } from "./work-queue.js";

/** What the GitHub App needs from its surroundings, passed in (never imported from module scope). */
export interface AppDeps {
  readonly store: IpfsStore;
  readonly environment: Environment;
  readonly journal: ApplyJournal;
  /** The work done after each webhook is answered; pass one in to await it (`queue.idle()`) in tests. */
  readonly queue?: WorkQueue;
  /**
   * The GitHub App's private key (PEM), from which the key that signs the bot's comments is derived;
   * by default read where Probot reads it (`PRIVATE_KEY`, `PRIVATE_KEY_PATH`). Without one the app does
   * not start: a comment it could not sign, it could not trust when reading it back.
   */
  readonly privateKey?: string;
  /** The bot's login, when known; otherwise asked of GitHub (`GET /app`) on first use. */
  readonly botLogin?: string;
  /** The clock used for review times and apply timestamps. */
  readonly now?: () => Date;
  /**
   * Keep accepted events in `<dataDir>/queue/` until their job is done, and replay them on start
   * (default true); false keeps them in memory only.
   */
  readonly keepQueueOnDisk?: boolean;
  /**
   * The open patch keys watched for new versions; pass one in (`createWatcher`) to run its rounds with
   * `tick()` and a clock of your own in tests. Otherwise one is made from the settings, kept in the data
   * directory, and polled on a timer.
   */
  readonly watcher?: Watcher;
  /**
   * The inbox bridge (docs/design.md §8); pass one in (`createInboxBridge`) to await and close it in
   * tests. Otherwise one is made when `NOMAD_PATCH_INBOX_REPOSITORIES` names repositories.
   */
  readonly inboxBridge?: InboxBridge;
  /**
   * Where the app registers how to stop what it starts (the watcher's timer, the inbox bridge's
   * subscriptions and timers), to be run when its surroundings close: `openAppRuntime` passes its own,
   * which runs them first on `close`. Without it, nothing the app started is stopped but by the process's end.
   */
  readonly stopOnClose?: (stop: () => Promise<void>) => void;
  /**
   * The deliveries a thread of their own acknowledged (`startAckThread`, what `npm start` runs), each with
   * its record on disk already; the app takes them once its queue is replayed. Without it the app takes
   * webhooks from Probot's middleware only. Needs the queue on disk.
   */
  readonly acknowledged?: AcknowledgedDeliveries;
}

/** Delivery ids remembered (in memory and on disk) so that a redelivery is handled once. */
const REMEMBERED_DELIVERIES = 5000;

/** The Probot application: registrations only; the work lives in `jobs/` and `service/`. */
export function createApp(deps: AppDeps): ApplicationFunction {
  return async (app: Probot) => {
    const log = app.log as unknown as AppLog;
    const privateKey = deps.privateKey ?? readAppPrivateKey();
    if (privateKey === undefined)
      throw new UsageError(
        "nomad-patch signs its comments with a key derived from the GitHub App's private key, and none was found",
        {
          hint: "set PRIVATE_KEY_PATH to the app's .pem file (or PRIVATE_KEY to its text), or pass `privateKey` to createApp",
        },
      );
    const markers = appMarkerSigner(privateKey);
    limitWebhookBodies(app, deps.environment.maxWebhookBytes);
    takeWebhooksAtRoot(app);
    const known = deps.botLogin;
    const queue = deps.queue ?? createWorkQueue((error) => log.error({ err: error }, "queued job failed"));
    const disk =
      deps.keepQueueOnDisk === false
        ? undefined
        : await openDiskQueue(
            deps.environment.dataDir,
            // Waiting jobs, and one running per sender at most: the queue's caps bound what is kept.
            { maxRecords: queue.limits.total * 2, maxDeliveries: REMEMBERED_DELIVERIES },
            log,
          );
    const watcher =
      deps.watcher ??
      createWatcher({
        environment: deps.environment,
        log: (fields, message) => log.info(fields, message),
      });
    const tokens = createInstallationTokens(log);
    const runtime: Runtime = {
      store: deps.store,
      journal: deps.journal,
      environment: deps.environment,
      botLogin: known === undefined ? botLoginFromGitHub(app) : async () => known,
      markers,
      now: deps.now,
      senders: createSenderBudget({
        keysPerWindow: deps.environment.keysPerSenderPerHour,
        windowMs: 60 * 60 * 1000,
      }),
      refreshes: createRefreshLimiter(),
      // On disk with the queue, so that a queued event for a transferred issue does nothing after a restart.
      transferred: createTransferredIssues({
        file: disk ? join(deps.environment.dataDir, "transferred-issues.json") : undefined,
        log: (message) => log.warn({}, message),
      }),
      // On disk: a deletion heard before a restart still names the key's first poster after it.
      keyPosters: createKeyPosters({
        file: disk ? join(deps.environment.dataDir, "key-posters.json") : undefined,
        now: deps.now,
        log: (message) => log.warn({}, message),
      }),
      watched: watcher.list,
      watchClock: watcher.now,
      installationTokens: tokens,
    };
    const bridge =
      deps.inboxBridge ??
      (deps.environment.inbox.repositories.length > 0 ? createInboxBridge(deps.environment) : undefined);
    const webhook: WebhookDeps = {
      runtime,
      queue,
      deliveries: createDeliveryDedupe(REMEMBERED_DELIVERIES),
      disk,
      ...(bridge ? { bridge } : {}),
    };
    for (const name of EVENTS) app.on(name, (context) => onWebhook(webhook, incomingEvent(name, context)));
    if (disk) await replayQueued(app, webhook, disk, log);
    if (deps.acknowledged) {
      if (!disk) throw new Error("webhooks acknowledged on a thread of their own need the queue on disk");
      deps.acknowledged.attach((delivery) => takeAcknowledged(app, webhook, delivery, log));
    }
    watcher.attach(watchHooks(app, runtime, queue, log));
    if (!deps.watcher) watcher.start();
    // Started in the background: reading repositories and subscribing must not hold up the server.
    bridge?.start({
      auth: async (id) => tokens.guard(await app.auth(id)),
      runtime,
      queue,
      log,
    });
    deps.stopOnClose?.(async () => {
      if (!deps.watcher) watcher.stop();
      await bridge?.close();
    });
    log.info({ dataDir: deps.environment.dataDir }, "nomad-patch loaded");
    // A program that gives the bot's login has its credentials checked already (or has none: tests).
    if (known === undefined) checkCredentialsInBackground(runtime.botLogin, log);
  };
}
