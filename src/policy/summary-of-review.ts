import type { PatchReview } from "../patch-request/change-model.js";
import type { PermissionLevel } from "./permission-level.js";
import type { PatchSummary } from "./verdict.js";

/** What the rules judge of a reviewed patch: the app's rules and `nomad-patch watch` ask the same. */
export function summaryOfReview(review: PatchReview, authorPermission: PermissionLevel): PatchSummary {
  return {
    target: review.target.id,
    // Rules judge what an entry does, not what it is labelled.
    entries: review.entries.map((e) => ({ index: e.index, eventId: e.effectEventId, targetId: e.targetId })),
    authorPermission,
    conflicts: review.conflicts
      ? { state: review.conflicts.state, paths: review.conflicts.conflicts.map((c) => c.path) }
      : undefined,
  };
}
