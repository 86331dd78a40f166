import { z } from "zod";
import type { RevisionDelta } from "../patch-request/compare-revisions.js";

/**
 * Hidden markers: the first line of every comment the bot writes, so the app can find its comments
 * again and know what each one stands for.
 *
 *   <!-- nomad-patch:review {"v":1,"key":"k51…","cid":"bafy…","result":"bafy…","target":"k51…","state":"ready"} -->
 *   <!-- nomad-patch:status {"v":1,"state":"denied","key":"k51…","cid":"bafy…"} -->
 *
 * `review` is the comment for one version of a patch key: it starts as `resolving` and is filled in place
 * once, with a review state or `failed`. A later version gets a new comment, and the old one is edited to
 * `superseded`, a state no approval binds to. An approval binds to the current review's `cid` and `result`;
 * `author` records who first posted the text holding the key on the issue, whose permission the rules
 * judge. `status` marks one-off comments (outcome, denial, reject, hold, voided approval, config errors)
 * that are posted, not updated.
 *
 * Markers are read back from comments anyone with access could edit, so parsing is strict: only the
 * first line, a bounded length, an exact shape, alphanumeric identifiers; anything else is `undefined`.
 *
 * Anyone with write access can also edit the bot's own comments (GitHub does not say who last did), so
 * the app signs every comment it writes: a last field `"sig"` in the marker, over the whole comment
 * (app/marker-signer.ts), and trusts only the comments whose signature verifies. This module only finds
 * and places that field; it knows no key.
 */
export const MARKER_VERSION = 1;

export const REVIEW_STATES = [
  "resolving",
  "ready",
  "needs-review",
  "refused",
  "cannot-predict",
  "failed",
  "superseded",
] as const;
export type ReviewState = (typeof REVIEW_STATES)[number];

export const STATUS_STATES = [
  "applied",
  "already-applied",
  "failed",
  "denied",
  "rejected",
  /** A rejection by the rules (or a built-in refusal) that no rule makes any more, rewritten to say so. */
  "lifted",
  "held",
  "voided",
  "config-error",
  /** A comment of the bot's whose signature did not verify, rewritten to say it is void. */
  "void",
] as const;
export type StatusState = (typeof STATUS_STATES)[number];

export interface ReviewMarker {
  readonly kind: "review";
  readonly v: 1;
  /** The patch key, base36 `k…`. */
  readonly key: string;
  /** The resolved patch CID; null while resolving or after a failure. */
  readonly cid: string | null;
  /** The predicted result CID; null when unknown or unpredictable. */
  readonly result: string | null;
  readonly target: string | null;
  readonly state: ReviewState;
  /** The GitHub login that posted the text holding the key; absent in markers written before it was kept. */
  readonly author?: string | null;
  /**
   * The versions the key has pointed at, oldest first, the last being this review's: r1, r2, … Only the
   * last `MAX_LISTED_REVISIONS` are kept; their numbers say how many came before. Absent in markers
   * written before revisions were kept.
   */
  readonly revs?: readonly Revision[];
}

/** One version of a patch key, as the bot first saw it. */
export interface Revision {
  /** 1 for the first version reviewed on the issue, then one more for each new patch CID. */
  readonly n: number;
  readonly cid: string;
  /** When the bot first reviewed it, by its own clock (ISO 8601, UTC). */
  readonly at: string;
  /** What changed from the revision before it; absent for r1, or when the earlier one could not be read. */
  readonly ch?: RevisionDelta;
}

/** Revisions kept in a review marker: the marker line stays a few kilobytes however often a key moves. */
export const MAX_LISTED_REVISIONS = 20;

export interface StatusMarker {
  readonly kind: "status";
  readonly v: 1;
  readonly state: StatusState;
  readonly key: string | null;
  readonly cid: string | null;
}

export type Marker = ReviewMarker | StatusMarker;

/** IPNS keys in base36 (`k51…`); CIDs in any multibase. Both alphanumeric, so a value cannot end the comment. */
const key = z.string().regex(/^k[0-9a-z]{20,100}$/);
const cid = z.string().regex(/^[A-Za-z0-9]{8,128}$/);
/** GitHub logins (an app's ends in `[bot]`): no character that could end the comment. */
const login = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,38}(?:\[bot\])?$/);

/** True when `text` may stand in a marker as a key: the app uses it to decide between key and null. */
export function isMarkerKey(text: string): boolean {
  return key.safeParse(text).success;
}

/** True when `text` may stand in a marker as an author's login. */
export function isMarkerLogin(text: string): boolean {
  return login.safeParse(text).success;
}

/** True when `text` may stand in a marker as a CID. */
export function isMarkerCid(text: string): boolean {
  return cid.safeParse(text).success;
}

const count = z.number().int().min(0).max(1_000_000);
const revision = z.strictObject({
  n: z.number().int().min(1).max(1_000_000),
  cid,
  at: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?Z$/),
  ch: z
    .strictObject({
      added: count,
      removed: count,
      changed: count,
      title: z.boolean(),
      description: z.boolean(),
    })
    .optional(),
});

const reviewBody = z.strictObject({
  v: z.literal(MARKER_VERSION),
  key,
  cid: cid.nullable(),
  result: cid.nullable(),
  target: key.nullable(),
  state: z.enum(REVIEW_STATES),
  author: login.nullable().optional(),
  revs: z.array(revision).min(1).max(MAX_LISTED_REVISIONS).optional(),
});

const statusBody = z.strictObject({
  v: z.literal(MARKER_VERSION),
  state: z.enum(STATUS_STATES),
  key: key.nullable(),
  cid: cid.nullable(),
});

const PREFIX = "<!-- nomad-patch:";
// A review's revision list (20 × ~200 characters) sets the bound; nothing else comes near it.
const MAX_MARKER_LINE = 6000;
const LINE = /^<!-- nomad-patch:(review|status) (\{[^\n]*\}) -->$/;

/** The marker line for a comment. Throws on values that could not be read back: a bug, not input. */
export function writeMarker(marker: Marker): string {
  const { kind, ...rest } = marker;
  const body = kind === "review" ? reviewBody.safeParse(rest) : statusBody.safeParse(rest);
  if (!body.success) {
    throw new Error(
      `nomad-patch: refusing to write a ${kind} marker that would not parse back: ${body.error.message}`,
    );
  }
  return `${PREFIX}${kind} ${JSON.stringify(body.data)} -->`;
}

/** What a signature adds to a comment (`,"sig":"…"`): a comment's budget leaves room for it. */
export const SIGNATURE_CHARS = ',"sig":""'.length + 43;

/** A signature: HMAC-SHA256, base64url without padding. */
const SIG = /,"sig":"([A-Za-z0-9_-]{43})"\} -->$/;

/**
 * A comment's text as signed (its marker without `sig`) and the signature its marker carries, if any.
 * Line endings are `\n` in both: GitHub's web editor saves `\r\n`, and an edit that changes nothing must
 * not change what was signed.
 */
export function splitSignature(body: string): {
  readonly unsigned: string;
  readonly sig: string | undefined;
} {
  const text = body.replace(/\r\n/g, "\n");
  if (!text.startsWith(PREFIX)) return { unsigned: text, sig: undefined };
  const end = text.indexOf("\n");
  const line = end === -1 ? text : text.slice(0, end);
  const match = SIG.exec(line);
  if (!match) return { unsigned: text, sig: undefined };
  const unsignedLine = `${line.slice(0, match.index)}} -->`;
  return { unsigned: unsignedLine + (end === -1 ? "" : text.slice(end)), sig: match[1] };
}

/**
 * `body` (as `writeMarker` began it, unsigned) with `sig` as its marker's last field; a body without a
 * marker line is returned as it is.
 */
export function withSignature(body: string, sig: string): string {
  if (!/^[A-Za-z0-9_-]{43}$/.test(sig))
    throw new Error("nomad-patch: a marker signature must be 43 base64url characters");
  const end = body.indexOf("\n");
  const line = end === -1 ? body : body.slice(0, end);
  if (!LINE.test(line) || SIG.test(line)) return body;
  const signed = `${line.slice(0, -" -->".length - 1)},"sig":"${sig}"} -->`;
  return signed + (end === -1 ? "" : body.slice(end));
}

/**
 * The marker at the very start of a comment body, or undefined when there is none or it is malformed. A
 * signature is not part of the marker: whether it verifies is the signer's to say.
 */
export function parseMarker(body: unknown): Marker | undefined {
  if (typeof body !== "string" || !body.startsWith(PREFIX)) return undefined;
  const text = splitSignature(body).unsigned;
  const end = text.indexOf("\n");
  const line = end === -1 ? text : text.slice(0, end);
  if (line.length > MAX_MARKER_LINE) return undefined;
  const match = LINE.exec(line);
  if (!match) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(match[2] ?? "");
  } catch {
    return undefined;
  }
  if (match[1] === "review") {
    const parsed = reviewBody.safeParse(json);
    return parsed.success ? { kind: "review", ...parsed.data } : undefined;
  }
  const parsed = statusBody.safeParse(json);
  return parsed.success ? { kind: "status", ...parsed.data } : undefined;
}
