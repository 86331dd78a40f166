import { findKeys } from "./find-keys.js";
import type { IssueComment } from "./github/issue-github.js";

/**
 * How much of an issue's text is read to find who posted a key first: far more than a discussion holds,
 * bounded because anyone can pad an issue with comments. GitHub keeps a comment under 65,536 characters.
 */
export const FIRST_POSTER_SCAN_CHARS = 2 * 1024 * 1024;

export type FirstPoster =
  | { readonly kind: "found"; readonly login: string }
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
  issue: { readonly body: string; readonly author: string },
  comments: readonly IssueComment[],
  key: string,
  botLogin: string,
  budget = FIRST_POSTER_SCAN_CHARS,
): FirstPoster {
  const texts = [{ body: issue.body, login: issue.author }, ...comments.filter((c) => c.login !== botLogin)];
  let left = budget;
  for (const text of texts) {
    left -= text.body.length;
    if (left < 0) return { kind: "unknown" };
    if (findKeys(text.body, { offered: false, max: Number.POSITIVE_INFINITY }).some((k) => k.key === key))
      return { kind: "found", login: text.login };
  }
  return { kind: "nowhere" };
}
