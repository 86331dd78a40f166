import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { matchPathGlob } from "../../../src/policy/glob.js";
import {
  evaluate,
  type NomadPatchConfig,
  PERMISSION_LEVELS,
  parseCommands,
  parseConfig,
  parseConfigYaml,
  RESERVED_EVENT_IDS,
  RULE_ACTIONS,
} from "../../../src/policy/index.js";
import { buildConfig, TARGET_A } from "./build-config.js";

const eventIdArbitrary = fc.oneof(
  fc.constantFrom("SetTitle", "RemoveFile", "AddEntryAsync", ...RESERVED_EVENT_IDS),
  fc.string({ maxLength: 20 }),
);
const targetIdArbitrary = fc.oneof(
  fc.constant(TARGET_A),
  fc
    .array(fc.constantFrom("docs", "a", "b.md", "*"), { maxLength: 4 })
    .map((path) => [TARGET_A, ...path].join("/")),
  fc.string({ maxLength: 30 }),
);
const entriesArbitrary = fc.array(fc.record({ eventId: eventIdArbitrary, targetId: targetIdArbitrary }), {
  maxLength: 12,
});
const rulesArbitrary = fc.array(
  fc.record({
    match: fc.record(
      {
        eventId: fc.constantFrom("*", "Set*", "Nomad*", RESERVED_EVENT_IDS[0] ?? ""),
        targetId: fc.constantFrom("**", "{target}", "{target}/**", "*"),
        authorPermission: fc.constantFrom("read", "write", "admin"),
      },
      { requiredKeys: [] },
    ),
    action: fc.constantFrom(...RULE_ACTIONS),
  }),
  { maxLength: 5 },
);
const configArbitrary = rulesArbitrary.map((rules): NomadPatchConfig => buildConfig({ rules }));

const patchArbitrary = fc.record({
  entries: entriesArbitrary,
  authorPermission: fc.constantFrom(...PERMISSION_LEVELS),
});

describe("policy properties", () => {
  it("never applies a patch that holds a reserved EventId, whatever the rules", () => {
    fc.assert(
      fc.property(
        patchArbitrary,
        configArbitrary,
        fc.constantFrom(...RESERVED_EVENT_IDS),
        (patch, config, reserved) => {
          const entries = [...patch.entries, { eventId: reserved, targetId: TARGET_A }].map(
            (entry, index) => ({ ...entry, index }),
          );
          const verdict = evaluate(
            { target: TARGET_A, entries, authorPermission: patch.authorPermission },
            config,
          );
          expect(verdict.decision).toBe("reject");
          expect(verdict.reasons.some((reason) => reason.code === "reserved-event-id")).toBe(true);
        },
      ),
    );
  });

  it("applies only when every entry is the target's, unreserved, and matched by an apply rule", () => {
    let applied = 0;
    fc.assert(
      fc.property(patchArbitrary, configArbitrary, (patch, config) => {
        const entries = patch.entries.map((entry, index) => ({ ...entry, index }));
        const verdict = evaluate(
          { target: TARGET_A, entries, authorPermission: patch.authorPermission },
          config,
        );
        if (verdict.decision !== "apply") return;
        applied++;
        expect(entries.length).toBeGreaterThan(0);
        expect(verdict.reasons).toHaveLength(entries.length);
        for (const entry of entries) {
          expect(RESERVED_EVENT_IDS).not.toContain(entry.eventId);
          expect(entry.targetId === TARGET_A || entry.targetId.startsWith(`${TARGET_A}/`)).toBe(true);
        }
        expect(verdict.reasons.every((reason) => reason.code === "rule")).toBe(true);
      }),
      { numRuns: 500 },
    );
    // The property proves nothing if the generators never reach an apply.
    expect(applied).toBeGreaterThan(0);
  });

  it("parseConfig never throws and answers either a config or errors", () => {
    fc.assert(
      fc.property(
        fc.anything({ withNullPrototype: true, withMap: true, withSet: true, withTypedArray: true }),
        (value) => {
          const result = parseConfig(value);
          if (result.ok) expect(result.errors).toEqual([]);
          else expect(result.errors.length).toBeGreaterThan(0);
        },
      ),
    );
  });

  it("parseConfig never throws on configuration-shaped objects with wrong values", () => {
    const anyValue = fc.anything({ maxDepth: 2 });
    fc.assert(
      fc.property(
        fc.record(
          {
            targets: fc.oneof(
              anyValue,
              fc.array(fc.record({ id: anyValue, module: anyValue }, { requiredKeys: [] })),
            ),
            labels: anyValue,
            commands: anyValue,
            permissions: anyValue,
            limits: anyValue,
            rules: fc.oneof(anyValue, fc.array(fc.record({ match: anyValue, action: anyValue }))),
          },
          { requiredKeys: [] },
        ),
        (value) => {
          const result = parseConfig(value);
          for (const issue of result.errors) expect(issue.message.length).toBeGreaterThan(0);
        },
      ),
    );
  });

  it("parseConfigYaml never throws on arbitrary text", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: "binary", maxLength: 300 })),
        (text) => {
          const result = parseConfigYaml(text);
          expect(result.ok || result.errors.length > 0).toBe(true);
        },
      ),
    );
  });

  it("parseCommands never finds a command on a quoted or fenced line", () => {
    const line = fc.constantFrom("/apply", "/reject no", "/hold", "/refresh", "text", "");
    fc.assert(
      fc.property(fc.array(line, { maxLength: 6 }), (lines) => {
        const quoted = lines.map((text) => `> ${text}`).join("\n");
        const fenced = ["```", ...lines, "```"].join("\n");
        expect(parseCommands(quoted)).toEqual([]);
        expect(parseCommands(fenced)).toEqual([]);
      }),
    );
  });

  it("a ** pattern matches every path, and a literal pattern only itself", () => {
    const segment = fc.stringMatching(/^[a-z*]{1,5}$/);
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 5 }), (segments) => {
        const path = segments.join("/");
        expect(matchPathGlob("**", path)).toBe(true);
        if (!path.includes("*")) expect(matchPathGlob(path, path)).toBe(true);
      }),
    );
  });
});
