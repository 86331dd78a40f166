import nock from "nock";
import { beforeAll, describe, expect, it } from "vitest";
import { parseMarker } from "../../../src/render/marker.js";
import { API } from "./github-fake.js";
import { appPerTest, BOT, kuboPairPerSuite } from "./harness.js";
import { configYaml, createProject, operatorView, proposeRename } from "./nomad-data.js";
import { commentCreated, issueLabeled, issueOpened, REPO } from "./payloads.js";

const APPROVE = "nomad-patch: approve";
const permissionPath = (user: string) => `/repos/${REPO.owner}/${REPO.repo}/collaborators/${user}/permission`;

describe("the GitHub App refuses approvals from people who may not approve", () => {
  const pair = kuboPairPerSuite();
  const apps = appPerTest();
  let target: Awaited<ReturnType<typeof createProject>>;
  let key: string;
  beforeAll(async () => {
    target = await createProject(pair.operator.store);
    key = (await proposeRename(pair.contributor.store, target, "Not Allowed")).key;
  });

  /** A reviewed patch on a new issue; the one-shot permission answers are the test's own. */
  async function reviewedIssue(number: number) {
    const app = await apps.start(pair.operator.store, { config: configYaml(target.id) });
    const issue = { number, body: `Patch: ${key}` };
    await app.deliver("issues", issueOpened(issue));
    await app.settle();
    expect(parseMarker(app.gh.botComments(number)[0]?.body)).toMatchObject({
      kind: "review",
      state: "ready",
    });
    return { app, issue };
  }

  async function expectNothingApplied() {
    const view = await operatorView(pair.operator.store, target.id);
    expect(view.eventIds).not.toContain("UpdateNameAsync");
    expect(view.name).not.toBe("Not Allowed");
  }

  it("refuses a triage user's approve label, takes the label off, and says that write is needed", async () => {
    const { app, issue } = await reviewedIssue(10);
    nock(API)
      .get(permissionPath("triager"))
      .reply(200, { permission: "read", role_name: "triage", user: {} });
    app.gh.labels.add(APPROVE);
    await app.deliver("issues", issueLabeled({ ...issue, labels: [APPROVE] }, APPROVE, "triager"));
    await app.settle();
    expect(app.failures).toEqual([]);

    const denial = app.gh.botComments(10).at(-1);
    expect(parseMarker(denial?.body)).toMatchObject({ kind: "status", state: "denied" });
    expect(denial?.body).toContain(
      "The approval label from **triager** was not accepted: approving needs `write` access",
    );
    expect(denial?.body).toContain("they have `triage`");
    expect(app.gh.labels.has(APPROVE)).toBe(false);
    expect(app.gh.sent("DELETE", /\/labels\//)).toHaveLength(1);
    await expectNothingApplied();
  });

  it("refuses /apply from a read user, with a reaction and an explanation", async () => {
    const { app, issue } = await reviewedIssue(11);
    nock(API).get(permissionPath("reader")).reply(200, { permission: "read", role_name: "read", user: {} });
    await app.deliver("issue_comment", commentCreated(issue, "/apply", "reader", { id: 77 }));
    await app.settle();

    expect(app.gh.sent("POST", "/issues/comments/77/reactions").map((r) => r.body)).toEqual([
      { content: "eyes" },
    ]);
    const denial = app.gh.botComments(11).at(-1);
    expect(parseMarker(denial?.body)).toMatchObject({ state: "denied" });
    expect(denial?.body).toContain(
      "The approval command from **reader** was not accepted: approving needs `write` access to this repository, and they have `read`",
    );
    expect(app.gh.sent("POST", "/issues/11/labels")).toEqual([]);
    await expectNothingApplied();
  });

  it("refuses when the permission API fails (fail closed)", async () => {
    const { app, issue } = await reviewedIssue(12);
    nock(API).get(permissionPath("maintainer")).reply(502, { message: "Bad Gateway" });
    await app.deliver("issue_comment", commentCreated(issue, "/apply", "maintainer"));
    await app.settle();

    const denial = app.gh.botComments(12).at(-1);
    expect(parseMarker(denial?.body)).toMatchObject({ state: "denied" });
    expect(denial?.body).toContain("needs `write` access");
    expect(denial?.body).toContain("their permission could not be checked, so the bot refuses");
    await expectNothingApplied();
  });

  it("takes off an approve label another app's bot added, applies nothing and answers nothing", async () => {
    const { app, issue } = await reviewedIssue(13);
    const commentsBefore = app.gh.botComments(13).length;
    app.gh.labels.add(APPROVE);
    // A labelling workflow reacting to the stranger's issue text: GitHub sends it as a bot.
    const byWorkflow = issueLabeled({ ...issue, labels: [APPROVE] }, APPROVE, "github-actions[bot]");
    byWorkflow.sender = { ...byWorkflow.sender, type: "Bot" };
    await app.deliver("issues", byWorkflow);
    await app.settle();
    expect(app.failures).toEqual([]);

    expect(app.gh.labels.has(APPROVE)).toBe(false);
    expect(app.gh.sent("DELETE", /\/labels\//)).toHaveLength(1);
    // No permission asked of GitHub for a bot, and no comment to answer it.
    expect(app.gh.requests.filter((r) => r.path.includes("/permission"))).toEqual([]);
    expect(app.gh.botComments(13)).toHaveLength(commentsBefore);
    await expectNothingApplied();

    // The app's own label coming back as an event writes nothing.
    const own = issueLabeled({ ...issue, labels: [] }, "nomad-patch: held", BOT);
    own.sender = { ...own.sender, type: "Bot" };
    const writesBefore = app.gh.requests.filter((r) => r.method !== "GET").length;
    await app.deliver("issues", own);
    await app.settle();
    expect(app.gh.requests.filter((r) => r.method !== "GET")).toHaveLength(writesBefore);
    expect(app.failures).toEqual([]);
  });
});
