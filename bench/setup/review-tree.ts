import type { withBlockCache as WithBlockCache } from "../../src/service/caching-store.js";
import type { openDiskBlockCache as OpenDiskBlockCache } from "../../src/service/disk-block-cache.js";
import type { reviewAndRender as ReviewAndRender } from "../cases/review-case.js";
import { compiledTree } from "./compiled-tree.js";

/** What an A/B of reviews takes from each compiled tree: its review, its memory cache and its disk cache. */
export interface ReviewTree {
  readonly reviewAndRender: typeof ReviewAndRender;
  readonly withBlockCache: typeof WithBlockCache;
  readonly openDiskBlockCache: typeof OpenDiskBlockCache;
}

/** One compiled tree's (`lib-bench` of a commit) review and caches, imported from that tree. */
export async function loadReviewTree(tree: string): Promise<ReviewTree> {
  const from = compiledTree(tree);
  const { reviewAndRender } = await from<ReviewTree>("bench/cases/review-case.js");
  const { withBlockCache } = await from<ReviewTree>("src/service/caching-store.js");
  const { openDiskBlockCache } = await from<ReviewTree>("src/service/disk-block-cache.js");
  return { reviewAndRender, withBlockCache, openDiskBlockCache };
}

/** The comment without its time stamps, which differ from one review to the next: trees compare on the rest. */
export function withoutTimes(markdown: string): string {
  return markdown.replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/g, "<time>");
}
