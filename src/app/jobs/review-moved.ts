import { type IssueGitHub, issueLane } from "../github/issue-github.js";
import type { AppLog, IssueJob, Runtime } from "../job-context.js";
import { loadRepoConfig } from "../load-config.js";
import { unwatch } from "../watch/watch-key.js";
import type { WatchedKey } from "../watch/watch-list.js";
import { reviewKey } from "./review-key.js";

/**
 * A watched key that now resolves to another patch CID (docs/design.md §5), reviewed as `/refresh`
 * reviews it:
 * 1. read the issue: transferred (GitHub answers with another issue), closed, applied or rejected while
 *    nobody told the app: stop watching, write nothing;
 * 2. read the configuration; when it cannot be used, leave the issue alone (a person's event reports it);
 * 3. review the key: the new version gets its comment with the revision list, the old one is superseded,
 *    and the rules judge the author recorded in the review. A key that fails to resolve now leaves the
 *    review there as it is.
 */
export async function reviewMovedKey(
  runtime: Runtime,
  github: IssueGitHub,
  log: AppLog,
  entry: WatchedKey,
): Promise<void> {
  const facts = await github.readIssue();
  const job: IssueJob = {
    runtime,
    github,
    log,
    installationId: entry.installationId ?? undefined,
    issue: { labels: facts.labels, body: facts.body, author: facts.author },
  };
  if (facts.answeredAs !== undefined) {
    // Transferred (GitHub's redirect led elsewhere), perhaps while the app was down: the issue is now under
    // another repository's configuration and people, which the old address must not stand in for.
    log.info(
      { key: entry.key, answeredAs: facts.answeredAs },
      "the issue answers from elsewhere now (transferred): its keys are no longer watched here",
    );
    await runtime.transferred?.add(issueLane(github.ref));
    return unwatch(job);
  }
  if (!facts.open) {
    log.info({ key: entry.key }, "the issue is closed: its keys are no longer watched");
    return unwatch(job);
  }
  const repo = await loadRepoConfig(github);
  if (repo.status === "invalid") return log.info({ key: entry.key }, "configuration unusable: not reviewed");
  const { labels } = repo.config;
  if (facts.labels.includes(labels.applied) || facts.labels.includes(labels.rejected)) {
    log.info({ key: entry.key }, "the issue is decided: its keys are no longer watched");
    return unwatch(job);
  }
  const failure = await reviewKey(job, repo.config, { key: entry.key, offered: true, author: undefined });
  if (failure)
    log.info({ key: entry.key, code: failure.failure.code }, "the moved key could not be reviewed");
}
