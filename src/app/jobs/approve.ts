import type { NomadPatchConfig } from "../../policy/index.js";
import { renderNothingToApproveMarkdown } from "../../render/index.js";
import { isApprovable, reviewComments } from "../bot-comments.js";
import type { IssueJob } from "../job-context.js";
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
export async function approve(
  job: IssueJob,
  config: NomadPatchConfig,
  user: string,
  via: "label" | "command",
): Promise<boolean> {
  if (!(await mayDecide(job, config, user, { action: "approve", via }))) return false;
  if (job.issue.labels.includes(config.labels.held)) {
    job.log.info({ user }, "approval ignored: the issue is on hold");
    await job.github.createComment(
      renderNothingToApproveMarkdown({ reason: "held", heldLabel: config.labels.held }),
    );
    return false;
  }
  const reviews = reviewComments(await readMarked(job)).filter((c) => isApprovable(c.marker));
  if (reviews.length === 0) {
    job.log.info({ user }, "approval ignored: no reviewed, applicable patch on this issue");
    await job.github.createComment(
      renderNothingToApproveMarkdown({ reason: "no-review", commands: config.commands.apply }),
    );
    return false;
  }
  for (const { marker } of reviews) {
    const { key, cid, result } = marker;
    if (!cid || !result) continue; // isApprovable checked it; this narrows the types
    await applyReviewed(job, config, { key, cid, result }, { approvedBy: user, author: job.issue.author });
  }
  return true;
}
