import type { NomadPatchConfig } from "../../policy/index.js";
import { findReview, type MarkedComment, reviewComments } from "../bot-comments.js";
import type { IssueJob } from "../job-context.js";

/** A key whose current version's apply failed, and that version. */
export interface StandingFailure {
  readonly key: string;
  readonly cid: string;
}

/**
 * The keys on the issue, other than `except`, whose current version's last apply failed: the bot's last
 * status comment about the key names that version and says `failed`. An approval of that version was
 * given and did not go through, so it still stands, and so does the failure (decisions.md, "Statuses on an
 * issue with several patches").
 */
export function keysWithStandingFailure(marked: readonly MarkedComment[], except: string): StandingFailure[] {
  const keys = new Set(reviewComments(marked).map((c) => c.marker.key));
  keys.delete(except);
  const standing: StandingFailure[] = [];
  for (const key of keys) {
    const cid = findReview(marked, key)?.marker.cid;
    const last = marked.findLast((c) => c.marker.kind === "status" && c.marker.key === key)?.marker;
    if (cid && last?.state === "failed" && last.cid === cid) standing.push({ key, cid });
  }
  return standing;
}

/**
 * `keysWithStandingFailure`, less the versions the apply journal says are applied: a failure status that
 * GitHub's failure on the outcome comment left (it says the patch "was applied") is no standing failure,
 * and keeps no label up. An unreadable journal leaves the failure standing.
 */
export async function standingFailures(
  job: IssueJob,
  marked: readonly MarkedComment[],
  except: string,
): Promise<StandingFailure[]> {
  const standing: StandingFailure[] = [];
  for (const failure of keysWithStandingFailure(marked, except)) {
    const record = await job.runtime.journal.get(failure.cid).catch(() => undefined);
    if (record?.state !== "done") standing.push(failure);
  }
  return standing;
}

/**
 * Takes down the `approve` and `failed` labels once what `key` did no longer warrants them (a new version
 * of it, its apply): they are the issue's, not one key's, so they stay up while another key's failed
 * apply (and the approval it carried out) still stands.
 */
export async function takeDownApplyLabels(
  job: IssueJob,
  config: NomadPatchConfig,
  marked: readonly MarkedComment[],
  key: string,
): Promise<void> {
  const standing = await standingFailures(job, marked, key);
  if (standing.length > 0) {
    const keys = standing.map((s) => s.key);
    job.log.info({ standing: keys }, "the approve and failed labels stay: another key's failed apply stands");
    return;
  }
  for (const label of [config.labels.approve, config.labels.failed])
    if (job.issue.labels.includes(label)) await job.github.removeLabel(label);
}
