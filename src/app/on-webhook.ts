import type { Context } from "probot";
import { renderTooMuchAtOnceMarkdown } from "../render/index.js";
import type { DeliveryDedupe } from "./delivery-dedupe.js";
import { issueGitHub } from "./github/issue-github.js";
import type { AppLog, IssueJob, Runtime } from "./job-context.js";
import { handleLabel } from "./jobs/handle-label.js";
import { handleText } from "./jobs/handle-text.js";
import { reportFailure } from "./jobs/report-failure.js";
import type { WorkQueue } from "./work-queue.js";

type Event =
  | "issues.opened"
  | "issues.edited"
  | "issues.labeled"
  | "issue_comment.created"
  | "issue_comment.edited";

interface User {
  readonly login: string;
  readonly type?: string;
}
/** The parts of the `issues` and `issue_comment` payloads the app reads. */
interface IssuePayload {
  readonly action: string;
  readonly sender: User;
  readonly repository: { readonly name: string; readonly owner: { readonly login: string } };
  readonly issue: {
    readonly number: number;
    readonly body?: string | null;
    readonly user: User;
    readonly labels?: readonly { readonly name: string }[];
    readonly updated_at?: string;
  };
  readonly comment?: {
    readonly id: number;
    readonly body?: string | null;
    readonly user?: User;
    readonly created_at?: string;
  };
  readonly label?: { readonly name: string };
}

export interface WebhookDeps {
  readonly runtime: Runtime;
  readonly queue: WorkQueue;
  /** The delivery ids already queued: a redelivery of one is ignored. */
  readonly deliveries: DeliveryDedupe;
}

/**
 * Answers a webhook at once: checks what can be checked without I/O, then queues the work in the
 * issue's lane and returns, so GitHub gets its 2xx long before IPFS is done.
 */
export function onWebhook(
  deps: WebhookDeps,
  name: Event,
  context: Context<"issues" | "issue_comment">,
): void {
  const payload = context.payload as unknown as IssuePayload;
  const { owner, name: repo } = { owner: payload.repository.owner.login, name: payload.repository.name };
  const issueNumber = payload.issue.number;
  const log = (context.log as unknown as AppLog).child({
    delivery: context.id,
    event: name,
    repository: `${owner}/${repo}`,
    issue: issueNumber,
  });
  if (!deps.deliveries.isNew(context.id)) {
    log.info({}, "delivery seen before: ignored");
    return;
  }
  // The bot's own comments and labels come back as events; other bots do not speak for people.
  if (payload.sender.type === "Bot") {
    log.info({ sender: payload.sender.login }, "sender is a bot: ignored");
    return;
  }

  const job: IssueJob = {
    runtime: deps.runtime,
    github: issueGitHub(context.octokit, { owner, repo, issueNumber }),
    log,
    issue: {
      labels: (payload.issue.labels ?? []).map((label) => label.name),
      body: payload.issue.body ?? "",
      author: payload.issue.user.login,
    },
  };
  const work = planWork(name, payload, job);
  if (!work) {
    log.info({}, "nothing to do for this event");
    return;
  }
  // One sender's jobs run one at a time, and wait for everyone else's while their keys keep failing.
  const sender = payload.sender.login;
  const lowPriority = () => deps.runtime.senders.isLowPriority(sender);
  const lane = `${owner}/${repo}#${issueNumber}`;
  const queued = deps.queue.enqueue(
    lane,
    async () => {
      try {
        await work();
      } catch (error) {
        await reportFailure(job, error);
      }
    },
    { login: sender, lowPriority },
  );
  if (queued) deps.deliveries.remember(context.id);
  else noteDrop(deps, job, lane, sender);
}

/**
 * A dropped event was never looked at: say so to its sender once per window (README, "Flood limits"),
 * as a job of no sender in the issue's lane, so the note waits its turn in the same throttled writes and
 * a flood costs at most one write per person per hour. The delivery id is not remembered: GitHub's
 * "Redeliver" of a dropped event is a new chance.
 */
function noteDrop(deps: WebhookDeps, job: IssueJob, lane: string, sender: string): void {
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

function planWork(name: Event, payload: IssuePayload, job: IssueJob): (() => Promise<void>) | undefined {
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
    case "issues.labeled": {
      const label = payload.label?.name;
      const at = payload.issue.updated_at;
      return label === undefined ? undefined : () => handleLabel(job, { label, sender, at });
    }
  }
}
