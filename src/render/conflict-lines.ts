import type { Conflict, ConflictCheck } from "../patch-request/change-model.js";
import { compactValue } from "./compact-value.js";

/** Conflicts named one by one in a headline; the rest are counted. Keeps the top of a review small. */
export const MAX_CONFLICT_LINES = 10;
/** File conflicts shown with their two diffs, and the lines each diff may take. */
export const MAX_CONFLICT_DIFFS = 5;
export const MAX_CONFLICT_DIFF_LINES = 80;

/**
 * The headline sentence of one conflict, in plain text (the caller escapes it): what changed after the
 * patch was written and what approving does to it. `README.md changed after this patch was written:
 * approving removes those changes`.
 */
export function conflictSentence(conflict: Conflict): string {
  const name = conflict.kind === "folder" ? `the folder ${conflict.path}` : conflict.path;
  const inBase = conflict.base !== undefined;
  const now = conflict.current !== undefined;
  const written = conflict.patch !== undefined;
  if (!inBase && now)
    return `${name} was added after this patch was written: approving ${written ? "replaces it with the patch's version" : "removes it"}`;
  if (inBase && !now && conflict.dropped)
    return `${name} was removed after this patch was written, and the patch changes it: approving leaves it removed and drops the patch's change`;
  if (inBase && !now) return `${name} was removed after this patch was written: approving brings it back`;
  return `${name} changed after this patch was written: approving ${written ? "removes those changes" : "removes it, and those changes with it"}`;
}

/** A value module's three sides on one line: `base "A" → now "B"; the patch: "C"`. */
export function conflictValues(conflict: Conflict, max = 60): string | undefined {
  if (conflict.kind !== undefined) return undefined;
  const side = (value: unknown) => compactValue(value, max) ?? "(absent)";
  return `base ${side(conflict.base)} → now ${side(conflict.current)}; the patch: ${side(conflict.patch)}`;
}

/** What to do about it, the same words everywhere. */
export function conflictAdvice(key: string): string {
  return `Rebase it first: the contributor runs nomad-patch rebase ${key}, which keeps both changes or says what cannot be merged. Rules never apply a conflicted patch; an admin's approval (or nomad-patch apply --override-conflicts) applies it as it is.`;
}

/** The headline when the base cannot be read: conflicts are not guessed. */
export function baseUnavailableSentence(check: ConflictCheck): string {
  return `Conflicts cannot be checked: ${check.note ?? `the base ${check.base} cannot be read`}. Rules do not apply this patch; the diff below is exactly what approving does`;
}
