import {
  evaluate,
  mayOverride,
  type NomadPatchConfig,
  type OverrideAnswer,
  type PermissionLevel,
} from "../../policy/index.js";
import {
  type ApprovableChoice,
  type ReplacedRevision,
  renderApprovalRefusedMarkdown,
  renderNothingToApproveMarkdown,
  versionCommand,
} from "../../render/index.js";
import { type ApprovableMarker, type MarkedComment, reviewComments } from "../bot-comments.js";
import { approvedAfter, chooseReview, type OlderRevision } from "../choose-review.js";
import type { IssueJob } from "../job-context.js";
import { reviewLimits } from "../limits.js";
import { CONFIG_PATH } from "../load-config.js";
import { readPatchSummary } from "../read-patch-summary.js";
import { changeBetween, knownRevisions } from "../revisions.js";
import { applyReviewed, rejectedAfter, settleBegunUnderHold } from "./apply-reviewed.js";
import { authorPermission } from "./apply-rules.js";
import { heldNow } from "./held-now.js";
import { readComments } from "./issue-comments.js";
import { mayDecide } from "./may-decide.js";
import { claimedKeys, standingUntrusted } from "./repair-untrusted.js";
import { aboutPatch } from "./work-error.js";

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
 * 2. not on hold, by the issue's labels as GitHub has them now (an apply begun before the hold and cut
 *    short is settled under it: `settleBegunUnderHold`);
 * 3. no review comment of the bot's on the issue may stand untrusted (its signature does not verify: edited
 *    by someone, or written before comments were signed): what the approver read may not be what the bot
 *    reviewed, so nothing is applied, and the job's next step reviews it again (`repairUntrusted`);
 * 4. which review: the one named, or the only approvable one; several and none named: ask, apply nothing;
 * 5. given after that review was posted, by GitHub's clock: else it was not an approval of what it shows;
 * 6. the rules' verdict, judged under the author the signed review records: a rejection holds unless every
 *    rejecting rule is overridable or the approver is an admin; a built-in refusal always holds;
 * 7. apply, bound to the review marker's CIDs.
 * Returns false when nothing was applied, so the label path can take its label off again.
 */
export async function approve(job: IssueJob, config: NomadPatchConfig, approval: Approval): Promise<boolean> {
  const { user, via } = approval;
  const level = await mayDecide(job, config, user, { action: "approve", via });
  if (level === undefined) return false;
  if (await heldNow(job, config)) {
    // An approval replayed after a stop whose apply had begun before the hold: settled under it, and said.
    if ((await settleBegunUnderHold(job, config, (await readComments(job)).marked)) > 0) return false;
    job.log.info({ user }, "approval ignored: the issue is on hold");
    await job.github.createComment(
      renderNothingToApproveMarkdown({ reason: "held", heldLabel: config.labels.held }),
    );
    return false;
  }
  const { marked, untrusted } = await readComments(job);
  if (standingUntrusted(untrusted).length > 0) {
    const keys = claimedKeys(untrusted);
    job.log.warn({ user, keys }, "approval refused: a review comment on the issue does not verify");
    await job.github.createComment(renderApprovalRefusedMarkdown({ via, reason: "untrusted", keys }));
    return false;
  }
  const choice = chooseReview(marked, approval.version);
  const command = config.commands.apply[0] ?? "/apply";
  const choices = (reviews: readonly MarkedComment<ApprovableMarker>[]): ApprovableChoice[] =>
    reviews.map(({ marker }) => ({
      key: marker.key,
      cid: marker.cid,
      command: versionCommand(command, marker.cid),
    }));
  switch (choice.kind) {
    case "none": {
      job.log.info({ user }, "approval ignored: no reviewed, applicable patch on this issue");
      // A refused review is why there is nothing to approve: say that, not that there is no review.
      const refused = reviewComments(marked).findLast((c) => c.marker.state === "refused");
      await job.github.createComment(
        renderNothingToApproveMarkdown(
          refused
            ? { reason: "refused", key: refused.marker.key }
            : { reason: "no-review", commands: config.commands.apply },
        ),
      );
      return false;
    }
    case "ambiguous":
      job.log.info({ user, reviews: choice.reviews.length }, "approval ignored: it does not say which patch");
      await job.github.createComment(
        renderApprovalRefusedMarkdown({ via, reason: "ambiguous", choices: choices(choice.reviews) }),
      );
      return false;
    case "not-current":
    case "unknown-version":
    case "several-named": {
      const older = choice.kind === "not-current" ? choice.older : undefined;
      job.log.info(
        { user, named: approval.version, why: choice.kind, revision: older?.named.n ?? null },
        "approval ignored: not a current version",
      );
      await job.github.createComment(
        renderApprovalRefusedMarkdown({
          via,
          reason: choice.kind,
          named: approval.version ?? "",
          choices: choices(choice.reviews),
          replaced: older && (await replacedRevision(job, config, older)),
        }),
      );
      return false;
    }
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
        replaced: await approvedBefore(job, config, marked, review, approval.at),
      }),
    );
    return false;
  }
  const rejectedAt = await rejectedAfter(job, picked.key, picked.cid, approval.at);
  if (rejectedAt !== undefined) {
    job.log.info(
      { user, key: picked.key, cid: picked.cid, approvedAt: approval.at ?? null, rejectedAt },
      "approval ignored: the version was rejected after it, and the rejection closed its apply",
    );
    await job.github.createComment(
      renderApprovalRefusedMarkdown({
        via,
        reason: "rejected-since",
        choice: picked,
        approvedAt: approval.at,
        rejectedAt,
      }),
    );
    return false;
  }
  const { answer: rules, target } = await aboutPatch(
    { key: picked.key, cid: picked.cid, retryCommand: picked.command },
    () => judgeApproval(job, config, review.marker, level),
  );
  if (rules.kind === "refused") {
    job.log.info(
      { user, key: picked.key, cid: picked.cid, builtIn: rules.builtIn },
      "approval refused by the rules",
    );
    const reasons = rules.reasons.map((reason) => reason.message);
    // It was reviewed, so its target was configured then: the configuration changed since, and only a
    // maintainer's commit can change it back. Say which target and where, not just that it was refused.
    const dropped = rules.reasons.some((reason) => reason.code === "unknown-target");
    await job.github.createComment(
      renderApprovalRefusedMarkdown({
        via,
        reason: "rules",
        choice: picked,
        builtIn: rules.builtIn,
        reasons,
        ...(dropped ? { droppedTarget: { target, configPath: CONFIG_PATH } } : {}),
      }),
    );
    return false;
  }
  const override =
    rules.kind === "overridden"
      ? { by: rules.by, rules: [...new Set(rules.reasons.map((reason) => reason.rule ?? reason.code))] }
      : undefined;
  const { key, cid, result } = review.marker;
  // An admin may apply a patch that removes later changes, as an admin may override any rule.
  const overrideConflicts = level === "admin";
  const by = { approvedBy: user, approvedAt: approval.at, override, overrideConflicts };
  await applyReviewed(job, config, { key, cid, result }, by);
  return true;
}

/** The older revision an approval named and the one that replaced it, with what changed between them. */
async function replacedRevision(
  job: IssueJob,
  config: NomadPatchConfig,
  older: OlderRevision,
): Promise<ReplacedRevision> {
  const limits = reviewLimits(config, job.runtime.environment);
  const changes = await changeBetween(older.named, older.current, {
    store: job.runtime.store,
    maxEntries: limits.maxEntries,
    timeoutMs: limits.resolveTimeoutMs,
  });
  return {
    key: older.key,
    named: older.named.n,
    current: older.current.n,
    currentCid: older.current.cid,
    changes,
  };
}

/**
 * An approval too early for the chosen review may have been given after an earlier revision of the same
 * key was reviewed: then that revision is what its giver read (GitHub's times on both sides: the older
 * review was posted before the approval), and the refusal names it and what replaced it.
 */
async function approvedBefore(
  job: IssueJob,
  config: NomadPatchConfig,
  marked: readonly MarkedComment[],
  review: MarkedComment<ApprovableMarker>,
  at: string | undefined,
): Promise<ReplacedRevision | undefined> {
  const { key } = review.marker;
  const revisions = knownRevisions(marked, key);
  const current = revisions.at(-1);
  if (current?.cid !== review.marker.cid) return undefined;
  const seen = reviewComments(marked)
    .filter((c) => c.marker.key === key && c.id !== review.id && approvedAfter(at, c.createdAt))
    .at(-1);
  const named = revisions.find((r) => r.cid === seen?.marker.cid && r !== current);
  return named && replacedRevision(job, config, { key, named, current });
}

/**
 * The rules' verdict on the approved version, judged under its recorded author, and whether this
 * approver may apply it all the same (docs/configuration.md, rules); with the patch's target, as read.
 */
async function judgeApproval(
  job: IssueJob,
  config: NomadPatchConfig,
  marker: ApprovableMarker,
  approver: PermissionLevel,
): Promise<{ readonly answer: OverrideAnswer; readonly target: string }> {
  const limits = reviewLimits(config, job.runtime.environment);
  const patch = await readPatchSummary(job.runtime.store, marker.cid, {
    maxEntries: limits.maxEntries,
    timeoutMs: limits.resolveTimeoutMs,
  });
  const verdict = evaluate(
    { ...patch, authorPermission: await authorPermission(job, config, marker.author ?? undefined) },
    config,
  );
  return { answer: mayOverride(verdict, approver), target: patch.target };
}
