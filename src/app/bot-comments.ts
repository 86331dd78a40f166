import { type Marker, parseMarker, type ReviewMarker, type StatusMarker } from "../render/marker.js";
import type { IssueComment } from "./github/issue-github.js";

export interface MarkedComment<M extends Marker = Marker> {
  readonly id: number;
  readonly marker: M;
}

/**
 * The bot's own marked comments on an issue. A marker is only trusted in a comment the bot wrote: anyone
 * can paste a marker into their own comment to make an approval bind to CIDs of their choosing.
 */
export function botMarkedComments(comments: readonly IssueComment[], botLogin: string): MarkedComment[] {
  const marked: MarkedComment[] = [];
  for (const comment of comments) {
    if (comment.login !== botLogin || comment.userType !== "Bot") continue;
    const marker = parseMarker(comment.body);
    if (marker) marked.push({ id: comment.id, marker });
  }
  return marked;
}

export function reviewComments(marked: readonly MarkedComment[]): MarkedComment<ReviewMarker>[] {
  return marked.filter((c): c is MarkedComment<ReviewMarker> => c.marker.kind === "review");
}

/** The sticky review comment for one patch key (the first, should a race ever have made two). */
export function findReview(
  marked: readonly MarkedComment[],
  key: string,
): MarkedComment<ReviewMarker> | undefined {
  return reviewComments(marked).find((c) => c.marker.key === key);
}

export function findStatus(
  marked: readonly MarkedComment[],
  match: (marker: StatusMarker) => boolean,
): MarkedComment<StatusMarker> | undefined {
  return marked.find((c): c is MarkedComment<StatusMarker> => c.marker.kind === "status" && match(c.marker));
}

/** A review an approval can bind to: it has a patch CID and a predicted result. */
export function isApprovable(marker: ReviewMarker): marker is ReviewMarker & { cid: string; result: string } {
  return (marker.state === "ready" || marker.state === "needs-review") && !!marker.cid && !!marker.result;
}
