import type { NomadPatchConfig } from "../../policy/index.js";
import type { IssueJob } from "../job-context.js";

const repoOf = (job: IssueJob) => `${job.github.ref.owner}/${job.github.ref.repo}`;

/**
 * Keeps polling `key` on the job's issue, now that its review shows `cid`: every
 * `limits.watchIntervalMinutes` of the repository, never more often than the deployment's minimum;
 * 0 stops it.
 */
export function watchKey(job: IssueJob, config: NomadPatchConfig, key: string, cid: string): void {
  const { watched, watchClock, environment } = job.runtime;
  if (!watched) return;
  const { issueNumber } = job.github.ref;
  const minutes = config.limits.watchIntervalMinutes;
  if (minutes === 0) {
    watched.unwatch(repoOf(job), issueNumber, key);
    return;
  }
  const intervalMs = Math.max(minutes * 60_000, environment.watchMinIntervalMs);
  const request = { repo: repoOf(job), issue: issueNumber, key, cid, intervalMs };
  const now = (watchClock ?? Date.now)();
  if (!watched.watch({ ...request, installationId: job.installationId ?? null }, now))
    job.log.warn({ key, max: environment.watchMaxKeys }, "too many keys watched: this one is not polled");
}

/** Stops polling one key of the issue (applied), or all of them (closed, rejected). */
export function unwatch(job: IssueJob, key?: string): void {
  const { watched } = job.runtime;
  if (!watched) return;
  if (key === undefined) watched.unwatchIssue(repoOf(job), job.github.ref.issueNumber);
  else watched.unwatch(repoOf(job), job.github.ref.issueNumber, key);
}
