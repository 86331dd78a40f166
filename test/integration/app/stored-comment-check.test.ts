import nock from "nock";
import { ProbotOctokit } from "probot";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { issueGitHub } from "../../../src/app/github/issue-github.js";
import { writeMarker } from "../../../src/render/marker.js";
import { testAppSigner } from "../../helpers/app-key.js";

const API = "https://api.github.com";
const REF = { owner: "owner", repo: "repo", issueNumber: 3 };
const K = "k51qzi5uqu5dlvj2baxnqndepeb86cbk3ng7n3i46uzyxzyqj2xjonzllnv0v8";
const BODY = `${writeMarker({ kind: "status", v: 1, state: "applied", key: K, cid: "bafyapplied" })}\nApplied.\n`;

/**
 * GitHub answers a comment's write with the text it stored. Should that ever differ from what the bot sent,
 * every comment the bot writes would read back as untrusted: the port says so in the log at once.
 */
describe("the issue port checks the text GitHub says it stored", () => {
  const octokit = new ProbotOctokit({
    auth: { token: "test" },
    retry: { enabled: false },
    // Its write limiter spaces writes a second apart; nothing here is GitHub.
    throttle: { enabled: false },
  });
  const errors: { fields: object; message: string }[] = [];
  const log = {
    error: (fields: object | string, message = "") =>
      errors.push(typeof fields === "string" ? { fields: {}, message: fields } : { fields, message }),
  };
  const github = issueGitHub(octokit, REF, testAppSigner, log);

  beforeAll(() => nock.disableNetConnect());
  afterEach(() => {
    errors.length = 0;
    nock.cleanAll();
  });
  afterAll(() => nock.enableNetConnect());

  /** Answers the next post and the next edit with `stored(sent)`, as GitHub answers with what it kept. */
  function github_stores(stored: (sent: string) => string) {
    nock(API)
      .post("/repos/owner/repo/issues/3/comments")
      .reply(201, (_uri, body) => ({ id: 11, body: stored((body as { body: string }).body) }))
      .patch("/repos/owner/repo/issues/comments/11")
      .reply(200, (_uri, body) => ({ id: 11, body: stored((body as { body: string }).body) }));
  }

  it("says nothing when GitHub kept the text as sent, or changed only line endings or the final newline", async () => {
    for (const stored of [
      (sent: string) => sent,
      (sent: string) => sent.replace(/\n/g, "\r\n"),
      (sent: string) => sent.trimEnd(),
    ]) {
      github_stores(stored);
      expect(await github.createComment(BODY)).toBe(11);
      await github.updateComment(11, BODY);
    }
    expect(errors).toEqual([]);
  });

  it("logs an error naming the comment and where the text first differs when GitHub kept other text", async () => {
    github_stores((sent) => sent.replace("Applied.", "Applied!"));
    expect(await github.createComment(BODY)).toBe(11);
    await github.updateComment(11, BODY);
    expect(errors).toHaveLength(2);
    const signed = testAppSigner.sign(BODY, REF);
    for (const { fields, message } of errors) {
      expect(message).toMatch(/GitHub stored the bot's comment with other text than was sent/);
      expect(fields).toEqual({
        commentId: 11,
        sentChars: signed.length,
        storedChars: signed.length,
        firstDifferenceAt: signed.indexOf("Applied.") + "Applied".length,
      });
    }
  });
});
