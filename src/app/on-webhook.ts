import type { Context } from "probot";
import { renderTooMuchAtOnceMarkdown } from "../render/index.js";
import type { InboxBridge } from "./bridge/inbox-bridge.js";
import type { DeliveryDedupe } from "./delivery-dedupe.js";
import { type AppEvent, type DiskQueue, type IssuePayload, slimPayload } from "./disk-queue.js";
import { answerOnce } from "./github/answer-once.js";
import { issueGitHub, issueLane } from "./github/issue-github.js";
import type { AppLog, IssueJob, Runtime } from "./job-context.js";
import { handleLabel } from "./jobs/handle-label.js";
import { handleText } from "./jobs/handle-text.js";
import { reportFailure } from "./jobs/report-failure.js";
import { watchReopened } from "./jobs/watch-reopened.js";
import { unwatch } from "./watch/watch-key.js";
import type { WorkQueue } from "./work-queue.js";

type Octokit = Context["octokit"];

/** One event to handle: a webhook as it arrives, or one kept on disk, replayed after a restart. */
export interface IncomingEvent {
  readonly id: string;
  readonly name: AppEvent;
  readonly payload: IssuePayload;
  readonly installationId: number | undefined;
  readonly octokit: Octokit;
  readonly log: AppLog;
  /**
   * The event's record in the disk queue, when it is already there: replayed after a restart, or written
   * by the thread that acknowledged it (`fresh`).
   */
  readonly stored?: string;
  /**
   * True for an event acknowledged on the webhook thread (`ack-thread/`), which wrote its record before
   * answering: it is handled as a webhook that just arrived, not as a replay.
   */
  readonly fresh?: boolean;
}

export interface WebhookDeps {
  readonly runtime: Runtime;
  readonly queue: WorkQueue;
  /** The delivery ids already queued: a redelivery of one is ignored. */
  readonly deliveries: DeliveryDedupe;
  /** Where accepted events wait across restarts; undefined: in memory only. */
  readonly disk: DiskQueue | undefined;
  /** The inbox bridge, told of closed issues: one may free a slot for a waiting key. */
  readonly bridge?: Pick<InboxBridge, "issueClosed">;
}

/** Probot's context as the event the app handles. */
export function incomingEvent(name: AppEvent, context: Context<"issues" | "issue_comment">): IncomingEvent {
  const payload = context.payload as unknown as IssuePayload & { installation?: { id?: number } };
  return {
    id: context.id,
    name,
    payload,
    installationId: payload.installation?.id,
    octokit: context.octokit,
    log: context.log as unknown as AppLog,
  };
}

/**
 * Answers a webhook quickly: checks what can be checked without I/O, queues the work in the issue's
 * lane, keeps it on disk (so a restart finishes it) and returns, so GitHub gets its 2xx long before IPFS
 * is done. A replayed event is already on disk: it is queued again, and its record removed when done.
 */
export async function onWebhook(deps: WebhookDeps, incoming: IncomingEvent): Promise<void> {
  const { payload, name } = incoming;
  const replayed = incoming.stored !== undefined && incoming.fresh !== true;
  const { owner, name: repo } = { owner: payload.repository.owner.login, name: payload.repository.name };
  const issueNumber = payload.issue.number;
  const log = incoming.log.child({
    delivery: incoming.id,
    event: name,
    repository: `${owner}/${repo}`,
    issue: issueNumber,
    ...(replayed ? { replayed: true } : {}),
  });
  if (!deps.deliveries.isNew(incoming.id)) {
    log.info({}, "delivery seen before: ignored");
    if (incoming.stored !== undefined) await deps.disk?.remove(incoming.stored);
    return;
  }
  const octokit = deps.runtime.installationTokens?.guard(incoming.octokit) ?? incoming.octokit;
  const github = issueGitHub(octokit, { owner, repo, issueNumber }, deps.runtime.markers, log);
  // When GitHub says the event happened: a replayed job's answers were posted after it.
  const at = payload.comment?.created_at ?? payload.issue.updated_at;
  const job: IssueJob = {
    runtime: deps.runtime,
    github: replayed ? answerOnce(github, at, deps.runtime.botLogin) : github,
    installationId: incoming.installationId,
    log,
    issue: {
      labels: (payload.issue.labels ?? []).map((label) => label.name),
      body: payload.issue.body ?? "",
      author: payload.issue.user.login,
      ...(payload.issue.created_at === undefined ? {} : { createdAt: payload.issue.created_at }),
    },
  };
  const lane = issueLane(job.github.ref);
  // Before anything can drop or delay the event: who posted a key first must not depend on the sender's
  // budget or the queue, and a deletion is heard only here (it has no job). Recorded in memory at once and
  // not awaited here: a turn of the event loop between the redelivery check above and `remember` below let
  // a delivery that came twice at once be handled twice. Its save is awaited before the event's record on
  // disk is removed, so a stop cannot lose both.
  const posted = recordKeyPosters(deps, name, payload, lane);
  const removeStored = async () => {
    await posted;
    if (incoming.stored !== undefined) await deps.disk?.remove(incoming.stored);
  };
  // Whoever closed it, bot or person: its keys are no longer polled (in the issue's lane, after its
  // reviews). Not kept on disk: a poll that finds the issue closed stops watching it as well.
  if (name === "issues.closed") {
    deps.bridge?.issueClosed(`${owner}/${repo}`, job.issue);
    if (deps.queue.enqueue(lane, async () => unwatch(job))) deps.deliveries.remember(incoming.id);
    await removeStored();
    return;
  }
  // The issue now lives in another repository, under that repository's configuration and people; GitHub
  // tells the new one with an `issues.opened` of its own. Here: nothing more is read or written for the old
  // number (jobs still waiting in its lane do nothing, after a restart too: the transfer is kept on disk
  // before this event's record is removed), and its keys are no longer polled. A poll that finds the issue
  // answering from elsewhere stops watching it as well (review-moved.ts).
  if (name === "issues.transferred") {
    await deps.runtime.transferred?.add(lane);
    deps.bridge?.issueClosed(`${owner}/${repo}`, job.issue);
    log.info(
      { to: transferredTo(payload) ?? null },
      "issue transferred to another repository: no longer watched here",
    );
    if (deps.queue.enqueue(lane, async () => unwatch(job))) deps.deliveries.remember(incoming.id);
    await removeStored();
    return;
  }
  // The bot's own comments and labels come back as events; other bots do not speak for people.
  // A replayed record that comes to nothing is removed, or every start would replay it again.
  const forget = removeStored;
  // One exception: a label another app's bot adds must not stay on the issue reading as an approval.
  const byBot = payload.sender.type === "Bot";
  if (byBot && name !== "issues.labeled") {
    log.info({ sender: payload.sender.login }, "sender is a bot: ignored");
    return forget();
  }

  const work = planWork(name, payload, job, byBot);
  if (!work) {
    log.info({}, "nothing to do for this event");
    return forget();
  }
  // One sender's jobs run one at a time, and wait for everyone else's while their keys keep failing.
  const sender = payload.sender.login;
  const lowPriority = () => deps.runtime.senders.isLowPriority(sender);
  // The job starts once its record is written (or known not to be), and removes it when finished.
  let recorded: (file: string | undefined) => void = () => {};
  const stored = new Promise<string | undefined>((resolve) => {
    recorded = resolve;
  });
  const queued = deps.queue.enqueue(
    lane,
    async () => {
      const file = await stored;
      try {
        if (deps.runtime.transferred?.has(lane)) {
          log.info({}, "the issue was transferred since this event: nothing done on its old number");
        } else await work();
      } catch (error) {
        await reportFailure(job, error);
      } finally {
        await markDone(deps.disk, incoming.id, file, log);
      }
    },
    { login: sender, lowPriority },
  );
  if (!queued) {
    await removeStored();
    return noteDrop(deps, job, lane, sender, byBot);
  }
  deps.deliveries.remember(incoming.id);
  if (incoming.stored !== undefined || deps.disk === undefined) return recorded(incoming.stored);
  // The acknowledgement waits for the record alone: until its job is done the record carries the delivery
  // id across a restart (replayQueued), and the id goes to `deliveries` once the job is done (`markDone`).
  try {
    recorded(
      await deps.disk.add({
        deliveryId: incoming.id,
        event: name,
        installationId: incoming.installationId,
        payload: slimPayload(payload),
      }),
    );
  } catch (error) {
    recorded(undefined);
    log.error({ err: error }, "the event could not be kept on disk: queued in memory only");
  }
}

/**
 * The keys in the text an event carries, recorded as posted by the text's author (never the sender, who may
 * be editing or deleting another person's text) when GitHub says the text was posted. A deleted comment's
 * is recorded too: GitHub's API keeps no trace of it. Bots' texts aside, the bot's own reviews included.
 * No GitHub call: what the payload says is enough.
 */
async function recordKeyPosters(deps: WebhookDeps, name: AppEvent, payload: IssuePayload, lane: string) {
  const posters = deps.runtime.keyPosters;
  if (posters === undefined) return;
  const text =
    name === "issues.opened" || name === "issues.edited"
      ? { body: payload.issue.body, user: payload.issue.user, at: payload.issue.created_at }
      : name.startsWith("issue_comment.")
        ? { body: payload.comment?.body, user: payload.comment?.user, at: payload.comment?.created_at }
        : undefined;
  if (!text?.body || text.user === undefined || text.at === undefined || text.user.type === "Bot") return;
  await posters.record(lane, text.body, text.user.login, text.at, payload.issue.created_at);
}

/**
 * A finished job's delivery id goes to `deliveries`, then its record is removed: at every moment one of the
 * two tells a restarted app that the delivery was handled. Appending it here rather than before the
 * acknowledgement keeps the appends, one turn shared by every delivery, off the webhook's answer
 * (docs/decisions.md, "A delivery id is written when its job is done"). If the id cannot be written the
 * record stays, so the next start replays the job (idempotent) and still knows the delivery.
 */
async function markDone(disk: DiskQueue | undefined, id: string, file: string | undefined, log: AppLog) {
  if (disk === undefined) return;
  try {
    await disk.rememberDelivery(id);
  } catch (error) {
    log.error({ err: error, file }, "a finished event's delivery id could not be kept on disk");
    return;
  }
  if (file !== undefined)
    await disk.remove(file).catch((error: unknown) => {
      log.error({ err: error, file }, "a finished event's record could not be removed");
    });
}

/** `owner/repo#number` of a transferred issue's new home, from the payload's `changes` (for the log). */
function transferredTo(payload: IssuePayload): string | undefined {
  const number = payload.changes?.new_issue?.number;
  const name = payload.changes?.new_repository?.full_name;
  return number === undefined || name === undefined ? undefined : `${name}#${number}`;
}

/**
 * A dropped event was never looked at: say so to its sender once per window (README, "Flood limits"),
 * as a job of no sender in the issue's lane, so the note waits its turn in the same throttled writes and
 * a flood costs at most one write per person per hour. The delivery id is not remembered: GitHub's
 * "Redeliver" of a dropped event is a new chance. A bot (another app flooding approve labels) is told
 * nothing: the app answers no bot with a comment, and one answering comments would answer the note.
 */
function noteDrop(deps: WebhookDeps, job: IssueJob, lane: string, sender: string, byBot: boolean): void {
  if (byBot) {
    job.log.warn({ sender }, "too many events of this sender waiting: dropped (a bot: no note)");
    return;
  }
  if (!deps.runtime.senders.firstDrop(sender)) {
    job.log.warn({ sender }, "too many events of this sender waiting: dropped (the sender was told before)");
    return;
  }
  job.log.warn({ sender }, "too many events of this sender waiting: dropped, one note posted");
  const note = renderTooMuchAtOnceMarkdown({ maxWaiting: deps.queue.limits.perSender });
  deps.queue.enqueue(lane, async () => {
    await job.github.createComment(note).catch((error: unknown) => {
      job.log.error({ err: error }, "the note about a dropped event could not be posted");
    });
  });
}

function planWork(
  name: AppEvent,
  payload: IssuePayload,
  job: IssueJob,
  byBot: boolean,
): (() => Promise<void>) | undefined {
  const sender = payload.sender.login;
  switch (name) {
    case "issues.opened":
    case "issues.edited":
      return () =>
        handleText(job, {
          text: job.issue.body,
          commentId: undefined,
          commandsAllowed: false,
          sender,
          author: job.issue.author,
          at: undefined,
        });
    case "issue_comment.created":
    case "issue_comment.edited": {
      const comment = payload.comment;
      if (!comment) return undefined;
      const commandsAllowed = name === "issue_comment.created";
      return () =>
        handleText(job, {
          text: comment.body ?? "",
          commentId: comment.id,
          commandsAllowed,
          sender,
          author: comment.user?.login,
          at: comment.created_at,
        });
    }
    case "issues.closed":
    case "issues.transferred":
    // Recorded as an earlier poster of its keys on arrival (`recordKeyPosters`); nothing to do on GitHub.
    case "issue_comment.deleted":
      return undefined;
    case "issues.reopened":
      return () => watchReopened(job);
    case "issues.labeled": {
      const label = payload.label?.name;
      const at = payload.issue.updated_at;
      return label === undefined ? undefined : () => handleLabel(job, { label, sender, at, byBot });
    }
  }
}
