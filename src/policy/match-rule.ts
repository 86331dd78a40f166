import { matchEventIdPattern, matchTargetIdPattern } from "./patterns.js";
import { meetsLevel, type PermissionLevel } from "./permission-level.js";
import type { AuthorPermissionMatch, PolicyRule } from "./rule-schema.js";

/** What a rule can look at: one entry, and the facts about its patch. */
export interface RuleSubject {
  readonly eventId: string;
  readonly targetId: string;
  /** The patch's target id in base36, what `{target}` stands for. */
  readonly target: string;
  readonly authorPermission: PermissionLevel;
  readonly entryCount: number;
}

/** Whether every condition the rule states holds for the subject; a rule with no conditions matches all. */
export function matchRule(rule: PolicyRule, subject: RuleSubject): boolean {
  const { eventId, targetId, authorPermission, minEntries, maxEntries } = rule.match;
  if (eventId && !eventId.some((pattern) => matchEventIdPattern(pattern, subject.eventId))) return false;
  if (
    targetId &&
    !targetId.some((pattern) => matchTargetIdPattern(pattern, subject.targetId, subject.target))
  ) {
    return false;
  }
  if (authorPermission && !matchAuthor(authorPermission, subject.authorPermission)) return false;
  if (minEntries !== undefined && subject.entryCount < minEntries) return false;
  if (maxEntries !== undefined && subject.entryCount > maxEntries) return false;
  return true;
}

function matchAuthor(condition: AuthorPermissionMatch, actual: PermissionLevel): boolean {
  if ("atLeast" in condition) return meetsLevel(actual, condition.atLeast);
  return condition.oneOf.includes(actual);
}

/** How reasons name a rule: its `name`, or its place in the file. */
export function ruleLabel(rule: PolicyRule, index: number): string {
  return rule.name ?? `rules[${index}]`;
}
