import { describe, expect, it } from "vitest";
import { matchPathGlob, matchSequence, matchWildcard } from "../../../src/policy/glob.js";
import {
  checkEventIdPattern,
  checkTargetIdPattern,
  matchEventIdPattern,
  matchTargetIdPattern,
} from "../../../src/policy/patterns.js";
import { TARGET_A, TARGET_B } from "./build-config.js";

describe("matchWildcard", () => {
  it.each([
    ["SetTitle", "SetTitle", true],
    ["SetTitle", "SetTitleAsync", false],
    ["settitle", "SetTitle", false],
    ["Set*", "SetTitle", true],
    ["Set*", "Set", true],
    ["*Async", "UpdateTitleAsync", true],
    ["*Async", "AsyncUpdate", false],
    ["Add*Async", "AddEntryAsync", true],
    ["Add*Async", "AddEntry", false],
    ["*", "", true],
    ["a*b*c", "aXbYc", true],
    ["a*b*c", "aXcYb", false],
  ])("%s against %s → %s", (pattern, subject, expected) => {
    expect(matchWildcard(pattern, subject)).toBe(expected);
  });

  it("stays within pattern × subject steps on a pattern and subject built to make backtracking explode", () => {
    const pattern = "*a*a*a*a*a*a*a*a*b";
    const subject = "a".repeat(4096);
    expect(matchWildcard(pattern, subject)).toBe(false);
    // The same match over the matcher with its comparisons counted: a backtracking matcher would make
    // about subject^8 of them; this one makes at most one per (pattern item, subject item) pair.
    let comparisons = 0;
    const matched = matchSequence(
      pattern.length,
      subject.length,
      (p) => pattern[p] === "*",
      (p, s) => {
        comparisons++;
        return pattern[p] === subject[s];
      },
    );
    expect(matched).toBe(false);
    expect(comparisons).toBeGreaterThanOrEqual(subject.length);
    expect(comparisons).toBeLessThanOrEqual(pattern.length * subject.length);
  });
});

describe("matchPathGlob", () => {
  it.each([
    ["a/b", "a/b", true],
    ["a/*", "a/b", true],
    ["a/*", "a/b/c", false],
    ["a/**", "a/b/c", true],
    // "**" is zero or more whole segments, so "a/**" is a and everything under it...
    ["a/**", "a", true],
    // ...and "a/*/**" only what is under it.
    ["a/*/**", "a", false],
    ["a/*/**", "a/b/c", true],
    ["a/**", "ab", false],
    ["**", "a/b/c", true],
    ["a/**/c", "a/c", true],
    ["a/**/c", "a/x/y/c", true],
    ["a/**/c", "a/x/y/d", false],
    ["a/*.md", "a/readme.md", true],
    ["a/*.md", "a/docs/readme.md", false],
  ])("%s against %s → %s", (pattern, subject, expected) => {
    expect(matchPathGlob(pattern, subject)).toBe(expected);
  });
});

describe("TargetId patterns", () => {
  it("substitutes {target} with the patch's own target", () => {
    expect(matchTargetIdPattern("{target}", TARGET_A, TARGET_A)).toBe(true);
    expect(matchTargetIdPattern("{target}", TARGET_B, TARGET_A)).toBe(false);
    expect(matchTargetIdPattern("{target}/docs/**", `${TARGET_A}/docs/a/b.md`, TARGET_A)).toBe(true);
    expect(matchTargetIdPattern("{target}/docs/**", `${TARGET_B}/docs/a/b.md`, TARGET_A)).toBe(false);
    expect(matchTargetIdPattern(`${TARGET_A}/*`, `${TARGET_A}/x`, TARGET_B)).toBe(true);
  });

  it("explains what is wrong with a bad pattern", () => {
    expect(checkTargetIdPattern("{target}/**")).toBeUndefined();
    expect(checkTargetIdPattern("")).toBe("an empty pattern matches nothing");
    expect(checkTargetIdPattern("{target}/docs**")).toBe(
      '"**" must be a whole segment between slashes, as in "{target}/**"',
    );
    expect(checkTargetIdPattern("{target}//x")).toBe(
      'a pattern may not start or end with "/" or contain "//"',
    );
    expect(checkTargetIdPattern("{target}/")).toBe('a pattern may not start or end with "/" or contain "//"');
    expect(checkTargetIdPattern("{id}/x")).toBe(
      "the only placeholder is {target}; other braces have no meaning (to match several ids, give a list)",
    );
    expect(checkTargetIdPattern("x".repeat(513))).toBe("a pattern may be at most 512 characters");
  });
});

describe("EventId patterns", () => {
  it("match exactly or with *", () => {
    expect(matchEventIdPattern("UpdateTitleAsync", "UpdateTitleAsync")).toBe(true);
    expect(matchEventIdPattern("Update*", "UpdateTitleAsync")).toBe(true);
    expect(matchEventIdPattern("Update*", "RemoveEntryAsync")).toBe(false);
  });

  it("explains what is wrong with a bad pattern", () => {
    expect(checkEventIdPattern("Update*")).toBeUndefined();
    expect(checkEventIdPattern("")).toBe("an empty pattern matches nothing");
    expect(checkEventIdPattern("{target}")).toBe(
      "{target} only means something in targetId patterns, not in eventId",
    );
    expect(checkEventIdPattern("{Add,Remove}File")).toBe(
      "braces have no meaning in an eventId pattern (only * does); to match several EventIds, give a list",
    );
  });
});
