import type { PatchReview } from "../../patch-request/change-model.js";
import { isApplicable } from "../../patch-request/change-model.js";
import {
  evaluate,
  mayOverride,
  type NomadPatchConfig,
  type PermissionLevel,
  type PolicyVerdict,
  summaryOfReview,
} from "../../policy/index.js";
import { RULESET, type RulesRejection, renderConflictHoldMarkdown } from "../../render/index.js";
import type { IssueJob } from "../job-context.js";
import { applyReviewed } from "./apply-reviewed.js";
import { heldNow } from "./held-now.js";
import { settleRejection } from "./settle-rejection.js";

/**
 * The rules' verdict on a reviewed version, judged under its author. Read before the review is posted, so
 * that the review says whether a rule refuses it and who may override that; the same verdict then decides
 * (`applyRules`), so the patch is fetched and judged once.
 */
export async function judgeReview(
  job: IssueJob,
  config: NomadPatchConfig,
  review: PatchReview,
  author: string | undefined,
): Promise<PolicyVerdict> {
  return evaluate(summaryOfReview(review, await authorPermission(job, config, author)), config);
}

/**
 * What the review says of a rejection: who may override it, as an approval will be judged (`mayOverride`,
 * asked for a maintainer: a built-in refusal holds for all, an overridable rule yields to a maintainer,
 * any other rule to an admin only).
 */
export function rulesRejection(verdict: PolicyVerdict): RulesRejection | undefined {
  const answer = mayOverride(verdict, "write");
  if (answer.kind === "not-rejected") return undefined;
  const by = answer.kind === "overridden" ? "overridable-rule" : answer.builtIn ? "built-in" : "rule";
  const reasons = verdict.reasons.filter((reason) => (by === "built-in" ? reason.code !== "rule" : true));
  return {
    by,
    rules: [...new Set(reasons.map((reason) => reason.rule ?? reason.code))],
    reasons: reasons.map((reason) => reason.message),
  };
}

/**
 * docs/design.md §7, after every review: the rules (and the built-in refusals, which no rule can lift) decide
 * to apply, to reject, or to wait for a person. An automatic apply binds to the reviewed CIDs exactly
 * like a person's approval. Decisions already on the issue for this version are not repeated, except a
 * rules' rejection no rule makes now, which is lifted first (`settleRejection`).
 */
export async function applyRules(
  job: IssueJob,
  config: NomadPatchConfig,
  review: PatchReview,
  verdict: PolicyVerdict,
): Promise<void> {
  const about = { key: review.patch.key, cid: review.patch.cid };
  const log = job.log.child(about);
  const settled = await settleRejection(job, config, review, verdict);
  if (settled !== "open") return log.info({ state: settled }, "this version is decided");
  const conflict = verdict.reasons.find((r) => r.code === "conflict");
  if (conflict) {
    // Said on the issue: a reader expecting the rules to apply it must learn why they did not.
    log.info("the rules would apply the patch, but it conflicts with later changes: waiting for a person");
    await job.github.createComment(renderConflictHoldMarkdown({ ...about, reason: conflict.message }));
    return;
  }
  if (verdict.decision === "review") return log.info("no rule decides every entry: waiting for a person");
  if (!isApplicable(review)) return log.info("the rules say apply, but the review is not applicable");
  if (!review.target.canApply) return log.info("the rules say apply, but this node can only preview");
  if (await heldNow(job, config)) return log.info("the rules say apply, but it is on hold");
  const result = review.predictedResultCid as string;
  await applyReviewed(job, config, { ...about, result }, { approvedBy: RULESET });
}

/**
 * Looked up only when a rule asks, since it costs a GitHub call; an error, or no known author, reads as
 * `none` (fail closed). So does the bot itself: it is the author of the issues it opens for inbox
 * arrivals (docs/design.md §8), whose real author nobody on GitHub vouches for.
 */
export async function authorPermission(
  job: IssueJob,
  config: NomadPatchConfig,
  author: string | undefined,
): Promise<PermissionLevel> {
  if (!config.rules.some((rule) => rule.match.authorPermission !== undefined)) return "none";
  if (author === undefined) return "none";
  try {
    if (author === (await job.runtime.botLogin())) return "none";
    return await job.github.permissionOf(author);
  } catch (error) {
    job.log.warn({ author, err: error }, "author permission lookup failed: reading it as none");
    return "none";
  }
}
