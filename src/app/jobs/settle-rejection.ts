import type { PatchReview } from "../../patch-request/change-model.js";
import type { NomadPatchConfig, PolicyVerdict } from "../../policy/index.js";
import {
  isRulesRejection,
  RULESET,
  renderLiftedMarkdown,
  renderRejectedMarkdown,
  type StatusMarker,
} from "../../render/index.js";
import { findReview, type MarkedComment } from "../bot-comments.js";
import type { IssueComment } from "../github/issue-github.js";
import type { IssueJob } from "../job-context.js";
import { takeDownApplyLabels } from "./apply-labels.js";
import { readComments } from "./issue-comments.js";

/** What stands on the issue about the reviewed version once settled: decided (applied, rejected) or open. */
export type Settled = "applied" | "rejected" | "open";

/**
 * Makes the issue's rejection of a reviewed version say what the rules say now (docs/decisions.md, "A
 * rejection follows the configuration"), both ways:
 * - the rules reject it: their rejection is posted unless one of this version stands, the `rejected` label
 *   is put up and the version's `approve` and `failed` labels taken down, each only if not already so;
 * - they do not: a rejection of this version by the rules (or a built-in refusal) is rewritten as lifted,
 *   and the `rejected` label comes down once no rejection stands on the issue (a person's `/reject` of
 *   anything, a rules' rejection of a key's current version), if a rules' rejection of this key was ever
 *   posted: a label a person put up with no rejection of the bot's is theirs.
 * A person's `/reject` is never lifted: only a person takes a person's decision back. Every write here
 * follows from the configuration and the comments the bot signed, so whoever causes the review (a
 * stranger's `/refresh`, a poll) cannot choose what is written, and a second review writes nothing.
 */
export async function settleRejection(
  job: IssueJob,
  config: NomadPatchConfig,
  review: PatchReview,
  verdict: PolicyVerdict,
  /** The issue's comments as the caller just read them; read fresh without them. */
  read?: { readonly comments: readonly IssueComment[]; readonly marked: readonly MarkedComment[] },
): Promise<Settled> {
  const key = review.patch.key;
  const cid = review.patch.cid;
  const { comments, marked } = read ?? (await readComments(job));
  const bodies = new Map(comments.map((c) => [c.id, c.body]));
  const byRules = (c: MarkedComment<StatusMarker>) => isRulesRejection(bodies.get(c.id) ?? "");
  const rejections = statuses(marked).filter((c) => c.marker.state === "rejected");
  const ofVersion = rejections.filter((c) => c.marker.key === key && c.marker.cid === cid);
  const { labels } = config;
  const applied = statuses(marked).some(
    (c) =>
      (c.marker.state === "applied" || c.marker.state === "already-applied") &&
      c.marker.key === key &&
      c.marker.cid === cid,
  );
  // Applied is what happened: no rule's verdict since takes it back or labels it rejected.
  if (applied) return "applied";

  // The event's labels may be stale: a flood of events sent before the first was handled all show what the
  // issue had then. A label write no comment write of this job goes with is checked against the issue as
  // GitHub has it now (one read), so the flood writes each label once, not once an event.
  let fresh: readonly string[] | undefined;
  const labelsNow = async (wrote: boolean): Promise<readonly string[]> => {
    if (wrote) return job.issue.labels;
    fresh ??= (await job.github.readIssue()).labels;
    return fresh;
  };

  if (verdict.decision === "reject") {
    const post = ofVersion.length === 0;
    if (post) {
      job.log.info({ key, cid, reasons: verdict.reasons.length }, "the rules reject the patch");
      // One reason a line: each names the entry and the rule (or built-in refusal) that decided.
      const reason = verdict.reasons.map((r) => r.message).join("\n");
      // A built-in refusal is no rule of the repository's: say who refused it, as the review does.
      const builtIn = verdict.reasons.every((r) => r.code !== "rule");
      const user = builtIn ? "nomad-patch (built-in)" : RULESET;
      await job.github.createComment(renderRejectedMarkdown({ key, cid, user, reason, builtIn }));
    }
    if (!job.issue.labels.includes(labels.rejected) && !(await labelsNow(post)).includes(labels.rejected))
      await job.github.addLabels([labels.rejected]);
    // An approval of this version (a label whose apply failed) no longer stands, as after `/reject`.
    if ([labels.approve, labels.failed].some((label) => job.issue.labels.includes(label))) {
      const now = await labelsNow(post);
      await takeDownApplyLabels({ ...job, issue: { ...job.issue, labels: now } }, config, marked, key);
    }
    return "rejected";
  }

  const lifted = ofVersion.filter(byRules);
  for (const comment of lifted)
    await job.github.updateComment(comment.id, renderLiftedMarkdown({ key, cid }));
  if (lifted.length > 0)
    job.log.info({ key, cid, lifted: lifted.length }, "no rule rejects the patch now: lifted");
  const standing = rejections.filter((c) => !lifted.includes(c) && stands(c, marked, byRules(c)));
  const ruledOnKey = statuses(marked).some(
    (c) =>
      c.marker.key === key && (c.marker.state === "lifted" || (c.marker.state === "rejected" && byRules(c))),
  );
  if (
    ruledOnKey &&
    standing.length === 0 &&
    job.issue.labels.includes(labels.rejected) &&
    (await labelsNow(lifted.length > 0)).includes(labels.rejected)
  ) {
    job.log.info({ key, cid }, "no rejection stands on the issue: the rejected label comes down");
    await job.github.removeLabel(labels.rejected);
  }
  // A person's rejection of this version still decides it; a lifted one no longer does.
  return ofVersion.some((c) => !lifted.includes(c)) ? "rejected" : "open";
}

function statuses(marked: readonly MarkedComment[]): MarkedComment<StatusMarker>[] {
  return marked.filter((c): c is MarkedComment<StatusMarker> => c.marker.kind === "status");
}

/**
 * Whether a rejection still stands: a person's always (of a key, of a version, of the whole issue); the
 * rules' only while the version it is about is its key's current review (a later version was judged on its
 * own, and an earlier version's rejection says nothing about it).
 */
function stands(
  rejection: MarkedComment<StatusMarker>,
  marked: readonly MarkedComment[],
  byRules: boolean,
): boolean {
  if (!byRules) return true;
  const { key, cid } = rejection.marker;
  return key !== null && cid !== null && findReview(marked, key)?.marker.cid === cid;
}
