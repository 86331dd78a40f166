import type { NomadPatchConfig } from "../../policy/index.js";
import { isApprovable, reviewComments } from "../bot-comments.js";
import type { IssueJob } from "../job-context.js";
import { nothingToApproveComment } from "../messages/decision-comments.js";
import { who } from "../messages/status-comment.js";
import { applyReviewed } from "./apply-reviewed.js";
import { readMarked } from "./issue-comments.js";
import { mayDecide } from "./may-decide.js";

/**
 * An approval by a person (label or command):
 * 1. the approver's permission, from GitHub, failing closed;
 * 2. not on hold;
 * 3. every reviewed patch on the issue that can be applied, bound to its review marker's CIDs.
 * Returns false when refused, so the label path can take its label off again.
 */
export async function approve(job: IssueJob, config: NomadPatchConfig, user: string): Promise<boolean> {
  if (!(await mayDecide(job, config, user, "approve"))) return false;
  if (job.issue.labels.includes(config.labels.held)) {
    job.log.info({ user }, "approval ignored: the issue is on hold");
    await job.github.createComment(
      nothingToApproveComment(
        "held",
        `the patch is on hold; remove the label "${config.labels.held}" first.`,
      ),
    );
    return false;
  }
  const reviews = reviewComments(await readMarked(job)).filter((c) => isApprovable(c.marker));
  if (reviews.length === 0) {
    job.log.info({ user }, "approval ignored: no reviewed, applicable patch on this issue");
    await job.github.createComment(
      nothingToApproveComment(
        "failed",
        "there is no reviewed patch on this issue that can be applied. Post its key, wait for the review, then approve.",
      ),
    );
    return false;
  }
  for (const { marker } of reviews) {
    const { key, cid, result } = marker;
    if (!cid || !result) continue; // isApprovable checked it; this narrows the types
    await applyReviewed(
      job,
      config,
      { key, cid, result },
      { approvedBy: who(user), author: job.issue.author },
    );
  }
  return true;
}
