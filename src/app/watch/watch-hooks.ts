import type { Probot } from "probot";
import { issueGitHub, issueLane } from "../github/issue-github.js";
import type { AppLog, Runtime } from "../job-context.js";
import { reviewMovedKey } from "../jobs/review-moved.js";
import type { WorkQueue } from "../work-queue.js";
import type { WatcherHooks } from "./watcher.js";

/**
 * How the watcher reaches the app: a watched key is resolved on the app's Kubo node within the
 * deployment's resolve bound, and a moved key is reviewed as a job in its issue's lane, caused by no
 * person (so no one's budget pays for it), writing as the installation the issue was seen through.
 */
export function watchHooks(app: Probot, runtime: Runtime, queue: WorkQueue, log: AppLog): WatcherHooks {
  return {
    async resolve(key) {
      const timeoutMs = runtime.environment.resolveTimeoutMs;
      return (await runtime.store.resolveName(key, { timeoutMs, nocache: true }))?.toString();
    },
    onMoved(entry, cid) {
      const [owner = "", repo = ""] = entry.repo.split("/");
      const ref = { owner, repo, issueNumber: entry.issue };
      const jobLog = log.child({ repository: entry.repo, issue: entry.issue, key: entry.key, watched: cid });
      return new Promise<void>((done) => {
        const lane = issueLane(ref);
        const queued = queue.enqueue(lane, async () => {
          try {
            if (runtime.transferred?.has(lane)) {
              // Its `issues.transferred` came after this round picked the key: nothing on the old number.
              runtime.watched?.unwatchIssue(entry.repo, entry.issue);
              return jobLog.info({}, "the issue was transferred: its keys are no longer watched here");
            }
            const authed = await app.auth(entry.installationId ?? undefined);
            const octokit = runtime.installationTokens?.guard(authed) ?? authed;
            await reviewMovedKey(runtime, issueGitHub(octokit, ref, runtime.markers, jobLog), jobLog, entry);
          } finally {
            done();
          }
        });
        if (!queued) done();
      });
    },
  };
}
