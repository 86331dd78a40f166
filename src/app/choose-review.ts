import {
  type ApprovableMarker,
  approvableReviews,
  type MarkedComment,
  reviewComments,
} from "./bot-comments.js";

/** The shortest version an approver may name: shorter prefixes of a CID are mostly its fixed header. */
export const MIN_VERSION_LENGTH = 8;

export type ReviewChoice =
  | { readonly kind: "chosen"; readonly review: MarkedComment<ApprovableMarker> }
  /** Nothing on the issue can be approved. */
  | { readonly kind: "none" }
  /** Several can, and the approval names none (or a prefix several share). */
  | { readonly kind: "ambiguous"; readonly reviews: readonly MarkedComment<ApprovableMarker>[] }
  /** The named version was under review once, but is not the current one. */
  | { readonly kind: "not-current"; readonly reviews: readonly MarkedComment<ApprovableMarker>[] }
  | { readonly kind: "unknown-version"; readonly reviews: readonly MarkedComment<ApprovableMarker>[] };

/**
 * Which review an approval applies. `named` is the version an approver typed (`/apply <prefix>`): a
 * prefix of a current review's patch CID or key. Without a name, the one approvable review; with
 * several, none: an approval must never apply a patch its giver did not pick.
 */
export function chooseReview(marked: readonly MarkedComment[], named: string | undefined): ReviewChoice {
  const reviews = approvableReviews(marked);
  if (named === undefined || named === "") {
    const [only, ...others] = reviews;
    if (!only) return { kind: "none" };
    return others.length === 0 ? { kind: "chosen", review: only } : { kind: "ambiguous", reviews };
  }
  const matches = (cid: string | null, key: string) =>
    named.length >= MIN_VERSION_LENGTH && ((cid?.startsWith(named) ?? false) || key.startsWith(named));
  const hits = reviews.filter((c) => matches(c.marker.cid, c.marker.key));
  // A prefix that also starts a version no longer under review could be the approval of that older
  // version (8 letters of a CID leave one character that differs between versions): it names neither.
  const current = new Set(reviews.map((c) => c.marker.cid));
  const namesOlder = reviewComments(marked).some(
    (c) => c.marker.cid !== null && !current.has(c.marker.cid) && matches(c.marker.cid, ""),
  );
  if (namesOlder) return { kind: "not-current", reviews };
  const [hit, ...more] = hits;
  if (hit && more.length === 0) return { kind: "chosen", review: hit };
  if (hit) return { kind: "ambiguous", reviews: hits };
  return { kind: "unknown-version", reviews };
}

/**
 * Whether an approval given at `approvedAt` can be for a review whose text GitHub says was written at
 * `writtenAt`: strictly later, by GitHub's clock on both sides (the bot's own clock is no judge). A
 * time missing or unreadable never counts.
 */
export function approvedAfter(approvedAt: string | undefined, writtenAt: string): boolean {
  const approved = Date.parse(approvedAt ?? "");
  const written = Date.parse(writtenAt);
  return Number.isFinite(approved) && Number.isFinite(written) && approved > written;
}
