import { z } from "zod";
import { parseIpnsName } from "../nomad/ipns-name.js";
import { REQUIRABLE_LEVELS } from "./permission-level.js";
import { RuleSchema } from "./rule-schema.js";

/** The Nomad modules the bot knows how to preview; `auto` reads the module from the target itself. */
export const TARGET_MODULES = [
  "auto",
  "storage",
  "wac-project",
  "wac-publisher",
  "wac-user",
  "peer-swarm",
  "generic",
] as const;

/** Bounds that a repository may tighten but not lift: each has a hard ceiling in the schema. */
export const LIMIT_DEFAULTS = {
  maxEntries: 1000,
  maxBytes: 16 * 1024 * 1024,
  resolveTimeoutSeconds: 60,
  maxKeysPerComment: 5,
  refreshIntervalMinutes: 5,
  watchIntervalMinutes: 10,
} as const;

/** How many issues the inbox bridge keeps open per target when a repository does not say. */
export const DEFAULT_MAX_OPEN_INBOX_ISSUES = 10;
export const MAX_OPEN_INBOX_ISSUES_CEILING = 100;
export const DEFAULT_INBOX_LABEL = "nomad-patch: inbox";

export const LIMIT_CEILINGS = {
  maxEntries: 10_000,
  maxBytes: 256 * 1024 * 1024,
  resolveTimeoutSeconds: 300,
  maxKeysPerComment: 20,
  refreshIntervalMinutes: 1440,
  watchIntervalMinutes: 1440,
} as const;

/** The label names the bot uses when a repository does not choose its own. */
export const DEFAULT_LABELS = {
  approve: "nomad-patch: approve",
  applied: "nomad-patch: applied",
  rejected: "nomad-patch: rejected",
  failed: "nomad-patch: failed",
  held: "nomad-patch: held",
} as const;

/** The command names the bot answers to when a repository does not choose its own. */
export const DEFAULT_COMMAND_NAMES = {
  apply: ["/apply", "/approve"],
  reject: ["/reject"],
  hold: ["/hold"],
  refresh: ["/refresh"],
} as const satisfies Record<string, readonly string[]>;

const IpnsNameSchema = z
  .string()
  .transform((text, ctx) => {
    try {
      return parseIpnsName(text, "");
    } catch (error) {
      // The message already says what came and which forms are accepted.
      ctx.addIssue({
        code: "custom",
        input: text,
        message: error instanceof Error ? error.message : String(error),
      });
    }
    return z.NEVER;
  })
  .describe("IPNS name of the target's roaming key: k51…, /ipns/k51…, ipns://k51…, 12D3KooW… or bafzaa…");

const LocalKeySchema = IpnsNameSchema.describe(
  "IPNS name of one of the operator's devices (a local key): k51…, /ipns/k51…, ipns://k51…, 12D3KooW… or bafzaa…",
);

const TargetSchema = z.strictObject({
  id: IpnsNameSchema,
  module: z.enum(TARGET_MODULES).default("auto").describe("The Nomad module of the target, for previews"),
  name: z.string().trim().min(1).max(100).optional().describe("A display name used in comments"),
  sources: z
    .array(LocalKeySchema)
    .max(64)
    .default([])
    .describe(
      "Local keys of the operator's devices to read beside those the target names (objects made by the WindowsAppCommunity command line name none)",
    ),
  allowDivergentPublish: z
    .boolean()
    .default(false)
    .describe(
      "Apply even when publishing would change what the patch does not (the fold of the known sources does not reproduce the published value)",
    ),
});

// GitHub allows label names of up to 50 characters.
const LabelName = z.string().trim().min(1).max(50);

const LabelsSchema = z.strictObject({
  approve: LabelName.default(DEFAULT_LABELS.approve).describe("Adding it approves the patch"),
  applied: LabelName.default(DEFAULT_LABELS.applied).describe("Set once the patch is applied"),
  rejected: LabelName.default(DEFAULT_LABELS.rejected).describe("Set when the patch is refused"),
  failed: LabelName.default(DEFAULT_LABELS.failed).describe("Set when applying failed"),
  held: LabelName.default(DEFAULT_LABELS.held).describe("Set by /hold: nothing is applied until removed"),
  offer: LabelName.optional().describe(
    "Marks an issue as a patch offer, so every key in it is answered; default: any label naming a patch",
  ),
});

const CommandName = z.string().regex(/^\/[A-Za-z][A-Za-z0-9_-]{0,31}$/, {
  error: (issue) =>
    `expected a command name such as "/apply" (a slash, then a letter, then letters, digits, - or _), got ${JSON.stringify(issue.input)}`,
});

/** A command's names: one name, a list of names, or `false` to turn the command off. */
const commandNames = (defaults: readonly string[]) =>
  z
    .union([z.literal(false), CommandName, z.array(CommandName).min(1).max(10)])
    .default([...defaults])
    .transform((value): readonly string[] =>
      value === false ? [] : typeof value === "string" ? [value] : value,
    );

const CommandsSchema = z.strictObject({
  apply: commandNames(DEFAULT_COMMAND_NAMES.apply).describe("Approve and apply the patch"),
  reject: commandNames(DEFAULT_COMMAND_NAMES.reject).describe(
    "Refuse the patch; the rest of the line is the reason",
  ),
  hold: commandNames(DEFAULT_COMMAND_NAMES.hold).describe(
    "Keep the patch from being applied, even by a rule",
  ),
  refresh: commandNames(DEFAULT_COMMAND_NAMES.refresh).describe(
    "Resolve the key again and update the comment",
  ),
});

const PermissionsSchema = z.strictObject({
  approve: z
    .enum(REQUIRABLE_LEVELS)
    .default("write")
    .describe("Lowest GitHub permission that may approve (label or command), reject or hold"),
});

const boundedInt = (min: number, max: number, fallback: number) =>
  z.number().int().min(min).max(max).default(fallback);

const LimitsSchema = z.strictObject({
  maxEntries: boundedInt(1, LIMIT_CEILINGS.maxEntries, LIMIT_DEFAULTS.maxEntries).describe(
    "Most entries one patch may propose",
  ),
  maxBytes: boundedInt(1024, LIMIT_CEILINGS.maxBytes, LIMIT_DEFAULTS.maxBytes).describe(
    "Most bytes fetched for one patch, in bytes",
  ),
  resolveTimeoutSeconds: boundedInt(
    1,
    LIMIT_CEILINGS.resolveTimeoutSeconds,
    LIMIT_DEFAULTS.resolveTimeoutSeconds,
  ).describe("Longest wait for a patch key to resolve and its blocks to arrive"),
  maxKeysPerComment: boundedInt(
    1,
    LIMIT_CEILINGS.maxKeysPerComment,
    LIMIT_DEFAULTS.maxKeysPerComment,
  ).describe("Most patch keys handled from one issue body or comment"),
  refreshIntervalMinutes: boundedInt(
    1,
    LIMIT_CEILINGS.refreshIntervalMinutes,
    LIMIT_DEFAULTS.refreshIntervalMinutes,
  ).describe("Someone who may not approve gets one /refresh per issue this often, in minutes"),
  watchIntervalMinutes: boundedInt(
    0,
    LIMIT_CEILINGS.watchIntervalMinutes,
    LIMIT_DEFAULTS.watchIntervalMinutes,
  ).describe(
    "An open patch key is resolved again this often, in minutes, and a new version gets its review; 0: not watched. The deployment may poll less often",
  ),
});

const InboxSchema = z.strictObject({
  openIssues: z
    .boolean()
    .default(false)
    .describe(
      "Open an issue here for each patch request that arrives in a target's inbox (the deployment must list this repository in NOMAD_PATCH_INBOX_REPOSITORIES)",
    ),
  targets: z
    .array(IpnsNameSchema)
    .max(100)
    .optional()
    .describe("The targets whose inboxes open issues here, each one of `targets`; default: all of them"),
  maxOpenIssues: boundedInt(1, MAX_OPEN_INBOX_ISSUES_CEILING, DEFAULT_MAX_OPEN_INBOX_ISSUES).describe(
    "Most issues the bot keeps open per target for inbox arrivals; later arrivals wait until one closes",
  ),
  label: LabelName.regex(/^[^,]*$/, {
    error: (issue) =>
      `a label name without commas (GitHub lists issues by labels separated by commas), got ${JSON.stringify(issue.input)}`,
  })
    .default(DEFAULT_INBOX_LABEL)
    .describe("Set on every issue the bot opens for an inbox arrival, and how it counts them"),
});

export const ConfigSchema = z
  .strictObject({
    targets: z
      .array(TargetSchema)
      .min(1)
      .max(100)
      .describe("The Nomad objects this repository takes patches for"),
    labels: LabelsSchema.prefault({}),
    commands: CommandsSchema.prefault({}),
    permissions: PermissionsSchema.prefault({}),
    limits: LimitsSchema.prefault({}),
    inbox: InboxSchema.optional().describe("Patch requests delivered to a target's inbox over IPFS pubsub"),
    closeIssueOnApply: z.boolean().default(false).describe("Close the issue once its patch is applied"),
    rules: z
      .array(RuleSchema)
      .max(200)
      .default([])
      .describe("Automatic handling; the first matching rule decides"),
  })
  .meta({
    title: "nomad-patch repository configuration",
    description: "The targets and the policy of one repository, in .github/nomad-patch.yml",
  });

export type NomadPatchConfig = z.output<typeof ConfigSchema>;
export type NomadPatchConfigInput = z.input<typeof ConfigSchema>;
export type TargetConfig = NomadPatchConfig["targets"][number];
export type InboxConfig = NonNullable<NomadPatchConfig["inbox"]>;
export type TargetModule = (typeof TARGET_MODULES)[number];
export type LabelsConfig = NomadPatchConfig["labels"];
export type CommandsConfig = NomadPatchConfig["commands"];
export type LimitsConfig = NomadPatchConfig["limits"];
