/**
 * GitHub repository permission levels, lowest first. `none` is what a user without access (or a
 * failed permission lookup) gets: every decision that depends on a level fails closed to it.
 */
export const PERMISSION_LEVELS = ["none", "read", "triage", "write", "maintain", "admin"] as const;

export type PermissionLevel = (typeof PERMISSION_LEVELS)[number];

/** Levels a configuration may require: requiring `none` would mean "anyone", which is never what is meant. */
export const REQUIRABLE_LEVELS = ["read", "triage", "write", "maintain", "admin"] as const;

export type RequirableLevel = (typeof REQUIRABLE_LEVELS)[number];

export function isPermissionLevel(value: unknown): value is PermissionLevel {
  return typeof value === "string" && (PERMISSION_LEVELS as readonly string[]).includes(value);
}

/** The position of `level` on the scale; 0 for `none`. */
export function levelRank(level: PermissionLevel): number {
  return PERMISSION_LEVELS.indexOf(level);
}

/** Whether someone holding `actual` may do what needs at least `required`. */
export function meetsLevel(actual: PermissionLevel, required: PermissionLevel): boolean {
  // Values that slipped past the types (e.g. from JSON) are not on the scale: fail closed on either side.
  if (!isPermissionLevel(actual) || !isPermissionLevel(required)) return false;
  return levelRank(actual) >= levelRank(required);
}

/** The lower of two levels: used where two answers disagree and the safer one must win. */
export function lowerLevel(a: PermissionLevel, b: PermissionLevel): PermissionLevel {
  return levelRank(a) <= levelRank(b) ? a : b;
}
