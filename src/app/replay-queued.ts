import type { Probot } from "probot";
import type { DiskQueue } from "./disk-queue.js";
import type { AppLog } from "./job-context.js";
import { onWebhook, type WebhookDeps } from "./on-webhook.js";

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
  for (const { file, event } of records) {
    try {
      const octokit = await app.auth(event.installationId);
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
