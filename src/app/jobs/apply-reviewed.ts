import type { NomadPatchConfig } from "../../policy/index.js";
import { PatchMovedError, TargetMovedError } from "../../service/apply-errors.js";
import { applyPatch } from "../../service/apply-patch.js";
import { findStatus } from "../bot-comments.js";
import type { IssueJob } from "../job-context.js";
import { reviewLimits, targetSettings } from "../limits.js";
import { applyFailedComment, voidedComment } from "../messages/decision-comments.js";
import { describeFailure } from "../messages/describe-failure.js";
import { outcomeComment } from "../messages/outcome-comment.js";
import { readMarked } from "./issue-comments.js";
import { reviewKey } from "./review-key.js";

export interface Approved {
  readonly key: string;
  /** From the bot's own review marker, never from a command or a person's comment. */
  readonly cid: string;
  readonly result: string;
}

/**
 * Design §6, once someone (or the rules) approved:
 * 1. apply through the engine, bound to the reviewed CIDs (it writes each entry exactly once);
 * 2. the key or the target moved: the approval is void, say so and re-render the review;
 * 3. any other failure: a failed status and label (the journal leaves nothing half-applied);
 * 4. applied: the outcome comment (unless already there), the labels, and close if configured.
 */
export async function applyReviewed(
  job: IssueJob,
  config: NomadPatchConfig,
  approved: Approved,
  by: { readonly approvedBy: string; readonly author: string },
): Promise<void> {
  const about = { key: approved.key, cid: approved.cid };
  const log = job.log.child({ ...about, approvedBy: by.approvedBy });
  const { labels } = config;
  let outcome: Awaited<ReturnType<typeof applyPatch>>;
  try {
    outcome = await applyPatch(
      { store: job.runtime.store, journal: job.runtime.journal },
      {
        key: approved.key,
        expectPatchCid: approved.cid,
        expectResultCid: approved.result,
        targets: targetSettings(config),
        limits: reviewLimits(config, job.runtime.environment),
        now: job.runtime.now,
      },
    );
  } catch (error) {
    if (error instanceof PatchMovedError || error instanceof TargetMovedError) {
      log.info({ code: error.code }, "approval void: the key or the target moved; re-rendering");
      await job.github.createComment(voidedComment(about, error.message));
      await job.github.removeLabel(labels.approve);
      await reviewKey(job, config, { key: approved.key, offered: true, author: by.author, runRules: false });
      return;
    }
    const failure = describeFailure(error, config.commands.apply[0]);
    log.error({ code: failure.code, err: error }, "apply failed");
    await job.github.createComment(applyFailedComment(about, failure.text));
    await job.github.addLabels([labels.failed]);
    return;
  }
  const shown = findStatus(
    await readMarked(job),
    (m) =>
      (m.state === "applied" || m.state === "already-applied") && m.key === about.key && m.cid === about.cid,
  );
  log.info({ status: outcome.status, roaming: outcome.roamingCid, commented: !!shown }, "apply finished");
  if (!shown) await job.github.createComment(outcomeComment(outcome, by.approvedBy));
  await job.github.addLabels([labels.applied]);
  for (const label of [labels.approve, labels.failed]) {
    if (job.issue.labels.includes(label)) await job.github.removeLabel(label);
  }
  if (config.closeIssueOnApply) await job.github.closeIssue();
}
