import { type ConfigIssue, configIssue } from "./config-issue.js";
import type { NomadPatchConfig } from "./config-schema.js";
import { quote } from "./describe-value.js";
import { levelRank } from "./permission-level.js";
import type { PolicyRule } from "./rule-schema.js";

/**
 * Checks that need more than one field at a time, run once the shape is valid. Each is a small named
 * function returning its findings; errors make the configuration unusable, warnings do not.
 */
export type ConfigCheck = (config: NomadPatchConfig) => ConfigIssue[];

export const targetsAreDistinct: ConfigCheck = (config) =>
  duplicates(config.targets.map((target) => target.id)).map(([first, again]) =>
    configIssue(["targets", again, "id"], `names the same target as targets[${first}].id`),
  );

export const inboxTargetsAreTargets: ConfigCheck = (config) => {
  const known = new Set(config.targets.map((target) => target.id));
  return (config.inbox?.targets ?? []).flatMap((id, index) =>
    known.has(id)
      ? []
      : [
          configIssue(
            ["inbox", "targets", index],
            `is not one of this file's targets: add it to targets first`,
          ),
        ],
  );
};

export const labelsAreDistinct: ConfigCheck = (config) => {
  const entries = Object.entries(config.labels).filter(
    (entry): entry is [string, string] => typeof entry[1] === "string",
  );
  return duplicates(entries.map(([, name]) => name.toLowerCase())).map(([first, again]) =>
    configIssue(
      ["labels", entries[again]?.[0] ?? ""],
      `is the same label as labels.${entries[first]?.[0]}: each label must say one thing`,
    ),
  );
};

export const commandNamesAreDistinct: ConfigCheck = (config) => {
  const seen = new Map<string, string>();
  const issues: ConfigIssue[] = [];
  for (const [command, names] of Object.entries(config.commands)) {
    names.forEach((name, index) => {
      const owner = seen.get(name.toLowerCase());
      if (owner === undefined) seen.set(name.toLowerCase(), command);
      else
        issues.push(
          configIssue(["commands", command, index], `${quote(name)} is already a name of ${owner}`),
        );
    });
  }
  return issues;
};

export const entryBoundsAreOrdered: ConfigCheck = (config) =>
  config.rules.flatMap(({ match }, index) =>
    match.minEntries !== undefined && match.maxEntries !== undefined && match.minEntries > match.maxEntries
      ? [
          configIssue(
            ["rules", index, "match"],
            `minEntries (${match.minEntries}) is above maxEntries (${match.maxEntries}), so the rule can never match`,
          ),
        ]
      : [],
  );

export const ruleNamesAreDistinct: ConfigCheck = (config) =>
  duplicates(config.rules.map((rule) => rule.name)).map(([first, again]) =>
    configIssue(
      ["rules", again, "name"],
      `is also the name of rules[${first}]; reasons would not say which one decided`,
    ),
  );

export const rulesAfterCatchAllAreUnreachable: ConfigCheck = (config) => {
  const catchAll = config.rules.findIndex(matchesEverything);
  if (catchAll === -1) return [];
  return config.rules
    .slice(catchAll + 1)
    .map((_, offset) =>
      configIssue(
        ["rules", catchAll + 1 + offset],
        `can never decide anything: rules[${catchAll}] has an empty match, so it matches every entry first`,
      ),
    );
};

export const ruleFitsWithinLimits: ConfigCheck = (config) =>
  config.rules.flatMap(({ match }, index) =>
    match.minEntries !== undefined && match.minEntries > config.limits.maxEntries
      ? [
          configIssue(
            ["rules", index, "match", "minEntries"],
            `is above limits.maxEntries (${config.limits.maxEntries}), so the rule can never match`,
          ),
        ]
      : [],
  );

/** An `apply` rule that admits authors below the approval level bypasses the people who approve by hand. */
export const applyRulesRespectApprovers: ConfigCheck = (config) => {
  const required = config.permissions.approve;
  return config.rules.flatMap((rule, index) =>
    rule.action === "apply" && admitsBelow(rule, levelRank(required))
      ? [
          configIssue(
            ["rules", index],
            `applies patches without review from authors below "${required}" (the level permissions.approve asks of people who approve); add match.authorPermission to limit it if that is not meant`,
          ),
        ]
      : [],
  );
};

export const ERROR_CHECKS: readonly ConfigCheck[] = [
  targetsAreDistinct,
  labelsAreDistinct,
  commandNamesAreDistinct,
  entryBoundsAreOrdered,
  inboxTargetsAreTargets,
];

export const WARNING_CHECKS: readonly ConfigCheck[] = [
  ruleNamesAreDistinct,
  rulesAfterCatchAllAreUnreachable,
  ruleFitsWithinLimits,
  applyRulesRespectApprovers,
];

function matchesEverything(rule: PolicyRule): boolean {
  return Object.values(rule.match).every((condition) => condition === undefined);
}

function admitsBelow(rule: PolicyRule, requiredRank: number): boolean {
  const author = rule.match.authorPermission;
  if (author === undefined) return true;
  if ("atLeast" in author) return levelRank(author.atLeast) < requiredRank;
  return author.oneOf.some((level) => levelRank(level) < requiredRank);
}

/** Pairs `[first index, later index]` for every value seen before; `undefined` values are ignored. */
function duplicates(values: readonly (string | undefined)[]): [number, number][] {
  const firstSeen = new Map<string, number>();
  const pairs: [number, number][] = [];
  values.forEach((value, index) => {
    if (value === undefined) return;
    const first = firstSeen.get(value);
    if (first === undefined) firstSeen.set(value, index);
    else pairs.push([first, index]);
  });
  return pairs;
}
