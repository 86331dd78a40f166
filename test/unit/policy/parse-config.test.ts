import { describe, expect, it } from "vitest";
import { formatConfigIssue, MAX_REPORTED_ISSUES, parseConfig } from "../../../src/policy/index.js";
import {
  buildConfig,
  errorLines,
  TARGET_A,
  TARGET_A_BASE32,
  TARGET_A_PEER_ID,
  TARGET_B,
  warningLines,
} from "./build-config.js";

describe("parseConfig: valid configurations", () => {
  it("fills every default around a single target", () => {
    expect(buildConfig()).toEqual({
      targets: [{ id: TARGET_A, module: "auto", sources: [], allowDivergentPublish: false }],
      labels: {
        approve: "nomad-patch: approve",
        applied: "nomad-patch: applied",
        rejected: "nomad-patch: rejected",
        failed: "nomad-patch: failed",
        held: "nomad-patch: held",
      },
      commands: {
        apply: ["/apply", "/approve"],
        reject: ["/reject"],
        hold: ["/hold"],
        refresh: ["/refresh"],
      },
      permissions: { approve: "write" },
      limits: {
        maxEntries: 1000,
        maxBytes: 16 * 1024 * 1024,
        resolveTimeoutSeconds: 60,
        maxKeysPerComment: 5,
        refreshIntervalMinutes: 5,
        watchIntervalMinutes: 10,
      },
      closeIssueOnApply: false,
      rules: [],
    });
  });

  it.each([
    ["base36", TARGET_A],
    ["an /ipns/ path", `/ipns/${TARGET_A}`],
    ["an ipns:// URL", `ipns://${TARGET_A}`],
    ["a peer id", TARGET_A_PEER_ID],
    ["a base32 CID", TARGET_A_BASE32],
    ["padded with spaces", `  ${TARGET_A}  `],
  ])("normalises a target id given as %s to base36", (_form, id) => {
    expect(buildConfig({ targets: [{ id }] }).targets[0]?.id).toBe(TARGET_A);
  });

  it("reads commands as a list, a single name, or false to turn one off", () => {
    const { commands } = buildConfig({
      commands: { apply: ["/ship", "/LGTM"], reject: "/nope", hold: false },
    });
    expect(commands).toEqual({
      apply: ["/ship", "/LGTM"],
      reject: ["/nope"],
      hold: [],
      refresh: ["/refresh"],
    });
  });

  it("reads patterns and permission conditions in their short and long forms", () => {
    const { rules } = buildConfig({
      permissions: { approve: "read" },
      rules: [
        { match: { eventId: "Set*", targetId: "{target}/**", authorPermission: "write" }, action: "apply" },
        {
          match: { eventId: ["A", "B"], authorPermission: ["none", "read"] },
          action: "reject",
          name: "outsiders",
        },
      ],
    });
    expect(rules).toEqual([
      {
        match: { eventId: ["Set*"], targetId: ["{target}/**"], authorPermission: { atLeast: "write" } },
        action: "apply",
      },
      {
        match: { eventId: ["A", "B"], authorPermission: { oneOf: ["none", "read"] } },
        action: "reject",
        name: "outsiders",
      },
    ]);
  });

  it("accepts limits up to their ceilings", () => {
    const limits = {
      maxEntries: 10_000,
      maxBytes: 256 * 1024 * 1024,
      resolveTimeoutSeconds: 300,
      maxKeysPerComment: 20,
      refreshIntervalMinutes: 1440,
      watchIntervalMinutes: 1440,
    };
    expect(buildConfig({ limits }).limits).toEqual(limits);
  });
});

describe("parseConfig: the inbox bridge", () => {
  it("opens no issues unless asked, and then for every target, at most ten open at once", () => {
    expect(buildConfig().inbox).toBeUndefined();
    expect(buildConfig({ inbox: { openIssues: true } }).inbox).toEqual({
      openIssues: true,
      maxOpenIssues: 10,
      label: "nomad-patch: inbox",
    });
  });

  it("refuses an inbox target that is not one of the file's targets, and a limit above its ceiling", () => {
    expect(
      errorLines({ targets: [{ id: TARGET_A }], inbox: { openIssues: true, targets: [TARGET_A, TARGET_B] } }),
    ).toEqual(["inbox.targets[1]: is not one of this file's targets: add it to targets first"]);
    expect(errorLines({ targets: [{ id: TARGET_A }], inbox: { maxOpenIssues: 101 } })).toHaveLength(1);
    // GitHub's issue list takes labels comma-separated: "a,b" would count no issue, and no slot would fill.
    expect(errorLines({ targets: [{ id: TARGET_A }], inbox: { label: "inbox, bridged" } })).toEqual([
      'inbox.label: a label name without commas (GitHub lists issues by labels separated by commas), got "inbox, bridged"',
    ]);
  });
});

describe("parseConfig: every kind of error says where, what was expected and what came", () => {
  it("refuses an empty configuration", () => {
    expect(errorLines(null)).toEqual([
      ": is empty: it needs at least a `targets` list naming the Nomad objects to patch",
    ]);
    expect(errorLines(undefined)).toEqual(errorLines(null));
    expect(errorLines([])).toEqual([": expected a mapping (key: value lines), got an empty list"]);
    expect(errorLines("targets")).toEqual([
      ': expected a mapping (key: value lines), got the text "targets"',
    ]);
  });

  it("needs at least one target, each a real IPNS name", () => {
    expect(errorLines({})).toEqual([
      "targets: is missing: list the Nomad objects this repository takes patches for, each with the `id` of its roaming key",
    ]);
    expect(errorLines({ targets: [] })).toEqual(["targets: expected at least one item, got an empty list"]);
    expect(errorLines({ targets: [{}] })).toEqual([
      "targets[0].id: is missing: give the IPNS name of the target's roaming key (k51…)",
    ]);
    expect(errorLines({ targets: [{ id: "nope" }] })).toEqual([
      'targets[0].id: Not an IPNS name: "nope" (it is not a CID or a peer id); expected k51…, /ipns/k51…, ipns://k51…, 12D3KooW… or a base32 libp2p-key CID',
    ]);
  });

  it("names unknown keys, suggests the likely one and lists the allowed ones", () => {
    expect(errorLines({ target: [{ id: TARGET_A }] })).toEqual([
      "targets: is missing: list the Nomad objects this repository takes patches for, each with the `id` of its roaming key",
      'target: unknown key (did you mean "targets"?); the keys allowed here are targets, labels, commands, permissions, limits, inbox, closeIssueOnApply, rules',
    ]);
    expect(errorLines({ targets: [{ id: TARGET_A, modul: "storage" }] })).toEqual([
      'targets[0].modul: unknown key (did you mean "module"?); the keys allowed here are id, module, name, sources, allowDivergentPublish',
    ]);
    expect(
      errorLines({ targets: [{ id: TARGET_A }], rules: [{ match: { eventid: "X" }, action: "apply" }] }),
    ).toEqual([
      'rules[0].match.eventid: unknown key (did you mean "eventId"?); the keys allowed here are eventId, targetId, authorPermission, minEntries, maxEntries',
    ]);
    expect(errorLines({ targets: [{ id: TARGET_A }], colour: "blue" })).toEqual([
      "colour: unknown key; the keys allowed here are targets, labels, commands, permissions, limits, inbox, closeIssueOnApply, rules",
    ]);
  });

  it("lists the choices when a value is not one of them", () => {
    expect(errorLines({ targets: [{ id: TARGET_A, module: "strage" }] })).toEqual([
      'targets[0].module: expected one of "auto", "storage", "wac-project", "wac-publisher", "wac-user", "peer-swarm", "generic", got the text "strage" (did you mean "storage"?)',
    ]);
    expect(errorLines({ targets: [{ id: TARGET_A }], permissions: { approve: "owner" } })).toEqual([
      'permissions.approve: expected one of "read", "triage", "write", "maintain", "admin", got the text "owner"',
    ]);
    expect(errorLines({ targets: [{ id: TARGET_A }], rules: [{ match: {}, action: "aply" }] })).toEqual([
      'rules[0].action: expected one of "apply", "reject", "review", got the text "aply" (did you mean "apply"?)',
    ]);
  });

  it("says which type was expected", () => {
    expect(errorLines({ targets: [{ id: TARGET_A }], closeIssueOnApply: "yes" })).toEqual([
      'closeIssueOnApply: expected true or false, got the text "yes"',
    ]);
    expect(errorLines({ targets: [{ id: TARGET_A }], limits: { resolveTimeoutSeconds: "60" } })).toEqual([
      'limits.resolveTimeoutSeconds: expected a number, got the text "60"',
    ]);
    expect(errorLines({ targets: [{ id: TARGET_A }], limits: { maxBytes: 10.5 } })).toEqual([
      "limits.maxBytes: expected a whole number, got the number 10.5",
    ]);
    expect(errorLines({ targets: [{ id: TARGET_A }], rules: ["apply"] })).toEqual([
      'rules[0]: expected a mapping (key: value lines), got the text "apply"',
    ]);
  });

  it("keeps limits within their ceilings and floors", () => {
    expect(
      errorLines({ targets: [{ id: TARGET_A }], limits: { maxEntries: 1e9, maxKeysPerComment: 0 } }),
    ).toEqual([
      "limits.maxEntries: expected at most 10000, got the number 1000000000",
      "limits.maxKeysPerComment: expected at least 1, got the number 0",
    ]);
  });

  it("checks labels and command names", () => {
    expect(
      errorLines({ targets: [{ id: TARGET_A }], labels: { applied: "", failed: "x".repeat(51) } }),
    ).toEqual(["labels.applied: must not be empty", "labels.failed: expected at most 50 characters, got 51"]);
    expect(
      errorLines({
        targets: [{ id: TARGET_A }],
        commands: { apply: true, hold: "hold", refresh: ["/r", 3] },
      }),
    ).toEqual([
      "commands.apply: expected false, text or a list, got true",
      'commands.hold: expected a command name such as "/apply" (a slash, then a letter, then letters, digits, - or _), got "hold"',
      "commands.refresh[1]: expected text, got the number 3",
    ]);
    expect(errorLines({ targets: [{ id: TARGET_A }], commands: { apply: [] } })).toEqual([
      "commands.apply: expected at least one item, got an empty list",
    ]);
  });

  it("checks rules: their match, patterns and permission levels", () => {
    expect(errorLines({ targets: [{ id: TARGET_A }], rules: [{ action: "apply" }] })).toEqual([
      "rules[0].match: is missing: write `match: {}` to match every entry",
    ]);
    expect(
      errorLines({
        targets: [{ id: TARGET_A }],
        rules: [
          { match: { targetId: "{target}/a**", eventId: ["Set*", "{target}"] }, action: "apply" },
          { match: { authorPermission: ["write", "owner"], minEntries: -1 }, action: "review" },
        ],
      }),
    ).toEqual([
      'rules[0].match.eventId[1]: "{target}" is not a usable pattern: {target} only means something in targetId patterns, not in eventId',
      'rules[0].match.targetId: "{target}/a**" is not a usable pattern: "**" must be a whole segment between slashes, as in "{target}/**"',
      'rules[1].match.authorPermission[1]: expected one of "none", "read", "triage", "write", "maintain", "admin", got the text "owner"',
      "rules[1].match.minEntries: expected at least 0, got the number -1",
    ]);
    expect(
      errorLines({
        targets: [{ id: TARGET_A }],
        rules: [{ match: { authorPermission: "none" }, action: "apply" }],
      }),
    ).toEqual([
      'rules[0].match.authorPermission: expected one of "read", "triage", "write", "maintain", "admin" or a list, got the text "none"',
    ]);
  });

  it("checks what needs several fields at once once the shape is right", () => {
    expect(
      errorLines({
        targets: [{ id: TARGET_A }, { id: TARGET_B }, { id: TARGET_A_PEER_ID }],
        labels: { failed: "Nomad-Patch: Applied" },
        commands: { reject: ["/reject", "/Apply"] },
        rules: [{ match: { minEntries: 5, maxEntries: 2 }, action: "review" }],
      }),
    ).toEqual([
      "targets[2].id: names the same target as targets[0].id",
      "labels.failed: is the same label as labels.applied: each label must say one thing",
      'commands.reject[1]: "/Apply" is already a name of apply',
      "rules[0].match: minEntries (5) is above maxEntries (2), so the rule can never match",
    ]);
  });

  it("reports at most a bounded number of problems", () => {
    const targets = Array.from({ length: 60 }, () => ({ id: "nope" }));
    const { errors } = parseConfig({ targets });
    expect(errors).toHaveLength(MAX_REPORTED_ISSUES);
    expect(formatConfigIssue(errors.at(-1)!)).toBe("the file: and 36 more problems like these");
  });
});

describe("parseConfig: warnings for configurations that work but probably do not do what was meant", () => {
  it("warns about unreachable rules, duplicate names and rules beyond the limits", () => {
    expect(
      warningLines({
        targets: [{ id: TARGET_A }],
        rules: [
          { name: "all", match: {}, action: "review" },
          { name: "all", match: { minEntries: 5000 }, action: "reject" },
        ],
      }),
    ).toEqual([
      "rules[1].name: is also the name of rules[0]; reasons would not say which one decided",
      "rules[1]: can never decide anything: rules[0] has an empty match, so it matches every entry first",
      "rules[1].match.minEntries: is above limits.maxEntries (1000), so the rule can never match",
    ]);
  });

  it("warns when an apply rule admits authors below the approval level", () => {
    const lenient = { match: { eventId: "Set*" }, action: "apply" };
    const strict = { match: { eventId: "Set*", authorPermission: "write" }, action: "apply" };
    const listed = { match: { authorPermission: ["read", "admin"] }, action: "apply" };
    expect(warningLines({ targets: [{ id: TARGET_A }], rules: [lenient, strict, listed] })).toEqual([
      'rules[0]: applies patches without review from authors below "write" (the level permissions.approve asks of people who approve); add match.authorPermission to limit it if that is not meant',
      'rules[2]: applies patches without review from authors below "write" (the level permissions.approve asks of people who approve); add match.authorPermission to limit it if that is not meant',
    ]);
  });

  it("keeps the configuration usable when there are only warnings", () => {
    const result = parseConfig({ targets: [{ id: TARGET_A }], rules: [{ match: {}, action: "apply" }] });
    expect(result.ok).toBe(true);
    expect(result.config?.rules).toHaveLength(1);
    expect(result.warnings).toHaveLength(1);
  });
});
