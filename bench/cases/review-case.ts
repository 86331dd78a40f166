import type { CID } from "multiformats/cid";
import type { IpfsStore } from "../../src/ipfs/store.js";
import type { PatchReview } from "../../src/patch-request/change-model.js";
import { renderReviewMarkdown } from "../../src/render/index.js";
import { reviewPatch } from "../../src/service/review-patch.js";

export const benchReviewLimits = {
  maxEntries: 1_000,
  // The 10,000-entry history alone is about 3 MB of blocks; leave room, the limit is not what is measured.
  maxBytes: 64 * 1024 * 1024,
  resolveTimeoutMs: 15_000,
};

export interface Rendered {
  readonly review: PatchReview;
  /** The DAG roots the review read: the patch request and every source stream crawled. */
  readonly roots: CID[];
  readonly markdown: string;
  readonly reviewMs: number;
  readonly renderMs: number;
}

/** What the app does for a posted key: review (resolve, crawl, fold, validate, diff), then the comment. */
export async function reviewAndRender(
  store: IpfsStore,
  key: string,
  expectEntries: number,
): Promise<Rendered> {
  const started = performance.now();
  const { review, patch, target } = await reviewPatch({ store }, { key, limits: benchReviewLimits });
  const reviewed = performance.now();
  const markdown = renderReviewMarkdown(review);
  const renderMs = performance.now() - reviewed;
  // A benchmark of a failing review would measure the wrong thing: check it did the whole job.
  if (review.refusals.length > 0)
    throw new Error(`bench review refused: ${review.refusals.map((r) => r.message).join("; ")}`);
  if (review.entries.length !== expectEntries)
    throw new Error(`bench review saw ${review.entries.length} entries, expected ${expectEntries}`);
  if (review.predictedResultCid === null) throw new Error("bench review predicted no result");
  const streams = target.visited.flatMap((v) => (v.streamCid ? [v.streamCid] : []));
  return { review, roots: [patch.cid, ...streams], markdown, reviewMs: reviewed - started, renderMs };
}
