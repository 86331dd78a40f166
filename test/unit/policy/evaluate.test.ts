import { describe, expect, it } from "vitest";
import {
  evaluate,
  type NomadPatchConfigInput,
  type PatchEntrySummary,
  type PermissionLevel,
  SOURCE_ADD_EVENT_ID,
  SOURCE_REMOVE_EVENT_ID,
} from "../../../src/policy/index.js";
import { buildConfig, TARGET_A, TARGET_A_PEER_ID, TARGET_B } from "./build-config.js";

const entry = (index: number, eventId: string, path = ""): PatchEntrySummary => ({
  index,
  eventId,
  targetId: path === "" ? TARGET_A : `${TARGET_A}/${path}`,
});

function decide(
  entries: PatchEntrySummary[],
  rules: NomadPatchConfigInput["rules"],
  authorPermission: PermissionLevel = "write",
) {
  return evaluate({ target: TARGET_A, entries, authorPermission }, buildConfig({ rules }));
}

const applyEverything = [{ name: "trust all", match: {}, action: "apply" as const }];

describe("evaluate", () => {
  it("applies when every entry matches an apply rule, naming the rule for each", () => {
    const verdict = decide(
      [entry(0, "SetTitle"), entry(1, "SetBody", "docs/a.md")],
      [{ name: "text edits", match: { eventId: "Set*" }, action: "apply", reason: "harmless" }],
    );
    expect(verdict).toEqual({
      decision: "apply",
      reasons: [
        {
          code: "rule",
          entryIndex: 0,
          eventId: "SetTitle",
          rule: "text edits",
          message: 'entry 0 (EventId "SetTitle"): rule "text edits" says apply: harmless',
        },
        {
          code: "rule",
          entryIndex: 1,
          eventId: "SetBody",
          rule: "text edits",
          message: 'entry 1 (EventId "SetBody"): rule "text edits" says apply: harmless',
        },
      ],
    });
  });

  it("waits for review when any entry has no apply rule, naming those entries", () => {
    const verdict = decide(
      [entry(0, "SetTitle"), entry(1, "RemoveFile")],
      [{ match: { eventId: "Set*" }, action: "apply" }],
    );
    expect(verdict).toEqual({
      decision: "review",
      reasons: [
        {
          code: "no-rule",
          entryIndex: 1,
          eventId: "RemoveFile",
          message: 'entry 1 (EventId "RemoveFile"): no rule matches, so a person decides',
        },
      ],
    });
  });

  it("waits for review with no rules at all", () => {
    expect(decide([entry(0, "SetTitle")], []).decision).toBe("review");
  });

  it("lets a reject anywhere win over applies elsewhere", () => {
    const verdict = decide(
      [entry(0, "SetTitle"), entry(1, "RemoveFile"), entry(2, "SetBody")],
      [
        { name: "no deletions", match: { eventId: "Remove*" }, action: "reject" },
        { match: {}, action: "apply" },
      ],
    );
    expect(verdict.decision).toBe("reject");
    expect(verdict.reasons).toEqual([
      {
        code: "rule",
        entryIndex: 1,
        eventId: "RemoveFile",
        rule: "no deletions",
        message: 'entry 1 (EventId "RemoveFile"): rule "no deletions" says reject',
      },
    ]);
  });

  it("lets the first matching rule in file order decide each entry", () => {
    const reviewFirst = decide(
      [entry(0, "SetTitle")],
      [
        { match: { eventId: "SetTitle" }, action: "review" },
        { match: {}, action: "apply" },
      ],
    );
    expect(reviewFirst.decision).toBe("review");
    expect(reviewFirst.reasons[0]?.rule).toBe("rules[0]");

    const applyFirst = decide(
      [entry(0, "SetTitle")],
      [
        { match: {}, action: "apply" },
        { match: { eventId: "SetTitle" }, action: "reject" },
      ],
    );
    expect(applyFirst.decision).toBe("apply");
  });

  it.each([
    SOURCE_ADD_EVENT_ID,
    SOURCE_REMOVE_EVENT_ID,
    "nomadeventstreamsourceaddevent",
    ` ${SOURCE_ADD_EVENT_ID} `,
  ])(
    "always refuses the reserved EventId %j, even under an apply-everything rule from an admin",
    (eventId) => {
      const verdict = decide([entry(0, "SetTitle"), entry(1, eventId)], applyEverything, "admin");
      expect(verdict.decision).toBe("reject");
      expect(verdict.reasons).toEqual([
        {
          code: "reserved-event-id",
          entryIndex: 1,
          eventId,
          message: `entry 1 (EventId ${JSON.stringify(eventId)}): adding or removing a source is pairing, which grants full trust; a patch can never do it`,
        },
      ]);
    },
  );

  it("refuses the reserved EventIds even when a rule names them explicitly", () => {
    const verdict = decide(
      [entry(0, SOURCE_ADD_EVENT_ID)],
      [{ match: { eventId: SOURCE_ADD_EVENT_ID }, action: "apply" }],
      "admin",
    );
    expect(verdict.decision).toBe("reject");
    expect(verdict.reasons[0]?.code).toBe("reserved-event-id");
  });

  it("refuses entries whose TargetId is not the target or under it", () => {
    const outside = [
      { index: 0, eventId: "SetTitle", targetId: TARGET_B },
      { index: 1, eventId: "SetTitle", targetId: `${TARGET_A}x/y` },
      { index: 2, eventId: "SetTitle", targetId: `${TARGET_B}/${TARGET_A}` },
    ];
    const verdict = decide([entry(3, "SetTitle", "ok"), ...outside], applyEverything, "admin");
    expect(verdict.decision).toBe("reject");
    expect(verdict.reasons.map((reason) => [reason.entryIndex, reason.code])).toEqual([
      [0, "outside-target"],
      [1, "outside-target"],
      [2, "outside-target"],
    ]);
    expect(verdict.reasons[0]?.message).toBe(
      `entry 0 (EventId "SetTitle"): its TargetId "${TARGET_B}" is neither the target nor under it`,
    );
  });

  it("refuses ids far longer than any Nomad id", () => {
    const verdict = decide(
      [entry(0, "X".repeat(257)), entry(1, "SetTitle", "a".repeat(5000))],
      applyEverything,
      "admin",
    );
    expect(verdict.reasons.map((reason) => reason.code)).toEqual(["oversized-id", "oversized-id"]);
  });

  it("sends a patch with no entries to review, saying there is nothing to apply", () => {
    expect(decide([], applyEverything)).toEqual({
      decision: "review",
      reasons: [{ code: "no-entries", message: "the patch has no entries: there is nothing to apply" }],
    });
  });

  it("refuses a patch for a target this repository does not have", () => {
    const config = buildConfig({ targets: [{ id: TARGET_A, name: "Website" }], rules: applyEverything });
    const verdict = evaluate(
      { target: TARGET_B, entries: [entry(0, "SetTitle")], authorPermission: "admin" },
      config,
    );
    expect(verdict).toEqual({
      decision: "reject",
      reasons: [
        {
          code: "unknown-target",
          message: `the patch is for "${TARGET_B}", which is not a target of this repository (targets: Website)`,
        },
      ],
    });
    const garbage = evaluate({ target: "not a key", entries: [], authorPermission: "admin" }, config);
    expect(garbage.decision).toBe("reject");
  });

  it("recognises the target in any IPNS name form", () => {
    const config = buildConfig({ rules: applyEverything });
    const verdict = evaluate(
      { target: TARGET_A_PEER_ID, entries: [entry(0, "SetTitle")], authorPermission: "admin" },
      config,
    );
    expect(verdict.decision).toBe("apply");
  });

  it("refuses more entries than limits.maxEntries", () => {
    const config = buildConfig({ limits: { maxEntries: 2 }, rules: applyEverything });
    const entries = [entry(0, "A"), entry(1, "B"), entry(2, "C")];
    expect(evaluate({ target: TARGET_A, entries, authorPermission: "admin" }, config)).toEqual({
      decision: "reject",
      reasons: [
        { code: "too-many-entries", message: "the patch has 3 entries; limits.maxEntries allows at most 2" },
      ],
    });
  });

  it("matches TargetId patterns with {target}, * and **", () => {
    const rules = [
      { match: { targetId: "{target}/docs/**" }, action: "apply" as const },
      { match: { targetId: "{target}/*.md" }, action: "apply" as const },
    ];
    expect(decide([entry(0, "Write", "docs/a/b.md")], rules).decision).toBe("apply");
    expect(decide([entry(0, "Write", "docs")], rules).decision).toBe("apply");
    expect(decide([entry(0, "Write", "README.md")], rules).decision).toBe("apply");
    expect(decide([entry(0, "Write", "src/README.md")], rules).decision).toBe("review");
    expect(decide([entry(0, "Write")], rules).decision).toBe("review");
  });

  it("matches the author's permission as a minimum or as a list", () => {
    const minimum = [{ match: { authorPermission: "maintain" as const }, action: "apply" as const }];
    expect(decide([entry(0, "A")], minimum, "admin").decision).toBe("apply");
    expect(decide([entry(0, "A")], minimum, "maintain").decision).toBe("apply");
    expect(decide([entry(0, "A")], minimum, "write").decision).toBe("review");

    const outsiders = [
      { match: { authorPermission: ["none" as const, "read" as const] }, action: "reject" as const },
    ];
    expect(decide([entry(0, "A")], outsiders, "none").decision).toBe("reject");
    expect(decide([entry(0, "A")], outsiders, "read").decision).toBe("reject");
    expect(decide([entry(0, "A")], outsiders, "triage").decision).toBe("review");
  });

  it("matches the patch's number of entries", () => {
    const small = [{ match: { maxEntries: 2 }, action: "apply" as const }];
    expect(decide([entry(0, "A"), entry(1, "B")], small).decision).toBe("apply");
    expect(decide([entry(0, "A"), entry(1, "B"), entry(2, "C")], small).decision).toBe("review");

    const large = [
      { match: { minEntries: 3 }, action: "reject" as const, reason: "too big to review at once" },
    ];
    expect(decide([entry(0, "A"), entry(1, "B")], large).decision).toBe("review");
    const verdict = decide([entry(0, "A"), entry(1, "B"), entry(2, "C")], large);
    expect(verdict.decision).toBe("reject");
    expect(verdict.reasons[0]?.message).toBe(
      'entry 0 (EventId "A"): rule "rules[0]" says reject: too big to review at once',
    );
  });
});
