import type { z } from "zod";
import { allowedKeysAt } from "./allowed-keys.js";
import { type ConfigIssue, configIssue, type PathSegment } from "./config-issue.js";
import { closestMatch, describeValue, plural } from "./describe-value.js";

type ZodIssue = z.core.$ZodIssue;

const EXPECTED_IN_WORDS: Readonly<Record<string, string>> = {
  string: "text",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
  array: "a list",
  object: "a mapping (key: value lines)",
};

// What to write when a required key is missing, by the key's name.
const MISSING_KEY_HINTS: Readonly<Record<string, string>> = {
  targets: "list the Nomad objects this repository takes patches for, each with the `id` of its roaming key",
  id: "give the IPNS name of the target's roaming key (k51…)",
  match: "write `match: {}` to match every entry",
  action: 'say what the rule does: "apply", "reject" or "review"',
};

/**
 * Turn zod's issues into sentences a maintainer can act on: where, what was expected, what came.
 * `schema` is the one that produced the issues; it supplies the allowed keys when a key is unknown.
 */
export function describeZodIssues(
  issues: readonly ZodIssue[],
  schema: z.ZodType,
  prefix: readonly PathSegment[] = [],
): ConfigIssue[] {
  return issues.flatMap((issue) => describeZodIssue(issue, schema, prefix));
}

function describeZodIssue(issue: ZodIssue, schema: z.ZodType, prefix: readonly PathSegment[]): ConfigIssue[] {
  const segments = [...prefix, ...issue.path.filter(isPathSegment)];
  const input = issue.input;
  switch (issue.code) {
    case "unrecognized_keys": {
      const allowed = allowedKeysAt(schema, segments);
      return issue.keys.map((key) => {
        const guess = closestMatch(key, allowed);
        const hint = guess ? ` (did you mean ${JSON.stringify(guess)}?)` : "";
        const list = allowed.length > 0 ? `; the keys allowed here are ${allowed.join(", ")}` : "";
        return configIssue([...segments, key], `unknown key${hint}${list}`);
      });
    }
    case "invalid_union":
      return describeUnion(issue.errors, schema, segments, input);
    case "invalid_type":
      return [configIssue(segments, describeWrongType(issue.expected, input, segments))];
    case "invalid_value": {
      const choices = issue.values.map((value) => JSON.stringify(value));
      const guess = typeof input === "string" ? closestMatch(input, issue.values.map(String)) : undefined;
      const hint = guess ? ` (did you mean ${JSON.stringify(guess)}?)` : "";
      const expected = choices.length === 1 ? choices[0] : `one of ${choices.join(", ")}`;
      return [configIssue(segments, `expected ${expected}, got ${describeValue(input)}${hint}`)];
    }
    case "too_small":
      return [configIssue(segments, describeBound("least", issue.origin, Number(issue.minimum), input))];
    case "too_big":
      return [configIssue(segments, describeBound("most", issue.origin, Number(issue.maximum), input))];
    default:
      // `custom` and `invalid_format` carry messages written in this folder, already in plain words.
      return [configIssue(segments, issue.message)];
  }
}

function describeWrongType(expected: string, input: unknown, segments: readonly PathSegment[]): string {
  const inWords = EXPECTED_IN_WORDS[expected] ?? expected;
  if (input !== undefined) return `expected ${inWords}, got ${describeValue(input)}`;
  const key = segments.at(-1);
  const hint = typeof key === "string" ? MISSING_KEY_HINTS[key] : undefined;
  return hint ? `is missing: ${hint}` : `is missing: expected ${inWords}`;
}

function describeBound(side: "least" | "most", origin: string, bound: number, input: unknown): string {
  if (origin === "array") {
    const count = Array.isArray(input) ? input.length : undefined;
    if (side === "least" && bound === 1) return "expected at least one item, got an empty list";
    return `expected at ${side} ${plural(bound, "item")}${count === undefined ? "" : `, got ${count}`}`;
  }
  if (origin === "string") {
    if (side === "least" && bound === 1) return "must not be empty";
    const length = typeof input === "string" ? `, got ${input.length}` : "";
    return `expected at ${side} ${plural(bound, "character")}${length}`;
  }
  return `expected at ${side} ${bound}, got ${describeValue(input)}`;
}

/**
 * A union failed. When the input had the right type for one branch (say a list, with one bad item),
 * report that branch's own problems; when it fitted none, say which types would have been accepted.
 */
function describeUnion(
  branches: readonly (readonly ZodIssue[])[],
  schema: z.ZodType,
  segments: readonly PathSegment[],
  input: unknown,
): ConfigIssue[] {
  const fitting = branches.find((branch) => !branch.every(isTypeMismatchAtRoot));
  if (fitting) return describeZodIssues(fitting, schema, segments);
  const accepted = branches.map((branch) => expectedOf(branch[0]));
  return [configIssue(segments, `expected ${joinAlternatives(accepted)}, got ${describeValue(input)}`)];
}

function isTypeMismatchAtRoot(issue: ZodIssue): boolean {
  return issue.path.length === 0 && (issue.code === "invalid_type" || issue.code === "invalid_value");
}

function expectedOf(issue: ZodIssue | undefined): string {
  if (issue?.code === "invalid_type") return EXPECTED_IN_WORDS[issue.expected] ?? issue.expected;
  if (issue?.code === "invalid_value") {
    const choices = issue.values.map((value) => JSON.stringify(value));
    return choices.length === 1 ? (choices[0] ?? "") : `one of ${choices.join(", ")}`;
  }
  return "another value";
}

function joinAlternatives(words: readonly string[]): string {
  if (words.length <= 1) return words[0] ?? "another value";
  return `${words.slice(0, -1).join(", ")} or ${words.at(-1)}`;
}

function isPathSegment(key: PropertyKey): key is PathSegment {
  return typeof key === "string" || typeof key === "number";
}
