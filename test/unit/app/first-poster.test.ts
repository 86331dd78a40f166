import { describe, expect, it } from "vitest";
import { firstPoster } from "../../../src/app/first-poster.js";
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
    const issue = { body: `See ipns://${KEY}`, author: "stranger" };
    expect(firstPoster(issue, [comment("admin", `Patch: ${KEY}`)], KEY, BOT)).toEqual({
      kind: "found",
      login: "stranger",
    });
  });

  it("is the earliest comment's author, in the forms people write a key, the bot's own comments aside", () => {
    const issue = { body: "A better name", author: "admin" };
    const comments = [
      comment(BOT, `Patch: ${KEY}`, "Bot"),
      comment("stranger", `my change: /ipns/${KEY}`),
      comment("admin", `Patch: ${KEY}`),
    ];
    expect(firstPoster(issue, comments, KEY, BOT)).toEqual({ kind: "found", login: "stranger" });
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
