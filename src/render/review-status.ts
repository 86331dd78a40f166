import type { PatchReview } from "../patch-request/change-model.js";
import { collectWarnings } from "./collect-warnings.js";
import type { ReviewState } from "./marker.js";

export interface ReviewStatus {
  readonly state: Exclude<ReviewState, "resolving" | "failed" | "superseded">;
  /** A few words: the status line's headline. */
  readonly label: string;
  /** One sentence saying what it means for the reader. */
  readonly explanation: string;
}

/**
 * The one-line verdict on a review, shared by every rendering and written into the marker.
 * - refused: a refusal means no approval can ever apply it;
 * - cannot-predict: no predicted result, so an approval would have nothing to bind to;
 * - needs-review, "Blocked for now": an apply is refused until its blockers clear (a device back online,
 *   a source configured, a setting), but an approval may be given and binds as usual;
 * - needs-review: applicable, but something a reviewer must read first (a warning, an invalid
 *   entry, or a node that can only read the target);
 * - ready: applicable with nothing to flag; an approval applies exactly what is shown, unless part of it is
 *   not shown (`partial`, or files whose text the review did not read): then it says so (issue 16 §2).
 */
export function reviewStatus(review: PatchReview, partial = false): ReviewStatus {
  if (review.refusals.length > 0) {
    return {
      state: "refused",
      label: "Refused",
      explanation: "This patch can never be applied as it is; see the reasons below.",
    };
  }
  if (review.predictedResultCid === null) {
    return {
      state: "cannot-predict",
      label: "Cannot predict",
      explanation: "The effect of some entries cannot be previewed, so this patch cannot be applied.",
    };
  }
  if ((review.blockers ?? []).length > 0) {
    // Still approvable: the approval binds to what is shown and applies once the blockers clear.
    return {
      state: "needs-review",
      label: "Blocked for now",
      explanation:
        "An apply is refused until what is listed under Blocked clears; an approval given now applies then.",
    };
  }
  if (collectWarnings(review).length > 0 || review.summary.invalid > 0) {
    return {
      state: "needs-review",
      label: "Needs review",
      explanation: "It can be applied, but read the warnings below before approving.",
    };
  }
  return {
    state: "ready",
    label: "Ready to apply",
    explanation:
      partial || unshownTextFiles(review) > 0
        ? "Not all of the change is shown here; an approval applies all of it."
        : "An approval applies exactly the change shown here.",
  };
}

/**
 * The result a review comment records, and an approval would bind to: none for a refused review, which is
 * never applied, so a result it cannot reach would only mislead (issue 16 §5).
 */
export function reviewedResult(review: PatchReview): string | null {
  return review.refusals.length > 0 ? null : review.predictedResultCid;
}

/**
 * Storage files whose change is not shown as a diff although it is not binary: not fetched (over the
 * review's file count), too large to read, or unreachable. Binary files are described instead.
 */
export function unshownTextFiles(review: PatchReview): number {
  const view = review.moduleView;
  if (view.kind !== "storage") return 0;
  return view.items.filter(
    (item) =>
      item.kind === "file" &&
      item.textDiff === undefined &&
      item.textDiffNote !== undefined &&
      !item.textDiffNote.startsWith("binary"),
  ).length;
}
