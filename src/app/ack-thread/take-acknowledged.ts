import type { Probot } from "probot";
import type { AppLog } from "../job-context.js";
import { onWebhook, type WebhookDeps } from "../on-webhook.js";
import type { AcknowledgedDelivery } from "./ack-thread.js";

/**
 * A delivery the webhook thread answered, handled as Probot hands the app a webhook: with its
 * installation's Octokit (`app.auth`, as Probot's `receive` gets it). Its record is on disk already, so it
 * goes to `onWebhook` as `stored` and `fresh`: a job that runs removes the record when done; one that is
 * a redelivery, dropped by the flood limit or needs nothing removes it at once.
 */
export async function takeAcknowledged(
  app: Probot,
  deps: WebhookDeps,
  { event, file }: AcknowledgedDelivery,
  log: AppLog,
): Promise<void> {
  let octokit: Awaited<ReturnType<Probot["auth"]>>;
  try {
    octokit = await app.auth(event.installationId);
  } catch (error) {
    // Nothing of the event ran: its record stays, so the next start replays it (`replayQueued`).
    log.error(
      { err: error, delivery: event.deliveryId, file },
      file === undefined
        ? "an acknowledged event got no installation token and was not kept on disk: lost"
        : "an acknowledged event got no installation token: kept on disk for the next start",
    );
    return;
  }
  await onWebhook(deps, {
    id: event.deliveryId,
    name: event.event,
    payload: event.payload,
    installationId: event.installationId,
    octokit,
    log,
    ...(file === undefined ? {} : { stored: file }),
    fresh: true,
  });
}
