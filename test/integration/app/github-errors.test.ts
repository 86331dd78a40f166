import { describe, expect, it } from "vitest";
import { parseMarker } from "../../../src/render/marker.js";
import type { FakeComment } from "./github-fake.js";
import { appPerTest, kuboPairPerSuite } from "./harness.js";
import { configYaml, createProject, operatorView, proposeRename } from "./nomad-data.js";
import { commentCreated, issueOpened, REPO } from "./payloads.js";

const WRITER = { permission: "write", role_name: "write" };
const RATE_LIMITED = { status: 403, headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": "0" } };

/**
 * GitHub failing while the bot writes (Probot's retries are off in tests, so every error reaches the
 * app): the issue ends with a true status once GitHub answers again, or the log says what happened when
 * nothing can be posted; the operator's stream has the entries exactly once or not at all.
 */
describe("the GitHub App when GitHub fails or rate-limits its writes", () => {
  const pair = kuboPairPerSuite();
  const apps = appPerTest();

  /** A patch reviewed on a new issue, ready to approve; nothing applied yet. */
  async function reviewedIssue(number: number, name: string) {
    const target = await createProject(pair.operator.store);
    const patch = await proposeRename(pair.contributor.store, target, name);
    const app = await apps.start(pair.operator.store, {
      config: configYaml(target.id),
      permissions: { maintainer: WRITER },
    });
    const issue = { number, body: `Patch: ${patch.key}` };
    await app.deliver("issues", issueOpened(issue));
    await app.settle();
    expect(parseMarker(app.gh.botComments(number)[0]?.body)).toMatchObject({ state: "ready" });
    return { app, issue, target, patch, cid: patch.cid.toString() };
  }

  const renames = async (target: string) =>
    (await operatorView(pair.operator.store, target)).eventIds.filter((id) => id === "UpdateNameAsync");
  const statusOf = (comment: FakeComment | undefined) => {
    const marker = parseMarker(comment?.body);
    return marker?.kind === "status" ? marker.state : marker?.kind;
  };

  it("a 502 on the outcome comment: the issue says the patch was applied, and approving again reports it once", async () => {
    const { app, issue, target, patch, cid } = await reviewedIssue(60, "Through A 502");
    app.gh.fail("POST", "/issues/60/comments", { status: 502 });
    await app.deliver("issue_comment", commentCreated(issue, "/apply", "maintainer"), "apply-60");
    await app.settle();
    expect(app.failures).toEqual([]);

    const view = await operatorView(pair.operator.store, target.id);
    expect(await renames(target.id)).toHaveLength(1);
    const status = app.gh.botComments(60).at(-1);
    expect(parseMarker(status?.body)).toEqual({ kind: "status", v: 1, state: "failed", key: patch.key, cid });
    expect(status?.body).toContain("GitHub answered 502 to the bot. `GITHUB`");
    expect(status?.body).toContain(
      `**was applied**: the target's roaming value is now \`${view.published}\``,
    );
    expect(status?.body).toContain("comment `/apply` to report it again");
    expect(status?.body).not.toContain("Nothing was applied");
    expect(app.gh.sent("POST", "/issues/60/labels")).toEqual([]);
    expect(app.logs).toContainEqual(
      expect.objectContaining({
        level: "error",
        msg: "patch applied, but reporting it on the issue failed",
        delivery: "apply-60",
        repository: `${REPO.owner}/${REPO.repo}`,
        issue: 60,
        key: patch.key,
        cid,
        roaming: view.published,
        code: "GITHUB",
      }),
    );

    // GitHub answers again: a second approval writes nothing twice and posts the outcome.
    await app.deliver("issue_comment", commentCreated(issue, "/apply", "maintainer"));
    await app.settle();
    expect(await renames(target.id)).toHaveLength(1);
    const outcomes = app.gh.botComments(60).filter((c) => /applied/.test(String(statusOf(c))));
    expect(outcomes.map((c) => parseMarker(c.body))).toEqual([
      { kind: "status", v: 1, state: "already-applied", key: patch.key, cid },
    ]);
    expect(outcomes[0]?.body).toContain(`New roaming value:** \`${view.published}\``);
    expect(app.gh.sent("POST", "/issues/60/labels").map((r) => r.body)).toEqual([
      { labels: ["nomad-patch: applied"] },
    ]);
  });

  it("a 503 on the labels after the outcome: the outcome is not posted twice when approving again", async () => {
    const { app, issue, target, cid } = await reviewedIssue(61, "Labels Later");
    app.gh.fail("POST", "/issues/61/labels", { status: 503 });
    await app.deliver("issue_comment", commentCreated(issue, "/apply", "maintainer"));
    await app.settle();
    expect(await renames(target.id)).toHaveLength(1);
    expect(app.gh.botComments(61).map(statusOf)).toEqual(["review", "applied", "failed"]);
    const status = app.gh.botComments(61).at(-1)?.body;
    expect(status).toContain("GitHub answered 503 to the bot.");
    expect(status).toContain("**was applied**");

    await app.deliver("issue_comment", commentCreated(issue, "/apply", "maintainer"));
    await app.settle();
    expect(await renames(target.id)).toHaveLength(1);
    expect(app.gh.botComments(61).map(statusOf)).toEqual(["review", "applied", "failed"]);
    expect(parseMarker(app.gh.botComments(61)[1]?.body)).toMatchObject({ cid });
    expect(app.gh.labels.has("nomad-patch: applied")).toBe(true);
  });

  it("a 429 with retry-after on the first comment: nothing is touched, the issue says why, /refresh reviews", async () => {
    const target = await createProject(pair.operator.store);
    const patch = await proposeRename(pair.contributor.store, target, "After The Limit");
    const app = await apps.start(pair.operator.store, { config: configYaml(target.id) });
    app.gh.fail("POST", "/issues/62/comments", { status: 429, headers: { "retry-after": "30" } });
    const issue = { number: 62, body: `Patch: ${patch.key}` };
    await app.deliver("issues", issueOpened(issue), "opened-62");
    await app.settle();
    expect(app.failures).toEqual([]);

    const [status] = app.gh.botComments(62);
    expect(app.gh.botComments(62)).toHaveLength(1);
    // The first comment was the review itself (nothing is posted before the review is known).
    expect(parseMarker(status?.body)).toEqual({
      kind: "status",
      v: 1,
      state: "failed",
      key: patch.key,
      cid: patch.cid.toString(),
    });
    expect(status?.body).toContain("GitHub's rate limit stopped the bot. `RATE_LIMITED`");
    expect(status?.body).toContain("Nothing was applied. Comment `/refresh` to try again.");
    expect(app.logs).toContainEqual(
      expect.objectContaining({
        level: "error",
        msg: "job failed",
        delivery: "opened-62",
        issue: 62,
        key: patch.key,
        code: "RATE_LIMITED",
      }),
    );
    expect((await operatorView(pair.operator.store, target.id)).eventIds).toEqual([]);

    await app.deliver("issue_comment", commentCreated(issue, "/refresh", "someone"));
    await app.settle();
    const review = app.gh.botComments(62).find((c) => parseMarker(c.body)?.kind === "review");
    expect(parseMarker(review?.body)).toMatchObject({
      key: patch.key,
      cid: patch.cid.toString(),
      state: "ready",
    });
    expect((await operatorView(pair.operator.store, target.id)).eventIds).toEqual([]);
  });

  it("installed without a permission it needs (contents: read): the issue and the log name it and what to do, nothing else is done", async () => {
    const target = await createProject(pair.operator.store);
    const patch = await proposeRename(pair.contributor.store, target, "Without Contents");
    const app = await apps.start(pair.operator.store, { config: configYaml(target.id) });
    // GitHub's answer to an installation token that lacks the permission (a hand-registered app that
    // left `contents: read` out of app.yml's list, or new permissions not yet accepted).
    const notCovered = {
      status: 403,
      message: "Resource not accessible by integration",
      headers: { "x-accepted-github-permissions": "contents=read" },
    };
    app.gh.fail("GET", "/contents/.github%2Fnomad-patch.yml", notCovered);
    const issue = { number: 64, body: `Patch: ${patch.key}` };
    await app.deliver("issues", issueOpened(issue), "opened-64");
    await app.settle();
    expect(app.failures).toEqual([]);
    expect(app.gh.unusedFaults()).toEqual([]);

    const [status] = app.gh.botComments(64);
    expect(app.gh.botComments(64)).toHaveLength(1);
    expect(statusOf(status)).toBe("failed");
    expect(status?.body).toContain(
      "GitHub refused the bot a call that the app's permissions do not cover (it needs contents=read). `GITHUB_PERMISSION`",
    );
    expect(status?.body).toContain(
      "The app's owner grants the permissions app.yml lists (issues: write, contents: read, metadata: read) on the app's settings page (Permissions and events), and the installation's owner accepts them.",
    );
    expect(app.logs).toContainEqual(
      expect.objectContaining({
        level: "error",
        msg: "job failed",
        delivery: "opened-64",
        code: "GITHUB_PERMISSION",
      }),
    );
    // Nothing was read or written beyond the refused call and the one status.
    expect(app.gh.requests.filter((r) => r.method !== "GET").map((r) => r.path)).toEqual([
      `/repos/${REPO.owner}/${REPO.repo}/issues/64/comments`,
    ]);
    expect((await operatorView(pair.operator.store, target.id)).eventIds).toEqual([]);
  });

  it("rate-limited on every comment after an apply: the log names delivery, repository, issue, key and CID", async () => {
    const { app, issue, target, patch, cid } = await reviewedIssue(63, "Unreported");
    // The outcome comment and the failure status that follows it are both refused.
    app.gh.fail("POST", "/issues/63/comments", { ...RATE_LIMITED, times: 2 });
    await app.deliver("issue_comment", commentCreated(issue, "/apply", "maintainer"), "apply-63");
    await app.settle();
    expect(app.failures).toEqual([]);

    expect(await renames(target.id)).toHaveLength(1);
    expect(app.gh.botComments(63).map(statusOf)).toEqual(["review"]);
    const where = {
      delivery: "apply-63",
      repository: `${REPO.owner}/${REPO.repo}`,
      issue: 63,
      key: patch.key,
      cid,
    };
    expect(app.logs).toContainEqual(
      expect.objectContaining({
        ...where,
        level: "error",
        msg: "could not post the failure status on the issue either",
        code: "RATE_LIMITED",
      }),
    );

    // Once GitHub answers again, approving again reports the apply without writing it twice.
    await app.deliver("issue_comment", commentCreated(issue, "/apply", "maintainer"));
    await app.settle();
    expect(await renames(target.id)).toHaveLength(1);
    expect(app.gh.botComments(63).map(statusOf)).toEqual(["review", "already-applied"]);
    expect(app.gh.labels.has("nomad-patch: applied")).toBe(true);
  });
});
