import { matchPathGlob, matchWildcard } from "./glob.js";

/** The placeholder for the patch's own target id in `targetId` patterns. */
export const TARGET_PLACEHOLDER = "{target}";

export const MAX_PATTERN_LENGTH = 512;

/** Whether an entry's EventId matches a rule's `eventId` pattern: exact, or a glob with `*`. */
export function matchEventIdPattern(pattern: string, eventId: string): boolean {
  return matchWildcard(pattern, eventId);
}

/**
 * Whether an entry's TargetId matches a rule's `targetId` pattern, `{target}` standing for the id of
 * the patch's target (so one rule serves every configured target).
 */
export function matchTargetIdPattern(pattern: string, targetId: string, target: string): boolean {
  return matchPathGlob(pattern.replaceAll(TARGET_PLACEHOLDER, target), targetId);
}

/** What is wrong with an `eventId` pattern, or `undefined` when it is fine. */
export function checkEventIdPattern(pattern: string): string | undefined {
  if (pattern.length === 0) return "an empty pattern matches nothing";
  if (pattern.length > MAX_PATTERN_LENGTH) return `a pattern may be at most ${MAX_PATTERN_LENGTH} characters`;
  if (pattern.includes(TARGET_PLACEHOLDER)) {
    return `${TARGET_PLACEHOLDER} only means something in targetId patterns, not in eventId`;
  }
  if (/[{}]/.test(pattern)) {
    return "braces have no meaning in an eventId pattern (only * does); to match several EventIds, give a list";
  }
  return undefined;
}

/** What is wrong with a `targetId` pattern, or `undefined` when it is fine. */
export function checkTargetIdPattern(pattern: string): string | undefined {
  if (pattern.length === 0) return "an empty pattern matches nothing";
  if (pattern.length > MAX_PATTERN_LENGTH) return `a pattern may be at most ${MAX_PATTERN_LENGTH} characters`;
  if (/[{}]/.test(pattern.replaceAll(TARGET_PLACEHOLDER, ""))) {
    return `the only placeholder is ${TARGET_PLACEHOLDER}; other braces have no meaning (to match several ids, give a list)`;
  }
  const segments = pattern.split("/");
  if (segments.some((segment) => segment.length === 0)) {
    return 'a pattern may not start or end with "/" or contain "//"';
  }
  if (segments.some((segment) => segment.includes("**") && segment !== "**")) {
    return '"**" must be a whole segment between slashes, as in "{target}/**"';
  }
  return undefined;
}
