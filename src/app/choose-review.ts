import type { Revision } from "../render/index.js";
import {
  type ApprovableMarker,
  approvableReviews,
  findReview,
  isApprovable,
  type MarkedComment,
  reviewComments,
} from "./bot-comments.js";
import { knownRevisions } from "./revisions.js";

/** The shortest version an approver may name: shorter prefixes of a CID are mostly its fixed header. */
export const MIN_VERSION_LENGTH = 8;

export type ReviewChoice =
  | { readonly kind: "chosen"; readonly review: MarkedComment<ApprovableMarker> }
  /** Nothing on the issue can be approved. */
  | { readonly kind: "none" }
  /** Several can, and the approval names none (or a prefix several share). */
  | { readonly kind: "ambiguous"; readonly reviews: readonly MarkedComment<ApprovableMarker>[] }
  /**
   * The named version was under review once, but is not the current one; `older` names it and the
   * revision that replaced it, when the revision list knows them.
   */
  | {
      readonly kind: "not-current";
      readonly reviews: readonly MarkedComment<ApprovableMarker>[];
      readonly older?: OlderRevision;
    }
  | { readonly kind: "unknown-version"; readonly reviews: readonly MarkedComment<ApprovableMarker>[] }
  /** The approval names more than one version (`/apply r1 r2`): it applies one or nothing. */
  | { readonly kind: "several-named"; readonly reviews: readonly MarkedComment<ApprovableMarker>[] };

/** A revision of a key that an approval named, and the key's current revision, which replaced it. */
export interface OlderRevision {
  readonly key: string;
  readonly named: Revision;
  readonly current: Revision;
}

/** `r2`: a revision number as the revision list shows it (at most nine digits; `r0` names nothing). */
const REVISION_NAME = /^r([0-9]+)$/i;
const REVISION_NUMBER = /^[1-9][0-9]{0,8}$/;

/**
 * Which review an approval applies. `named` is the version an approver typed (`/apply <prefix>`): a
 * prefix of a current review's patch CID or key, or a revision number (`r2`). Without a name, the one
 * approvable review; with several, none: an approval must never apply a patch its giver did not pick.
 */
export function chooseReview(marked: readonly MarkedComment[], named: string | undefined): ReviewChoice {
  const reviews = approvableReviews(marked);
  if (named === undefined || named === "") {
    const [only, ...others] = reviews;
    if (!only) return { kind: "none" };
    return others.length === 0 ? { kind: "chosen", review: only } : { kind: "ambiguous", reviews };
  }
  if (/\s/.test(named.trim())) return { kind: "several-named", reviews };
  const revision = REVISION_NAME.exec(named);
  if (revision) return chooseRevision(marked, reviews, revision[1] ?? "");
  const matches = (cid: string | null, key: string) =>
    named.length >= MIN_VERSION_LENGTH && ((cid?.startsWith(named) ?? false) || key.startsWith(named));
  const hits = reviews.filter((c) => matches(c.marker.cid, c.marker.key));
  // A prefix that also starts a version no longer under review could be the approval of that older
  // version (8 letters of a CID leave one character that differs between versions): it names neither.
  const current = new Set(reviews.map((c) => c.marker.cid));
  const older = reviewComments(marked).find(
    (c) => c.marker.cid !== null && !current.has(c.marker.cid) && matches(c.marker.cid, ""),
  );
  if (older)
    return { kind: "not-current", reviews, ...olderRevision(marked, older.marker.key, older.marker.cid) };
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

/**
 * `/apply rN`: the review whose key's current revision is rN. A number that is some key's older revision
 * names a version no longer under review, even when it is another key's current one (the approver may
 * have meant the older one), as a CID prefix of an older version does.
 */
function chooseRevision(
  marked: readonly MarkedComment[],
  reviews: readonly MarkedComment<ApprovableMarker>[],
  digits: string,
): ReviewChoice {
  if (!REVISION_NUMBER.test(digits)) return { kind: "unknown-version", reviews };
  const n = Number(digits);
  const hits: MarkedComment<ApprovableMarker>[] = [];
  let older: OlderRevision | undefined;
  let currentButNotApprovable = false;
  for (const key of new Set(reviewComments(marked).map((c) => c.marker.key))) {
    const revisions = knownRevisions(marked, key);
    const named = revisions.find((r) => r.n === n);
    const current = findReview(marked, key);
    const latest = revisions.at(-1);
    if (!named || !latest || !current) continue;
    if (named !== latest || named.cid !== current.marker.cid) older ??= { key, named, current: latest };
    else if (isApprovable(current.marker)) hits.push(current as MarkedComment<ApprovableMarker>);
    else currentButNotApprovable = true;
  }
  if (older) return { kind: "not-current", reviews, older };
  const [hit, ...more] = hits;
  if (hit && more.length === 0) return { kind: "chosen", review: hit };
  if (hit) return { kind: "ambiguous", reviews: hits };
  return currentButNotApprovable ? { kind: "none" } : { kind: "unknown-version", reviews };
}

/** The revision `cid` was for its key, and the key's current one, when the revision list has both. */
function olderRevision(
  marked: readonly MarkedComment[],
  key: string,
  cid: string | null,
): { older?: OlderRevision } {
  const revisions = knownRevisions(marked, key);
  const named = revisions.find((r) => r.cid === cid);
  const current = revisions.at(-1);
  return named && current && named !== current ? { older: { key, named, current } } : {};
}
