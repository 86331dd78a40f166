import type { PatchReview, Problem } from "../patch-request/change-model.js";
import { conflictWarnings } from "../patch-request/detect-conflicts.js";

/**
 * The review's warnings plus the ones its target facts imply, so a renderer never forgets to say that
 * the target moved, that the published value differs from the fold, or that this node only reads the
 * target, even if the producer did not list them. A producer that does list them with these codes is
 * not repeated.
 */
export function collectWarnings(review: PatchReview): Problem[] {
  const warnings = [...review.warnings];
  const has = (code: string) => warnings.some((warning) => warning.code === code);
  const { target, patch } = review;
  if (patch.base !== null && patch.base !== target.publishedCid && !has("target-moved")) {
    warnings.push({
      code: "target-moved",
      message: "The target moved since this patch was written: the diff is against its current state.",
    });
  }
  if (!target.publishedMatchesFold && !has("published-differs")) {
    warnings.push({
      code: "published-differs",
      message:
        "The target's published value differs from the fold of its sources; the diff starts from the fold.",
    });
  }
  if (!target.canApply && !has("read-only")) {
    warnings.push({
      code: "read-only",
      message: "This node only reads the target (it lacks the roaming key): it can preview but not apply.",
    });
  }
  // A conflicted patch never reads "ready", whoever built the review.
  if (!has("conflict") && !has("conflicts-unchecked"))
    warnings.push(...conflictWarnings(review.conflicts ?? null));
  return warnings;
}
