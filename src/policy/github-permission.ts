import { isPermissionLevel, lowerLevel, type PermissionLevel } from "./permission-level.js";

/**
 * The parts of GitHub's "get repository permissions for a user" answer that matter here
 * (`GET /repos/{owner}/{repo}/collaborators/{username}/permission`).
 */
export interface GitHubPermissionAnswer {
  /** Legacy field: `admin`, `write`, `read` or `none` (maintain shows as write, triage as read). */
  readonly permission?: unknown;
  /** The precise role: `admin`, `maintain`, `write`, `triage`, `read`, or an organisation's custom role name. */
  readonly role_name?: unknown;
}

// How GitHub folds each precise role into the legacy `permission` field.
const LEGACY_PERMISSION_OF_ROLE: Readonly<Record<string, string>> = {
  admin: "admin",
  maintain: "write",
  write: "write",
  triage: "read",
  read: "read",
};

/**
 * The permission level GitHub reports for a user, failing closed: anything missing, unknown or
 * contradictory gives the lower reading, and an unusable answer gives `none`.
 *
 * `role_name` is preferred because it tells `maintain` from `write` and `triage` from `read`, but only when
 * it agrees with `permission`. Custom roles (any other `role_name`) fall back to `permission`, which GitHub
 * sets from the custom role's base role.
 */
export function permissionFromGitHub(answer: GitHubPermissionAnswer | null | undefined): PermissionLevel {
  const legacy = answer?.permission;
  if (!isLegacyPermission(legacy)) return "none";
  const role = answer?.role_name;
  if (typeof role === "string" && isPermissionLevel(role) && role !== "none") {
    return LEGACY_PERMISSION_OF_ROLE[role] === legacy ? role : lowerLevel(role, legacy);
  }
  return legacy;
}

function isLegacyPermission(value: unknown): value is "admin" | "write" | "read" | "none" {
  return value === "admin" || value === "write" || value === "read" || value === "none";
}
