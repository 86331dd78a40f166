import { findKeys } from "./find-keys.js";
import type { IssueComment } from "./github/issue-github.js";
import type { KeyPosterRecord } from "./key-posters.js";

/**
 * How much of an issue's text is read to find who posted a key first: far more than a discussion holds,
 * bounded because anyone can pad an issue with comments. GitHub keeps a comment under 65,536 characters.
 */
export const FIRST_POSTER_SCAN_CHARS = 2 * 1024 * 1024;

export type FirstPoster =
  /** `at`: when GitHub says the text was posted (its `created_at`); empty when not known. */
  | { readonly kind: "found"; readonly login: string; readonly at: string }
  | { readonly kind: "nowhere" }
  /** The budget ran out before the key was found: whoever posted it first is not known. */
  | { readonly kind: "unknown" };

/**
 * Who first posted `key` on an issue: the issue's author when its body holds it, else the author of the
 * earliest comment holding it (in any form people write a key), the bot's own comments aside. A key's
 * author is its first poster, because whoever controls the key can republish it after someone with more
 * permission merely mentioned it (docs/decisions.md, "The author of a key on an issue is whoever posted
 * it first").
 */
export function firstPoster(
  issue: { readonly body: string; readonly author: string; readonly createdAt?: string | undefined },
  comments: readonly IssueComment[],
  key: string,
  botLogin: string,
  budget = FIRST_POSTER_SCAN_CHARS,
): FirstPoster {
  const texts = [
    { body: issue.body, login: issue.author, createdAt: issue.createdAt ?? "" },
    ...comments.filter((c) => c.login !== botLogin),
  ];
  let left = budget;
  for (const text of texts) {
    left -= text.body.length;
    if (left < 0) return { kind: "unknown" };
    if (findKeys(text.body, { offered: false, max: Number.POSITIVE_INFINITY }).some((k) => k.key === key))
      return { kind: "found", login: text.login, at: text.createdAt };
  }
  return { kind: "nowhere" };
}

/**
 * The first poster of a key from what the issue shows now and what the app recorded as the texts arrived
 * (`key-posters.ts`): the earlier of the two by GitHub's `created_at`, since the issue no longer shows a
 * deleted comment or a key edited out, and the record misses what arrived while the app was down. Either
 * side not knowing makes the whole not known: a dropped record is never read as "nobody posted it before".
 */
export function earliestPoster(shown: FirstPoster, recorded: KeyPosterRecord): FirstPoster {
  if (shown.kind === "unknown" || recorded.kind === "forgotten") return { kind: "unknown" };
  if (recorded.kind === "none") return shown;
  const fromRecord = { kind: "found", login: recorded.login, at: recorded.at } as const;
  if (shown.kind === "nowhere" || shown.at === "") return fromRecord;
  return Date.parse(shown.at) < Date.parse(recorded.at) ? shown : fromRecord;
}
