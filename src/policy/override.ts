import type { PermissionLevel } from "./permission-level.js";
import type { PolicyReason, PolicyVerdict } from "./verdict.js";

/** What a person's approval may do about the rules' verdict on the patch it approves. */
export type OverrideAnswer =
  | { readonly kind: "not-rejected" }
  /** Every rejecting rule is overridable, or the approver is an admin: the approval applies it. */
  | {
      readonly kind: "overridden";
      readonly by: "overridable-rules" | "admin";
      readonly reasons: readonly PolicyReason[];
    }
  /** A built-in refusal (no one may override it), or a rule that is not overridable and no admin. */
  | { readonly kind: "refused"; readonly builtIn: boolean; readonly reasons: readonly PolicyReason[] };

/**
 * A person's approval against a `reject` verdict (docs/configuration.md, rules): the built-in refusals hold
 * for everyone; a rule's rejection holds unless the rule says `overridable: true`; an admin may override
 * any rule's rejection. A rule is the repository's word: a maintainer approving past it must be allowed to.
 */
export function mayOverride(verdict: PolicyVerdict, approver: PermissionLevel): OverrideAnswer {
  if (verdict.decision !== "reject") return { kind: "not-rejected" };
  const builtIn = verdict.reasons.filter((reason) => reason.code !== "rule");
  if (builtIn.length > 0) return { kind: "refused", builtIn: true, reasons: builtIn };
  const binding = verdict.reasons.filter((reason) => !reason.overridable);
  if (binding.length === 0) return { kind: "overridden", by: "overridable-rules", reasons: verdict.reasons };
  if (approver === "admin") return { kind: "overridden", by: "admin", reasons: verdict.reasons };
  return { kind: "refused", builtIn: false, reasons: binding };
}
