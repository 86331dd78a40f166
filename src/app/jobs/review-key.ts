import type { PatchReview } from "../../patch-request/change-model.js";
import type { NomadPatchConfig } from "../../policy/index.js";
import type { ReviewMarker } from "../../render/index.js";
import {
  DEFAULT_REFRESH_COMMAND,
  renderFailureMarkdown,
  renderResolvingMarkdown,
  renderReviewMarkdown,
  renderSupersededMarkdown,
  reviewStatus,
} from "../../render/index.js";
import { reviewPatch } from "../../service/review-patch.js";
import { findReview, type MarkedComment } from "../bot-comments.js";
import { describeFailure } from "../describe-failure.js";
import type { IssueJob } from "../job-context.js";
import { reviewLimits, targetSettings } from "../limits.js";
import { applyRules } from "./apply-rules.js";
import { readMarked } from "./issue-comments.js";
import { aboutPatch, type WorkAbout } from "./work-error.js";

export interface ReviewRequest {
  readonly key: string;
  /** Offered as a patch: a wrong key gets a reply. Otherwise an incidental mention, answered only if real. */
  readonly offered: boolean;
  /**
   * Who posted the text holding the key: the patch's author for the rules' `authorPermission`, recorded
   * in the review. Undefined on a re-render that no text caused (`/refresh`, a voided approval): the
   * author recorded in the current review is used then, and without one the rules do not run.
   */
  readonly author: string | undefined;
  /** False when re-rendering after a voided approval: the rules had their say on this event already. */
  readonly runRules?: boolean;
}

/**
 * The review comment for one key (docs/design.md §5). An approval binds to what a comment showed when
 * it was written, so a review's text is written once:
 * 1. find the key's current review comment; with none and the key offered, post a "resolving…" placeholder;
 * 2. review the patch on IPFS (resolve, fold the target, predict the result);
 * 3. the same version as the current review (patch CID, result, state): nothing is written, nothing runs;
 * 4. otherwise fill the placeholder, or post a NEW review saying what changed (edits notify nobody) and
 *    mark the old one superseded, so no approval binds to it;
 * 5. let the repository's rules decide, judging the recorded author.
 * A GitHub failure on the way is thrown with the key (and the CID once known) for the last-resort report.
 */
export async function reviewKey(
  job: IssueJob,
  config: NomadPatchConfig,
  request: ReviewRequest,
): Promise<void> {
  const { key } = request;
  const log = job.log.child({ key });
  const refresh = config.commands.refresh[0] ?? DEFAULT_REFRESH_COMMAND;
  const about: WorkAbout = { key, cid: null, retryCommand: refresh };
  const current = await aboutPatch(about, async () => findReview(await readMarked(job), key));
  const author = request.author ?? current?.marker.author ?? undefined;
  let placeholder: number | undefined;
  if (current === undefined && request.offered) {
    const body = renderResolvingMarkdown({ key });
    placeholder = await aboutPatch(about, () => job.github.createComment(body));
  }

  let review: PatchReview;
  try {
    const reviewed = await reviewPatch(
      { store: job.runtime.store },
      {
        key,
        targets: targetSettings(config),
        limits: reviewLimits(config, job.runtime.environment),
        dataDir: job.runtime.environment.dataDir,
        now: job.runtime.now?.(),
      },
    );
    review = reviewed.review;
  } catch (error) {
    const failure = describeFailure(error);
    const body = renderFailureMarkdown({ key, ...failure, refreshCommand: refresh, author });
    // Only a placeholder or an unfinished one is overwritten: a review someone may be reading stays,
    // and an approval of it is checked against the key again when it is applied.
    const into = placeholder ?? (current?.marker.state === "resolving" ? current.id : undefined);
    if (into === undefined) {
      log.warn(
        { code: failure.code, current: current?.marker.state ?? null },
        current
          ? "review failed: the comment already there stays"
          : "an incidental key is no patch request: quiet",
      );
      return;
    }
    log.warn({ code: failure.code, err: error }, "review failed");
    await aboutPatch(about, () => job.github.updateComment(into, body));
    return;
  }

  const cid = review.patch.cid;
  const result = review.predictedResultCid;
  if (current && sameVersion(current.marker, review)) {
    return log.info({ cid, result }, "the review is unchanged: nothing to write");
  }
  await aboutPatch({ ...about, cid }, async () => {
    const options = {
      approveLabel: config.labels.approve,
      commands: config.commands.apply,
      refreshCommand: refresh,
      author,
    };
    if (placeholder !== undefined) {
      await job.github.updateComment(placeholder, renderReviewMarkdown(review, options));
    } else {
      const replaces = current?.marker.cid
        ? { cid: current.marker.cid, result: current.marker.result }
        : undefined;
      await job.github.createComment(renderReviewMarkdown(review, { ...options, replaces }));
      if (current) await supersede(job, current);
    }
    log.info({ cid, result, replaced: current?.marker.cid ?? null }, "review posted");
    if (request.runRules === false) return;
    if (author === undefined) return log.info("no recorded author to judge: the rules do not run");
    await applyRules(job, config, review, author);
  });
}

function sameVersion(marker: ReviewMarker, review: PatchReview): boolean {
  return (
    marker.cid === review.patch.cid &&
    marker.result === review.predictedResultCid &&
    marker.state === reviewStatus(review).state
  );
}

async function supersede(job: IssueJob, old: MarkedComment<ReviewMarker>): Promise<void> {
  await job.github.updateComment(old.id, renderSupersededMarkdown(old.marker));
}
