import type { Probot } from "probot";
import type { DiskQueue, StoredEvent } from "./disk-queue.js";
import type { AppLog } from "./job-context.js";
import { onWebhook, type WebhookDeps } from "./on-webhook.js";

/**
 * Starts at which a record may fail to get its installation's token before it is given up: a token that
 * GitHub refuses for a while (an outage, a clock skew, a rotated key) must not lose acknowledged work, and
 * one that never comes (the app uninstalled) must not bring the record back at every start forever.
 */
export const MAX_FAILED_REPLAYS = 5;

/**
 * On start, the events a previous process accepted and did not finish, queued again in arrival order
 * (their records stay on disk until their jobs are done), then the delivery ids it handled, so a
 * redelivery of one is still handled once. An installation's Octokit comes from Probot, as for a webhook.
 * Replaying is safe because every job is idempotent (decisions.md, "App: queued work survives a
 * restart").
 */
export async function replayQueued(
  app: Probot,
  deps: WebhookDeps,
  disk: DiskQueue,
  log: AppLog,
): Promise<void> {
  const records = await disk.load();
  const pending = new Set(records.map((record) => record.event.deliveryId));
  for (const id of await disk.loadDeliveries()) if (!pending.has(id)) deps.deliveries.remember(id);
  if (records.length > 0)
    log.info({ events: records.length }, "replaying the events queued before the restart");
  for (const stored of records) {
    const { file, event } = stored;
    let octokit: Awaited<ReturnType<Probot["auth"]>>;
    try {
      octokit = await app.auth(event.installationId);
    } catch (error) {
      await keepOrGiveUp(disk, stored, error, log);
      continue;
    }
    try {
      await onWebhook(deps, {
        id: event.deliveryId,
        name: event.event,
        payload: event.payload,
        installationId: event.installationId,
        octokit,
        log,
        stored: file,
      });
    } catch (error) {
      // Discarded, so a record that cannot be replayed does not come back at every start.
      log.error(
        { err: error, file, delivery: event.deliveryId },
        "a queued event could not be replayed: discarded",
      );
      await disk.remove(file).catch(() => {});
    }
  }
}

/**
 * The installation's token could not be had: nothing of the event ran, so the record stays for the next
 * start, counted; at the `MAX_FAILED_REPLAYS`th failed start it is removed. Either way the operator is
 * told, with the delivery id (GitHub's "Recent Deliveries" can redeliver it by hand).
 */
async function keepOrGiveUp(
  disk: DiskQueue,
  stored: StoredEvent,
  error: unknown,
  log: AppLog,
): Promise<void> {
  const fields = {
    err: error,
    file: stored.file,
    delivery: stored.event.deliveryId,
    installation: stored.event.installationId,
  };
  const starts = stored.failedReplays + 1;
  if (starts >= MAX_FAILED_REPLAYS) {
    log.error(
      fields,
      `a queued event could not be replayed (no installation token): given up after ${starts} starts; redeliver it from the app's settings on GitHub if it still matters`,
    );
    await disk.remove(stored.file).catch(() => {});
    return;
  }
  try {
    await disk.countFailedReplay(stored);
    log.error(
      fields,
      `a queued event could not be replayed (no installation token): kept for the next start (${starts} of ${MAX_FAILED_REPLAYS})`,
    );
  } catch (writeError) {
    log.error(
      { ...fields, writeError },
      "a queued event could not be replayed (no installation token) nor kept: discarded",
    );
    await disk.remove(stored.file).catch(() => {});
  }
}
