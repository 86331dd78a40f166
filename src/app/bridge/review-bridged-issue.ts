import type { IssueJob } from "../job-context.js";
import { reportConfigError } from "../jobs/report-config-error.js";
import { reviewKeys } from "../jobs/review-keys.js";
import { loadRepoConfig } from "../load-config.js";

/**
 * The review of an issue the inbox bridge opened: what `issues.opened` does for a person's issue, minus
 * the sender's hourly key budget (the inbox has rates of its own) and the reaction. The author is the
 * bot, whose permission the rules read as none: nobody on GitHub vouches for an inbox arrival.
 */
export async function reviewBridgedIssue(job: IssueJob, key: string, botLogin: string): Promise<void> {
  const repo = await loadRepoConfig(job.github);
  if (repo.status === "invalid") return reportConfigError(job, repo);
  await reviewKeys(job, repo.config, botLogin, [{ key, offered: true, author: botLogin }]);
}
