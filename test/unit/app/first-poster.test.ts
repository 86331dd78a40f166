import { describe, expect, it } from "vitest";
import { earliestPoster, firstPoster } from "../../../src/app/first-poster.js";
import type { IssueComment } from "../../../src/app/github/issue-github.js";

const KEY = "k51qzi5uqu5dgutdk6i1ynyzgkqngpha5xpgia3a5qqp4jsh0u4csozksxel3r";
const BOT = "nomad-patch[bot]";

let id = 0;
const comment = (login: string, body: string, userType = "User"): IssueComment => {
  id += 1;
  const at = new Date(Date.UTC(2026, 0, 1, 0, 0, id)).toISOString();
  return { id, body, login, userType, writtenAt: at, createdAt: at };
};

describe("who posted a key first on an issue", () => {
  it("is the issue's author when the body holds it, before any comment", () => {
    const issue = { body: `See ipns://${KEY}`, author: "stranger", createdAt: "2025-12-31T00:00:00Z" };
    expect(firstPoster(issue, [comment("admin", `Patch: ${KEY}`)], KEY, BOT)).toEqual({
      kind: "found",
      login: "stranger",
      at: "2025-12-31T00:00:00Z",
    });
  });

  it("is the earliest comment's author, in the forms people write a key, the bot's own comments aside", () => {
    const issue = { body: "A better name", author: "admin" };
    const comments = [
      comment(BOT, `Patch: ${KEY}`, "Bot"),
      comment("stranger", `my change: /ipns/${KEY}`),
      comment("admin", `Patch: ${KEY}`),
    ];
    expect(firstPoster(issue, comments, KEY, BOT)).toEqual({
      kind: "found",
      login: "stranger",
      at: comments[1]?.createdAt,
    });
  });

  it("is nobody when the issue does not hold the key", () => {
    const issue = { body: "A better name", author: "admin" };
    expect(firstPoster(issue, [comment("admin", "looks fine")], KEY, BOT)).toEqual({ kind: "nowhere" });
  });

  it("is unknown when padding before the key outruns the budget: the later poster is not taken for it", () => {
    const issue = { body: "A better name", author: "stranger" };
    const padding = Array.from({ length: 40 }, () => comment("stranger", "x".repeat(60_000)));
    const comments = [...padding, comment("stranger", `Patch: ${KEY}`), comment("admin", `Patch: ${KEY}`)];
    expect(firstPoster(issue, comments, KEY, BOT)).toEqual({ kind: "unknown" });
  });
});

describe("the first poster from the issue as it reads and the record of the texts as they arrived", () => {
  const shown = { kind: "found", login: "admin", at: "2026-01-01T00:00:02Z" } as const;

  it("is the earlier of the two: a deleted comment the issue no longer shows counts", () => {
    const recorded = { kind: "recorded", login: "stranger", at: "2026-01-01T00:00:01Z" } as const;
    expect(earliestPoster(shown, recorded)).toEqual({ kind: "found", login: "stranger", at: recorded.at });
    const later = { ...recorded, at: "2026-01-01T00:00:03Z" };
    expect(earliestPoster(shown, later)).toEqual(shown);
    expect(earliestPoster({ kind: "nowhere" }, later)).toEqual({
      kind: "found",
      login: "stranger",
      at: later.at,
    });
  });

  it("is what the issue shows when nothing was recorded, and not known when a record may have been dropped", () => {
    expect(earliestPoster(shown, { kind: "none" })).toEqual(shown);
    expect(earliestPoster(shown, { kind: "forgotten" })).toEqual({ kind: "unknown" });
    expect(earliestPoster({ kind: "unknown" }, { kind: "none" })).toEqual({ kind: "unknown" });
  });
});
