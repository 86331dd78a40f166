import { renderInboxIssue } from "../../render/inbox-issue-markdown.js";
import {
  type InboxItem,
  readInboxRecord,
  updateInboxRecord,
  withItemChanged,
} from "../../service/inbox/inbox-record.js";
import type { InboxArrival } from "../../service/inbox/open-inbox.js";
import { issueGitHub, issueLane } from "../github/issue-github.js";
import type { AppLog, IssueJob, Runtime } from "../job-context.js";
import { reportFailure } from "../jobs/report-failure.js";
import type { WorkQueue } from "../work-queue.js";
import { type BridgeRoute, routeFor } from "./bridge-routes.js";
import type { BridgeCounts } from "./inbox-bridge.js";
import { reviewBridgedIssue } from "./review-bridged-issue.js";

export interface OpenIssueDeps {
  readonly runtime: Runtime;
  readonly queue: WorkQueue;
  readonly log: AppLog;
  readonly dataDir: string;
  /** Keys (`target key`) whose review is queued and not done yet. */
  readonly reviewing: Set<string>;
  readonly counts: BridgeCounts;
}

/** `done`: the key needs nothing more here; `full`: no free issue slot; `retry`: GitHub or the disk failed. */
export type OpenOutcome = "done" | "full" | "retry";

/**
 * One inbox arrival into its issue (docs/design.md §8):
 * 1. the key must still be `new` in the inbox record (anything else was decided elsewhere);
 * 2. the repository's file is read again: one that no longer bridges the target opens nothing (the key
 *    stays `new`, for a later start);
 * 3. the record names the issue already: only its review is left (a restart before the review ran);
 * 4. the record says the issue was being opened: the bot's inbox issues are searched for the key's
 *    marker first (the newest listed, older ones by GitHub's search for the key), since GitHub may have
 *    opened it before the process stopped or its answer was lost;
 * 5. no more than `inbox.maxOpenIssues` of the bot's inbox issues of the target may be open (one whose
 *    marker's signature does not verify counts for every target);
 * 6. the record says "being opened", the issue is opened with its marker signed, the record gets its
 *    number;
 * 7. its review is queued in the issue's lane, as the `issues.opened` webhook's would be (the bot's own
 *    webhook is ignored, as every bot's is), and the key is marked `reviewed` once it is done.
 * Never throws: a failure is logged and is a `retry`.
 */
export async function openBridgedIssue(
  deps: OpenIssueDeps,
  route: BridgeRoute,
  arrival: InboxArrival,
): Promise<OpenOutcome> {
  const { key, target } = arrival;
  const { repository, github } = route;
  const log = deps.log.child({ repository, target, key, inboxPeer: arrival.from });
  try {
    const item = (await readInboxRecord(deps.dataDir, target)).items.find((i) => i.key === key);
    if (item?.status !== "new") return "done";
    const fresh = await routeFor(github, repository, target);
    if (!fresh) {
      log.warn(
        {},
        "inbox bridge: the repository no longer opens issues for this target; the key stays in the inbox",
      );
      return "done";
    }
    const { label, maxOpenIssues } = fresh.inbox;
    const botLogin = await deps.runtime.botLogin();
    const mine = item.issue?.repository === repository ? item.issue : undefined;
    let number = mine?.number;
    if (mine && number === undefined) {
      number = (await github.findInboxIssue(label, key, target, botLogin))?.number;
      if (number !== undefined) {
        deps.counts.found++;
        log.info({ issue: number }, "inbox bridge: the key's issue was opened before");
        await record(deps.dataDir, target, key, { issue: { repository, number } });
      }
    }
    if (number === undefined) {
      // An issue of the bot's whose marker does not verify may be any target's: it takes a slot of each, so an
      // edit of the marker can take a slot but never free one (closing the issue is what frees it).
      const open = (await github.listInboxIssues(label, "open", botLogin)).filter(
        (i) => i.target === target || i.target === undefined,
      );
      if (open.length >= maxOpenIssues) {
        log.info({ open: open.length, maxOpenIssues }, "inbox bridge: no free issue slot; the key waits");
        return "full";
      }
      await record(deps.dataDir, target, key, { issue: { repository } });
      const issue = renderInboxIssue({
        key,
        target,
        targetName: fresh.targetName,
        title: item.title ?? arrival.title,
        from: arrival.from,
      });
      const body = deps.runtime.markers.signInboxIssue(issue.body, github);
      number = await github.createIssue({ title: issue.title, body, labels: [label] });
      deps.counts.opened++;
      log.info({ issue: number }, "inbox bridge: issue opened");
      await record(deps.dataDir, target, key, { issue: { repository, number } });
    }
    queueReview(deps, route, arrival, number, botLogin, label);
    return "done";
  } catch (error) {
    log.warn({ err: error }, "inbox bridge: GitHub or the disk failed; the key waits and is tried again");
    return "retry";
  }
}

function queueReview(
  deps: OpenIssueDeps,
  route: BridgeRoute,
  arrival: InboxArrival,
  issueNumber: number,
  botLogin: string,
  label: string,
): void {
  const { key, target } = arrival;
  const id = `${target} ${key}`;
  if (deps.reviewing.has(id)) return;
  const ref = { owner: route.github.owner, repo: route.github.repo, issueNumber };
  const log = deps.log.child({ repository: route.repository, issue: issueNumber, inboxPeer: arrival.from });
  const job: IssueJob = {
    runtime: deps.runtime,
    github: issueGitHub(route.github.octokit, ref, deps.runtime.markers, log),
    installationId: route.github.installationId,
    log,
    issue: { labels: [label], body: "", author: botLogin },
  };
  deps.reviewing.add(id);
  const queued = deps.queue.enqueue(issueLane(ref), async () => {
    try {
      await reviewBridgedIssue(job, key, botLogin);
      await record(deps.dataDir, target, key, {
        status: "reviewed",
        reason: `issue ${route.repository}#${issueNumber}`,
      });
    } catch (error) {
      // The key stays `new` with its issue: the next start reviews it again.
      await reportFailure(job, error);
    } finally {
      deps.reviewing.delete(id);
    }
  });
  if (!queued) {
    deps.reviewing.delete(id);
    job.log.warn({ key }, "inbox bridge: the work queue is full; the review is left to the next start");
  }
}

async function record(
  dataDir: string,
  target: string,
  key: string,
  change: Partial<InboxItem>,
): Promise<void> {
  const updatedAt = new Date().toISOString();
  await updateInboxRecord(dataDir, target, (items) => withItemChanged(items, key, { ...change, updatedAt }));
}
