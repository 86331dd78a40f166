import { isWithinObject } from "../nomad/target-id.js";
import { quote } from "./describe-value.js";
import { matchRule, ruleLabel } from "./match-rule.js";
import type { PermissionLevel } from "./permission-level.js";
import { isReservedEventId } from "./reserved.js";
import type { PolicyRule, RuleAction } from "./rule-schema.js";
import type { PatchEntrySummary, PolicyReason } from "./verdict.js";

// Nomad EventIds are method names and TargetIds a key id plus a path: anything longer is not honest
// input, and refusing it keeps pattern matching cheap.
export const MAX_EVENT_ID_LENGTH = 256;
export const MAX_TARGET_ID_LENGTH = 4096;

export interface PatchFacts {
  /** The configured target's id, base36. */
  readonly target: string;
  readonly authorPermission: PermissionLevel;
  readonly entryCount: number;
}

export interface EntryJudgement {
  readonly action: RuleAction;
  readonly reason: PolicyReason;
}

/** The action for one entry: built-in refusals first (they cannot be switched off), then the first matching rule. */
export function judgeEntry(
  entry: PatchEntrySummary,
  facts: PatchFacts,
  rules: readonly PolicyRule[],
): EntryJudgement {
  const { index: entryIndex, eventId, targetId } = entry;
  const about = `entry ${entryIndex} (EventId ${quote(eventId)})`;
  const refuse = (code: PolicyReason["code"], why: string): EntryJudgement => ({
    action: "reject",
    reason: { code, entryIndex, eventId, message: `${about}: ${why}` },
  });
  if (eventId.length > MAX_EVENT_ID_LENGTH || targetId.length > MAX_TARGET_ID_LENGTH) {
    return refuse("oversized-id", "its EventId or TargetId is far longer than any Nomad id");
  }
  if (isReservedEventId(eventId)) {
    return refuse(
      "reserved-event-id",
      "adding or removing a source is pairing, which grants full trust; a patch can never do it",
    );
  }
  if (!isWithinObject(targetId, facts.target)) {
    return refuse("outside-target", `its TargetId ${quote(targetId)} is neither the target nor under it`);
  }
  const subject = { eventId, targetId, ...facts };
  const ruleIndex = rules.findIndex((rule) => matchRule(rule, subject));
  const rule = rules[ruleIndex];
  if (!rule) {
    return {
      action: "review",
      reason: {
        code: "no-rule",
        entryIndex,
        eventId,
        message: `${about}: no rule matches, so a person decides`,
      },
    };
  }
  const name = ruleLabel(rule, ruleIndex);
  const because = rule.reason ? `: ${rule.reason}` : "";
  return {
    action: rule.action,
    reason: {
      code: "rule",
      entryIndex,
      eventId,
      rule: name,
      ...(rule.overridable ? { overridable: true } : {}),
      message: `${about}: rule ${quote(name)} says ${rule.action}${because}`,
    },
  };
}
