import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { formatConfigIssue, MAX_CONFIG_TEXT_LENGTH, parseConfigYaml } from "../../../src/policy/index.js";
import { TARGET_A, TARGET_B, TARGET_C } from "./build-config.js";

const fixture = (name: string) =>
  readFileSync(new URL(`../../fixtures/policy/${name}`, import.meta.url), "utf8");
const errorsOf = (text: string) => parseConfigYaml(text).errors.map(formatConfigIssue);

describe("parseConfigYaml", () => {
  it("reads a file that sets every key", () => {
    const result = parseConfigYaml(fixture("full.yml"));
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect(result.config).toEqual({
      targets: [
        {
          id: TARGET_A,
          module: "storage",
          name: "Project website",
          sources: [],
          allowDivergentPublish: false,
        },
        { id: TARGET_B, module: "wac-project", sources: [TARGET_C], allowDivergentPublish: true },
        { id: TARGET_C, module: "auto", sources: [], allowDivergentPublish: false },
      ],
      labels: {
        approve: "patch: approve",
        applied: "patch: applied",
        rejected: "patch: rejected",
        failed: "patch: failed",
        held: "patch: on hold",
      },
      commands: { apply: ["/apply", "/ship"], reject: ["/reject"], hold: [], refresh: ["/refresh"] },
      permissions: { approve: "maintain" },
      limits: {
        maxEntries: 200,
        maxBytes: 8388608,
        resolveTimeoutSeconds: 30,
        maxKeysPerComment: 3,
        refreshIntervalMinutes: 5,
        watchIntervalMinutes: 10,
      },
      closeIssueOnApply: true,
      rules: [
        {
          name: "no deletions",
          match: { eventId: ["RemoveFile*", "RemoveEntryAsync"] },
          action: "reject",
          reason: "Deleting content needs a conversation first.",
        },
        {
          name: "maintainers' doc fixes",
          match: {
            targetId: ["{target}/docs/**"],
            authorPermission: { atLeast: "maintain" },
            maxEntries: 20,
          },
          action: "apply",
        },
        { name: "everything else", match: {}, action: "review" },
      ],
    });
  });

  it("reads the full example in docs/configuration.md without errors or warnings", () => {
    const docs = readFileSync(new URL("../../../docs/configuration.md", import.meta.url), "utf8");
    const example = /<!-- full-example -->\s*```yaml\n([\s\S]*?)```/.exec(docs)?.[1];
    expect(example).toBeDefined();
    const result = parseConfigYaml(example ?? "");
    expect(result.errors.map(formatConfigIssue)).toEqual([]);
    expect(result.warnings.map(formatConfigIssue)).toEqual([]);
  });

  it("gives the line and column of YAML syntax errors", () => {
    expect(errorsOf(`targets:\n  - id: ${TARGET_A}\n    module: [storage\n`)).toEqual([
      "the file (line 4, column 1): is not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]",
    ]);
    expect(errorsOf("targets: []\ntargets: []\n")).toEqual([
      "the file (line 2, column 1): is not valid YAML: the same key appears twice in one mapping; keep one",
    ]);
    expect(errorsOf("targets: []\n---\nrules: []\n")).toEqual([
      "the file (line 2, column 1): is not valid YAML: the file holds several YAML documents (separated by ---); keep everything in one",
    ]);
  });

  it("points schema errors at the line of the offending value", () => {
    const text = [
      `targets:`,
      `  - id: ${TARGET_A}`,
      `rules:`,
      `  - match:`,
      `      eventId: [Set*, 3]`,
      `    action: aply`,
    ].join("\n");
    expect(errorsOf(text)).toEqual([
      "rules[0].match.eventId[1] (line 5, column 23): expected text, got the number 3",
      'rules[0].action (line 6, column 13): expected one of "apply", "reject", "review", got the text "aply" (did you mean "apply"?)',
    ]);
    expect(errorsOf(`targets:\n  - id: ${TARGET_A}\n    colour: blue\n`)).toEqual([
      "targets[0].colour (line 3, column 13): unknown key; the keys allowed here are id, module, name, sources, allowDivergentPublish",
    ]);
  });

  it("points a missing key at its parent", () => {
    expect(errorsOf(`targets:\n  - id: ${TARGET_A}\nrules:\n  - action: apply\n`)).toEqual([
      "rules[0].match (line 4, column 5): is missing: write `match: {}` to match every entry",
    ]);
  });

  it("treats an empty file, or one of comments only, as empty", () => {
    const empty = "the file: is empty: it needs at least a `targets` list naming the Nomad objects to patch";
    expect(errorsOf("")).toEqual([empty]);
    expect(errorsOf("# nothing here yet\n")).toEqual([empty]);
  });

  it("reports YAML warnings, such as unknown tags, with their line", () => {
    const result = parseConfigYaml(`targets:\n  - id: ${TARGET_A}\n    name: !fancy Website\n`);
    expect(result.ok).toBe(true);
    expect(result.warnings.map(formatConfigIssue)).toEqual([
      "the file (line 3, column 11): has a YAML oddity: Unresolved tag: !fancy",
    ]);
  });

  it("refuses oversized files, alias bombs and deep nesting with a clear error and bounded work", () => {
    expect(errorsOf(" ".repeat(MAX_CONFIG_TEXT_LENGTH + 1))).toEqual([
      `the file: is ${MAX_CONFIG_TEXT_LENGTH + 1} characters long; at most ${MAX_CONFIG_TEXT_LENGTH} are read`,
    ]);

    const bomb = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"];
    for (let level = 1; level < 10; level++) {
      bomb.push(
        `a${level}: &a${level} [${Array(10)
          .fill(`*a${level - 1}`)
          .join(", ")}]`,
      );
    }
    expect(errorsOf(bomb.join("\n"))).toEqual([
      "the file: cannot be read as YAML: Excessive alias count indicates a resource exhaustion attack",
    ]);

    // Deep nesting ends in an error, not a stack overflow (how long it takes is the bench's business).
    const deep = parseConfigYaml(`targets: ${"[".repeat(50_000)}${"]".repeat(50_000)}`);
    expect(deep.ok).toBe(false);
    expect(deep.errors.length).toBeGreaterThan(0);
  });
});
