import { NomadPatchError } from "../../errors.js";
import { IpfsTimeoutError, KuboUnavailableError } from "../../ipfs/errors.js";
import type { IpfsStore } from "../../ipfs/store.js";
import type { ApplyOutcome } from "../../patch-request/apply-outcome.js";
import { isApplicable } from "../../patch-request/change-model.js";
import { evaluate, type NomadPatchConfig, summaryOfReview } from "../../policy/index.js";
import type { ApplyJournal } from "../apply-journal.js";
import { applyPatch } from "../apply-patch.js";
import { findApplied } from "../find-applied.js";
import { targetSettings } from "../repo-settings.js";
import { type ReviewLimits, reviewPatch } from "../review-patch.js";
import { throwIfBlocked } from "../throw-if-blocked.js";
import type { InboxStatus } from "./inbox-record.js";

export interface RulesDecision {
  readonly status: Exclude<InboxStatus, "new">;
  readonly key: string;
  /** The version decided on, when the key resolved. */
  readonly cid?: string;
  /** The rules' reasons, the refusal, or why it waits for a person. */
  readonly reason: string;
  readonly outcome?: ApplyOutcome;
}

/**
 * A patch decided by the target's rules with no person and no GitHub (`nomad-patch watch`; docs/design.md
 * §7, §8):
 * 1. a version this node's journal says it applied is `applied` (nothing is written again);
 * 2. review it as the app does (its target must be one of the rules file's);
 * 3. a review that refuses it (a source event, an entry the C# replay throws on, …) makes it `refused`;
 * 4. the rules judge it, with the author's permission `none` (there is no GitHub to ask): `reject` makes it
 *    `rejected`; `review`, a conflict, a blocked or unpredictable publish, or a node that can only preview
 *    leave it `reviewed`, waiting for a person;
 * 5. otherwise apply it, bound to the reviewed CIDs, through the journal (exactly once): `applied`. An apply
 *    that finds the key or the target moved, or is refused, leaves it `reviewed` with the reason.
 * A node or network that fails for now (a timeout, no Kubo) is thrown: the key stays `new` for next time.
 */
export async function decideByRules(
  deps: { readonly store: IpfsStore; readonly journal: ApplyJournal },
  input: {
    readonly key: string;
    readonly config: NomadPatchConfig;
    readonly limits: ReviewLimits;
    readonly dataDir: string;
    readonly now?: () => Date;
  },
): Promise<RulesDecision> {
  const { key } = input;
  const targets = targetSettings(input.config);
  const applied = await findApplied(deps, { key, resolveTimeoutMs: input.limits.resolveTimeoutMs });
  if (applied)
    return { status: "applied", key, cid: applied.patchCid, reason: "applied before", outcome: applied };
  let reviewed: Awaited<ReturnType<typeof reviewPatch>>;
  try {
    reviewed = await reviewPatch(deps, { key, targets, limits: input.limits, dataDir: input.dataDir });
  } catch (error) {
    if (isTemporary(error) || !(error instanceof NomadPatchError)) throw error;
    return { status: "invalid", key, reason: error.message };
  }
  const { review } = reviewed;
  const cid = review.patch.cid;
  if (review.refusals.length > 0)
    return { status: "refused", key, cid, reason: review.refusals.map((r) => r.message).join("; ") };
  const verdict = evaluate(summaryOfReview(review, "none"), input.config);
  const reasons = verdict.reasons.map((r) => r.message).join("; ");
  if (verdict.decision === "reject") return { status: "rejected", key, cid, reason: reasons };
  const waiting = (reason: string): RulesDecision => ({ status: "reviewed", key, cid, reason });
  if (verdict.decision === "review") return waiting(`waiting for a person: ${reasons}`);
  if (!review.target.canApply)
    return waiting("the rules say apply, but this node can only preview the target");
  try {
    throwIfBlocked(review);
  } catch (error) {
    return waiting(`the rules say apply, but ${(error as Error).message}`);
  }
  if (!isApplicable(review) || review.predictedResultCid === null)
    return waiting("the rules say apply, but the result of this patch cannot be predicted");
  try {
    const outcome = await applyPatch(deps, {
      key,
      expectPatchCid: cid,
      expectResultCid: review.predictedResultCid,
      targets,
      limits: input.limits,
      dataDir: input.dataDir,
      now: input.now,
    });
    return { status: "applied", key, cid, reason: `the rules apply it: ${reasons}`, outcome };
  } catch (error) {
    if (isTemporary(error) || !(error instanceof NomadPatchError)) throw error;
    return waiting(`the rules say apply, but the apply stopped: ${error.message}`);
  }
}

function isTemporary(error: unknown): boolean {
  return error instanceof IpfsTimeoutError || error instanceof KuboUnavailableError;
}
