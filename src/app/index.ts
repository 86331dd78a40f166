import type { ApplicationFunction, Probot } from "probot";
import type { Environment } from "../config/environment.js";
import type { IpfsStore } from "../ipfs/store.js";
import type { ApplyJournal } from "../service/apply-journal.js";
import { botLoginFromGitHub } from "./bot-login.js";
import { createDeliveryDedupe } from "./delivery-dedupe.js";
import type { AppLog } from "./job-context.js";
import { onWebhook, type WebhookDeps } from "./on-webhook.js";
import { createRefreshLimiter } from "./refresh-limit.js";
import { createSenderBudget } from "./sender-budget.js";
import { limitWebhookBodies } from "./webhook-body-limit.js";
import { createWorkQueue, type WorkQueue } from "./work-queue.js";

/** What the GitHub App needs from its surroundings, passed in (never imported from module scope). */
export interface AppDeps {
  readonly store: IpfsStore;
  readonly environment: Environment;
  readonly journal: ApplyJournal;
  /** The work done after each webhook is answered; pass one in to await it (`queue.idle()`) in tests. */
  readonly queue?: WorkQueue;
  /** The bot's login, when known; otherwise asked of GitHub (`GET /app`) on first use. */
  readonly botLogin?: string;
  /** The clock used for review times and apply timestamps. */
  readonly now?: () => Date;
}

/** The Probot application: registrations only; the work lives in `jobs/` and `service/`. */
export function createApp(deps: AppDeps): ApplicationFunction {
  return (app: Probot) => {
    const log = app.log as unknown as AppLog;
    limitWebhookBodies(app, deps.environment.maxWebhookBytes);
    const known = deps.botLogin;
    const webhook: WebhookDeps = {
      runtime: {
        store: deps.store,
        journal: deps.journal,
        environment: deps.environment,
        botLogin: known === undefined ? botLoginFromGitHub(app) : async () => known,
        now: deps.now,
        senders: createSenderBudget({
          keysPerWindow: deps.environment.keysPerSenderPerHour,
          windowMs: 60 * 60 * 1000,
        }),
        refreshes: createRefreshLimiter(),
      },
      queue: deps.queue ?? createWorkQueue((error) => log.error({ err: error }, "queued job failed")),
      deliveries: createDeliveryDedupe(),
    };
    app.on("issues.opened", (context) => onWebhook(webhook, "issues.opened", context));
    app.on("issues.edited", (context) => onWebhook(webhook, "issues.edited", context));
    app.on("issues.labeled", (context) => onWebhook(webhook, "issues.labeled", context));
    app.on("issue_comment.created", (context) => onWebhook(webhook, "issue_comment.created", context));
    app.on("issue_comment.edited", (context) => onWebhook(webhook, "issue_comment.edited", context));
    log.info({ dataDir: deps.environment.dataDir }, "nomad-patch loaded");
  };
}
