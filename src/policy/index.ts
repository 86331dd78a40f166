export { allowedKeysAt } from "./allowed-keys.js";
export {
  COMMAND_KINDS,
  type CommandKind,
  type CommandNames,
  MAX_COMMANDS_PER_COMMENT,
  parseCommands,
  type SlashCommand,
} from "./commands.js";
export {
  type ConfigIssue,
  configIssue,
  formatConfigIssue,
  formatConfigPath,
  type PathSegment,
} from "./config-issue.js";
export { configJsonSchema } from "./config-json-schema.js";
export {
  type CommandsConfig,
  ConfigSchema,
  DEFAULT_COMMAND_NAMES,
  DEFAULT_LABELS,
  type InboxConfig,
  type LabelsConfig,
  LIMIT_CEILINGS,
  LIMIT_DEFAULTS,
  type LimitsConfig,
  type NomadPatchConfig,
  type NomadPatchConfigInput,
  TARGET_MODULES,
  type TargetConfig,
  type TargetModule,
} from "./config-schema.js";
export { effectiveLimits } from "./effective-limits.js";
export { evaluate } from "./evaluate.js";
export { type GitHubPermissionAnswer, permissionFromGitHub } from "./github-permission.js";
export { mayOverride, type OverrideAnswer } from "./override.js";
export { type ConfigResult, MAX_REPORTED_ISSUES, parseConfig } from "./parse-config.js";
export { MAX_CONFIG_TEXT_LENGTH, parseConfigYaml } from "./parse-config-yaml.js";
export {
  isPermissionLevel,
  levelRank,
  meetsLevel,
  PERMISSION_LEVELS,
  type PermissionLevel,
  REQUIRABLE_LEVELS,
  type RequirableLevel,
} from "./permission-level.js";
export {
  isReservedEventId,
  RESERVED_EVENT_IDS,
  SOURCE_ADD_EVENT_ID,
  SOURCE_REMOVE_EVENT_ID,
} from "./reserved.js";
export {
  type AuthorPermissionMatch,
  type PolicyRule,
  RULE_ACTIONS,
  type RuleAction,
  type RuleMatch,
} from "./rule-schema.js";
export { summaryOfReview } from "./summary-of-review.js";
export type {
  PatchEntrySummary,
  PatchSummary,
  PolicyDecision,
  PolicyReason,
  PolicyVerdict,
  ReasonCode,
} from "./verdict.js";
