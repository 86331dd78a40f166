import type { NomadPatchConfig } from "../../policy/index.js";
import {
  DEFAULT_REFRESH_COMMAND,
  renderFailureMarkdown,
  renderResolvingMarkdown,
  renderReviewMarkdown,
} from "../../render/index.js";
import { reviewPatch } from "../../service/review-patch.js";
import { findReview } from "../bot-comments.js";
import { describeFailure } from "../describe-failure.js";
import type { IssueJob } from "../job-context.js";
import { reviewLimits, targetSettings } from "../limits.js";
import { applyRules } from "./apply-rules.js";
import { readMarked, upsertComment } from "./issue-comments.js";
import { aboutPatch } from "./work-error.js";

export interface ReviewRequest {
  readonly key: string;
  /** Offered as a patch: a wrong key gets a reply. Otherwise an incidental mention, answered only if real. */
  readonly offered: boolean;
  /** Who posted the key: the patch's author for the rules' `authorPermission`. */
  readonly author: string;
  /** False when re-rendering after a voided approval: the rules had their say on this event already. */
  readonly runRules?: boolean;
}

/**
 * The sticky review comment for one key (docs/design.md §5):
 * 1. find the bot's comment for this key; post or set the "resolving…" placeholder;
 * 2. review the patch on IPFS (resolve, fold the target, predict the result);
 * 3. replace the placeholder with the diff, its marker holding the CIDs an approval binds to;
 * 4. let the repository's rules decide what happens next.
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
  const about = { key, cid: null, retryCommand: refresh };
  let sticky = await aboutPatch(about, async () => findReview(await readMarked(job), key)?.id);
  if (request.offered || sticky !== undefined) {
    const placeholder = renderResolvingMarkdown({ key });
    sticky = await aboutPatch(about, () => upsertComment(job, sticky, placeholder));
  }

  let reviewed: Awaited<ReturnType<typeof reviewPatch>>;
  try {
    reviewed = await reviewPatch(
      { store: job.runtime.store },
      {
        key,
        targets: targetSettings(config),
        limits: reviewLimits(config, job.runtime.environment),
        now: job.runtime.now?.(),
      },
    );
  } catch (error) {
    const failure = describeFailure(error);
    if (sticky === undefined) {
      log.info(
        { code: failure.code },
        "an incidental key that is not a readable patch request: staying quiet",
      );
      return;
    }
    log.warn({ code: failure.code, err: error }, "review failed");
    const body = renderFailureMarkdown({ key, ...failure, refreshCommand: refresh });
    await aboutPatch(about, () => upsertComment(job, sticky, body));
    return;
  }
  const { review } = reviewed;
  const body = renderReviewMarkdown(review, {
    approveLabel: config.labels.approve,
    commands: config.commands.apply,
    refreshCommand: refresh,
  });
  await aboutPatch({ ...about, cid: review.patch.cid }, async () => {
    await upsertComment(job, sticky, body);
    log.info({ cid: review.patch.cid, result: review.predictedResultCid }, "review posted");
    if (request.runRules === false) return;
    await applyRules(job, config, review, request.author);
  });
}
