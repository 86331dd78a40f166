import type { PermissionLevel } from "./permission-level.js";
import type { RuleAction } from "./rule-schema.js";

/** What the policy needs to know about a patch request; the full patch stays elsewhere. */
export interface PatchSummary {
  /** The patch's `Target`, any IPNS name form. */
  readonly target: string;
  readonly entries: readonly PatchEntrySummary[];
  /** The author's GitHub permission on this repository (`none` when unknown). */
  readonly authorPermission: PermissionLevel;
  /**
   * What the review found the patch writes that changed after its base (paths), or that the base could
   * not be read. Absent: not checked (an approval's re-check; the apply checks conflicts itself).
   */
  readonly conflicts?: {
    readonly state: "clean" | "conflicts" | "base-unavailable";
    readonly paths: readonly string[];
  };
}

export interface PatchEntrySummary {
  readonly index: number;
  readonly eventId: string;
  readonly targetId: string;
}

export type PolicyDecision = RuleAction;

export type ReasonCode =
  | "unknown-target"
  | "too-many-entries"
  | "no-entries"
  | "reserved-event-id"
  | "outside-target"
  | "oversized-id"
  | "rule"
  | "no-rule"
  | "conflict";

export interface PolicyReason {
  readonly code: ReasonCode;
  readonly entryIndex?: number;
  readonly eventId?: string;
  /** The deciding rule's name, or `rules[i]` when it has none. */
  readonly rule?: string;
  /** Set for a rule that says `overridable: true`: a person's approval may apply what it rejects. */
  readonly overridable?: boolean;
  readonly message: string;
}

export interface PolicyVerdict {
  readonly decision: PolicyDecision;
  /** Why: for `reject` the refused entries, for `review` those no rule applies, for `apply` every entry. */
  readonly reasons: readonly PolicyReason[];
}
