import type { NomadPatchConfig } from "../../policy/index.js";
import {
  type ApprovableChoice,
  renderApprovalRefusedMarkdown,
  renderNothingToApproveMarkdown,
  versionCommand,
} from "../../render/index.js";
import type { ApprovableMarker, MarkedComment } from "../bot-comments.js";
import { approvedAfter, chooseReview } from "../choose-review.js";
import type { IssueJob } from "../job-context.js";
import { applyReviewed } from "./apply-reviewed.js";
import { readMarked } from "./issue-comments.js";
import { mayDecide } from "./may-decide.js";

/** An approval by a person, as GitHub reported it. */
export interface Approval {
  readonly user: string;
  readonly via: "label" | "command";
  /** When GitHub says it was given (the comment's `created_at`, the issue's `updated_at` for a label). */
  readonly at: string | undefined;
  /** The version named (`/apply <prefix>`), if any. */
  readonly version?: string;
}

/**
 * An approval by a person (label or command):
 * 1. the approver's permission, from GitHub, failing closed;
 * 2. not on hold;
 * 3. which review: the one named, or the only approvable one; several and none named: ask, apply nothing;
 * 4. given after that review was posted, by GitHub's clock: else it was not an approval of what it shows;
 * 5. apply, bound to the review marker's CIDs.
 * Returns false when nothing was applied, so the label path can take its label off again.
 */
export async function approve(job: IssueJob, config: NomadPatchConfig, approval: Approval): Promise<boolean> {
  const { user, via } = approval;
  if (!(await mayDecide(job, config, user, { action: "approve", via }))) return false;
  if (job.issue.labels.includes(config.labels.held)) {
    job.log.info({ user }, "approval ignored: the issue is on hold");
    await job.github.createComment(
      renderNothingToApproveMarkdown({ reason: "held", heldLabel: config.labels.held }),
    );
    return false;
  }
  const choice = chooseReview(await readMarked(job), approval.version);
  const command = config.commands.apply[0] ?? "/apply";
  const choices = (reviews: readonly MarkedComment<ApprovableMarker>[]): ApprovableChoice[] =>
    reviews.map(({ marker }) => ({
      key: marker.key,
      cid: marker.cid,
      command: versionCommand(command, marker.cid),
    }));
  switch (choice.kind) {
    case "none":
      job.log.info({ user }, "approval ignored: no reviewed, applicable patch on this issue");
      await job.github.createComment(
        renderNothingToApproveMarkdown({ reason: "no-review", commands: config.commands.apply }),
      );
      return false;
    case "ambiguous":
      job.log.info({ user, reviews: choice.reviews.length }, "approval ignored: it does not say which patch");
      await job.github.createComment(
        renderApprovalRefusedMarkdown({ via, reason: "ambiguous", choices: choices(choice.reviews) }),
      );
      return false;
    case "not-current":
    case "unknown-version":
      job.log.info(
        { user, named: approval.version, why: choice.kind },
        "approval ignored: not a current version",
      );
      await job.github.createComment(
        renderApprovalRefusedMarkdown({
          via,
          reason: choice.kind,
          named: approval.version ?? "",
          choices: choices(choice.reviews),
        }),
      );
      return false;
    case "chosen":
      break;
  }
  const { review } = choice;
  const [picked] = choices([review]);
  if (!picked) return false; // one review in, one choice out; this narrows the type
  if (!approvedAfter(approval.at, review.writtenAt)) {
    job.log.info(
      {
        user,
        key: picked.key,
        cid: picked.cid,
        approvedAt: approval.at ?? null,
        reviewedAt: review.writtenAt,
      },
      "approval ignored: given before the review it would apply was posted",
    );
    await job.github.createComment(
      renderApprovalRefusedMarkdown({
        via,
        reason: "too-early",
        choice: picked,
        reviewedAt: review.writtenAt,
        approvedAt: approval.at,
      }),
    );
    return false;
  }
  const { key, cid, result } = review.marker;
  await applyReviewed(job, config, { key, cid, result }, { approvedBy: user });
  return true;
}
