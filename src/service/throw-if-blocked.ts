import type { PatchReview } from "../patch-request/change-model.js";
import { DivergentPublishError, SourceUnreachableError, UnreplayableHistoryError } from "./apply-errors.js";

/**
 * Refuse an apply that would publish a roaming value losing data: a known source that cannot be read
 * (its changes would be missing), or a publish that changes what the patch does not, unless allowed.
 * Checked before the predicted result, which both conditions change.
 */
export function throwIfBlocked(review: PatchReview): void {
  const unreachable = review.target.unreachableSources ?? [];
  if (unreachable.length > 0) throw new SourceUnreachableError(review.target.id, unreachable);
  if (review.publishDrift && !review.publishDrift.allowed) {
    throw new DivergentPublishError(review.target.id, review.publishDrift);
  }
  const history = review.target.rejectedHistory;
  if ((history?.skipped ?? 0) > 0 && review.blockers?.some((b) => b.code === "history-unreplayable")) {
    throw new UnreplayableHistoryError(review.target.id, history as NonNullable<typeof history>);
  }
}
