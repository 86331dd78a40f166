import { findReview, findStatus, reviewComments } from "../bot-comments.js";
import type { IssueJob } from "../job-context.js";
import { loadRepoConfig } from "../load-config.js";
import { watchKey } from "../watch/watch-key.js";
import { readMarked } from "./issue-comments.js";

/**
 * A reopened issue (docs/design.md §5): its patch requests are open again unless they were decided, so
 * each key whose current review has a patch CID is polled again from that CID, as the review left it:
 * 1. read the configuration; unusable: nothing (a person's next event reports it);
 * 2. labelled applied or rejected: decided, not watched;
 * 3. watch every key of the bot's current reviews, except a version already applied.
 * Nothing is written to GitHub, and nothing is resolved now: the next poll finds a newer version.
 */
export async function watchReopened(job: IssueJob): Promise<void> {
  const repo = await loadRepoConfig(job.github);
  if (repo.status === "invalid")
    return job.log.info("configuration unusable: the reopened issue is not watched");
  const { config } = repo;
  const { applied, rejected } = config.labels;
  if (job.issue.labels.includes(applied) || job.issue.labels.includes(rejected))
    return job.log.info("the reopened issue was decided: its keys are not watched");
  const marked = await readMarked(job);
  const done = (key: string, cid: string) =>
    findStatus(
      marked,
      (m) => (m.state === "applied" || m.state === "already-applied") && m.key === key && m.cid === cid,
    ) !== undefined;
  for (const key of new Set(reviewComments(marked).map((c) => c.marker.key))) {
    const cid = findReview(marked, key)?.marker.cid;
    if (cid && !done(key, cid)) watchKey(job, config, key, cid);
  }
}
