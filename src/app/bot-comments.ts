import { type Marker, parseMarker, type ReviewMarker, type StatusMarker } from "../render/marker.js";
import type { IssueComment } from "./github/issue-github.js";

export interface MarkedComment<M extends Marker = Marker> {
  readonly id: number;
  readonly marker: M;
  /** When GitHub says the comment's current text was written: an approval must come after it. */
  readonly writtenAt: string;
  /** When GitHub says the comment was posted: a superseded review keeps it, though its text changed. */
  readonly createdAt: string;
}

/** A comment posted by the bot whose text the bot cannot vouch for: its signature does not verify. */
export interface UntrustedComment {
  readonly id: number;
  /** What its marker claims, if it still parses: a claim, never a fact. */
  readonly claims: Marker | undefined;
}

/** Whether a comment's text carries the bot's signature for its issue (`MarkerSigner.verify`). */
export type VerifiesSignature = (body: string) => boolean;

/**
 * The bot's own marked comments on an issue, and the bot's comments whose marker cannot be trusted. A
 * marker is only trusted in a comment the bot wrote (anyone can paste a marker into their own comment)
 * and whose signature verifies: anyone with write access can edit the bot's comments too, its marker
 * (author, CIDs, state) and the text an approver reads alike, and GitHub does not say who did. A comment
 * edited so, written before comments were signed, or signed under an earlier private key is untrusted:
 * no approval binds to it, no rule reads its author, no status in it counts.
 */
export function botMarkedComments(
  comments: readonly IssueComment[],
  botLogin: string,
  verifies: VerifiesSignature,
): { readonly marked: MarkedComment[]; readonly untrusted: UntrustedComment[] } {
  const marked: MarkedComment[] = [];
  const untrusted: UntrustedComment[] = [];
  for (const comment of comments) {
    if (comment.login !== botLogin || comment.userType !== "Bot") continue;
    const marker = parseMarker(comment.body);
    if (marker && verifies(comment.body))
      marked.push({ id: comment.id, marker, writtenAt: comment.writtenAt, createdAt: comment.createdAt });
    else untrusted.push({ id: comment.id, claims: marker });
  }
  return { marked, untrusted };
}

export function reviewComments(marked: readonly MarkedComment[]): MarkedComment<ReviewMarker>[] {
  return marked.filter((c): c is MarkedComment<ReviewMarker> => c.marker.kind === "review");
}

/**
 * The current review comment for one patch key: the newest that is not superseded. Older versions of the
 * patch keep their comments, marked superseded, for the record.
 */
export function findReview(
  marked: readonly MarkedComment[],
  key: string,
): MarkedComment<ReviewMarker> | undefined {
  return reviewComments(marked)
    .filter((c) => c.marker.key === key && c.marker.state !== "superseded")
    .at(-1);
}

/** The current review of each key on the issue that an approval can bind to, in order of posting. */
export function approvableReviews(marked: readonly MarkedComment[]): MarkedComment<ApprovableMarker>[] {
  const keys = new Set(reviewComments(marked).map((c) => c.marker.key));
  return [...keys]
    .map((key) => findReview(marked, key))
    .filter((c): c is MarkedComment<ApprovableMarker> => c !== undefined && isApprovable(c.marker))
    .sort((a, b) => a.id - b.id);
}

export function findStatus(
  marked: readonly MarkedComment[],
  match: (marker: StatusMarker) => boolean,
): MarkedComment<StatusMarker> | undefined {
  return marked.find((c): c is MarkedComment<StatusMarker> => c.marker.kind === "status" && match(c.marker));
}

/** A review an approval can bind to: it has a patch CID and a predicted result. */
export type ApprovableMarker = ReviewMarker & { readonly cid: string; readonly result: string };

export function isApprovable(marker: ReviewMarker): marker is ApprovableMarker {
  return (marker.state === "ready" || marker.state === "needs-review") && !!marker.cid && !!marker.result;
}
