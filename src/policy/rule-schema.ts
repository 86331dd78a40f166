import { z } from "zod";
import { quote } from "./describe-value.js";
import { checkEventIdPattern, checkTargetIdPattern } from "./patterns.js";
import { PERMISSION_LEVELS, type PermissionLevel, REQUIRABLE_LEVELS } from "./permission-level.js";

export const RULE_ACTIONS = ["apply", "reject", "review"] as const;
export type RuleAction = (typeof RULE_ACTIONS)[number];

/** How a rule constrains the author's permission: a minimum level, or an explicit set of levels. */
export type AuthorPermissionMatch =
  | { readonly atLeast: PermissionLevel }
  | { readonly oneOf: readonly PermissionLevel[] };

/** One pattern or a list of them, always a list once parsed; each pattern checked by `check`. */
const patternList = (check: (pattern: string) => string | undefined) => {
  const pattern = z.string().superRefine((value, ctx) => {
    const problem = check(value);
    if (problem)
      ctx.addIssue({
        code: "custom",
        input: value,
        message: `${quote(value)} is not a usable pattern: ${problem}`,
      });
  });
  return z
    .union([pattern, z.array(pattern).min(1).max(100)])
    .transform((value): readonly string[] => (typeof value === "string" ? [value] : value));
};

const AuthorPermissionSchema = z
  .union([z.enum(REQUIRABLE_LEVELS), z.array(z.enum(PERMISSION_LEVELS)).min(1)])
  .transform(
    (value): AuthorPermissionMatch => (typeof value === "string" ? { atLeast: value } : { oneOf: value }),
  );

const EntryCount = z.number().int().min(0).max(1_000_000);

const MatchSchema = z.strictObject({
  eventId: patternList(checkEventIdPattern)
    .optional()
    .describe("EventIds to match: exact, or a glob where * matches any run of characters"),
  targetId: patternList(checkTargetIdPattern)
    .optional()
    .describe(
      "TargetId globs over /-separated ids: * within a segment, ** across segments, {target} for the target",
    ),
  authorPermission: AuthorPermissionSchema.optional().describe(
    "The patch author's GitHub permission: a minimum level, or a list of exact levels",
  ),
  minEntries: EntryCount.optional().describe("Match only patches with at least this many entries"),
  maxEntries: EntryCount.optional().describe("Match only patches with at most this many entries"),
});

export const RuleSchema = z.strictObject({
  name: z.string().trim().min(1).max(100).optional().describe("Shown in the reasons for a decision"),
  match: MatchSchema.describe("Every condition given must hold; match: {} matches every entry"),
  action: z.enum(RULE_ACTIONS).describe("apply, reject, or review (wait for a person)"),
  reason: z.string().trim().min(1).max(500).optional().describe("Explanation shown with the decision"),
  overridable: z
    .boolean()
    .optional()
    .describe(
      "For a reject rule: a person who may approve can still apply the patch with /apply or the label",
    ),
});

export type PolicyRule = z.output<typeof RuleSchema>;
export type RuleMatch = PolicyRule["match"];
