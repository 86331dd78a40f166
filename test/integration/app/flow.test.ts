import { describe, expect, it } from "vitest";
import { parseMarker, type ReviewMarker, writeMarker } from "../../../src/render/marker.js";
import { updatePatchRequest } from "../../../src/service/propose-update.js";
import { appPerTest, kuboPairPerSuite } from "./harness.js";
import { configYaml, createProject, operatorView, proposeRename } from "./nomad-data.js";
import { commentCreated, issueLabeled, issueOpened } from "./payloads.js";

const WRITER = { permission: "write", role_name: "write" };
const APPROVE = "nomad-patch: approve";

describe("the GitHub App: a posted key, its review, an approval, the apply", () => {
  const pair = kuboPairPerSuite();
  const apps = appPerTest();

  async function reviewed(issue: { number: number; body: string }, target: { id: string }) {
    const app =
      apps.current ??
      (await apps.start(pair.operator.store, {
        config: configYaml(target.id),
        permissions: { maintainer: WRITER, other: WRITER },
      }));
    await app.deliver("issues", issueOpened(issue));
    await app.settle();
    const review = app.gh.botComments(issue.number).find((c) => parseMarker(c.body)?.kind === "review");
    return { app, review, marker: parseMarker(review?.body) };
  }

  it("renders the diff, and /apply by a writer puts the entries in the operator's stream", async () => {
    const target = await createProject(pair.operator.store);
    const patch = await proposeRename(pair.contributor.store, target, "Better Name");
    const issue = { number: 1, body: `Please take my change.\n\nPatch: ${patch.key}` };
    const { app, review, marker } = await reviewed(issue, target);

    expect(app.failures).toEqual([]);
    expect(app.gh.sent("POST", "/issues/1/reactions").map((r) => r.body)).toEqual([{ content: "eyes" }]);
    // One write for the review: nothing is posted before it is known.
    const posted = app.gh.sent("POST", "/issues/1/comments");
    expect(posted).toHaveLength(1);
    expect(posted[0]?.body).toMatchObject({ body: review?.body });
    expect(app.gh.sent("PATCH", `/issues/comments/${review?.id}`)).toHaveLength(0);
    expect(marker).toMatchObject({
      kind: "review",
      key: patch.key,
      cid: patch.cid.toString(),
      state: "ready",
    });
    expect(review?.body).toContain("Better Name");
    expect(review?.body).toContain("```diff");

    // A marker forged in someone else's comment is never what an approval binds to.
    const forged = writeMarker({
      ...(marker as ReviewMarker),
      cid: "bafyreiforgedforgedforgedforgedforgedforgedforgedforged",
    });
    app.gh.humanComment(1, "mallory", `${forged}\nlooks good`);

    const command = commentCreated(issue, "LGTM\n/apply", "maintainer", { id: 42 });
    await app.deliver("issue_comment", command);
    await app.settle();
    expect(app.failures).toEqual([]);

    const view = await operatorView(pair.operator.store, target.id);
    expect(view.name).toBe("Better Name");
    expect(view.eventIds.filter((id) => id === "UpdateNameAsync")).toHaveLength(1);

    const outcome = app.gh.botComments(1).at(-1);
    expect(parseMarker(outcome?.body)).toEqual({
      kind: "status",
      v: 1,
      state: "applied",
      key: patch.key,
      cid: patch.cid.toString(),
    });
    expect(outcome?.body).toContain(`New roaming value:** \`${view.published}\``);
    // Named as people know it (the name the target has now), the key beside it in the identifiers.
    expect(outcome?.body).toContain("is now part of **Better Name**.");
    expect(outcome?.body).toContain(`- **Target:** \`${target.id}\``);
    expect(outcome?.body).toContain("**Approved by:** maintainer");
    expect(app.gh.sent("POST", "/issues/comments/42/reactions").map((r) => r.body)).toEqual([
      { content: "eyes" },
    ]);
    expect(app.gh.sent("POST", "/issues/1/labels").map((r) => r.body)).toEqual([
      { labels: ["nomad-patch: applied"] },
    ]);
    expect(app.gh.sent("GET", "/collaborators/maintainer/permission")).toHaveLength(1);
    expect(app.gh.closed).toBe(false);
  });

  it("applies once when a delivery comes twice and two people approve at once", async () => {
    const target = await createProject(pair.operator.store);
    const patch = await proposeRename(pair.contributor.store, target, "Once Only");
    const first = { number: 2, body: `Patch: ${patch.key}` };
    const second = { number: 3, body: `Same patch here: Patch: ${patch.key}` };
    const { app } = await reviewed(first, target);
    await app.deliver("issues", issueOpened(second));
    await app.settle();
    expect(app.gh.botComments(3).map((c) => parseMarker(c.body)?.kind)).toEqual(["review"]);

    const command = commentCreated(first, "/apply", "maintainer");
    await Promise.all([
      app.deliver("issue_comment", command, "same-delivery"),
      app.deliver("issue_comment", command, "same-delivery"),
      app.deliver("issues", issueLabeled({ ...second, labels: [APPROVE] }, APPROVE, "other")),
    ]);
    await app.settle();
    expect(app.failures).toEqual([]);

    const view = await operatorView(pair.operator.store, target.id);
    expect(view.eventIds.filter((id) => id === "UpdateNameAsync")).toHaveLength(1);
    expect(view.name).toBe("Once Only");
    const outcomes = [2, 3].map((n) => parseMarker(app.gh.botComments(n).at(-1)?.body));
    expect(outcomes.map((m) => m?.kind === "status" && m.state).sort()).toEqual([
      "already-applied",
      "applied",
    ]);
    // The redelivered /apply was not handled again: one permission check per approval.
    expect(app.gh.sent("GET", "/collaborators/maintainer/permission")).toHaveLength(1);
    expect(app.gh.sent("GET", "/collaborators/other/permission")).toHaveLength(1);
  });

  it("voids an approval when the key was re-pointed after the review, and posts the new version's review", async () => {
    const target = await createProject(pair.operator.store);
    const patch = await proposeRename(pair.contributor.store, target, "First Idea");
    const issue = { number: 4, body: `Patch: ${patch.key}` };
    const { app, review, marker } = await reviewed(issue, target);
    expect(marker).toMatchObject({ cid: patch.cid.toString() });

    const moved = await updatePatchRequest(
      { store: pair.contributor.store },
      { key: patch.key, title: "Second idea", publish: { allowOffline: true } },
    );
    await app.deliver("issue_comment", commentCreated(issue, "/apply", "maintainer"));
    await app.settle();
    expect(app.failures).toEqual([]);

    expect((await operatorView(pair.operator.store, target.id)).name).not.toBe("First Idea");
    const statuses = app.gh.botComments(4).map((c) => parseMarker(c.body));
    expect(statuses.filter((m) => m?.kind === "status").map((m) => m?.state)).toEqual(["voided"]);
    // The voided approval says what changed since the approved version: the title only.
    const voided = app.gh.botComments(4).find((c) => parseMarker(c.body)?.state === "voided");
    expect(voided?.body).toContain("**Changed from r1 to r2:** title changed (entries unchanged)");
    // The old review is marked superseded; the new version has a review of its own, saying what changed.
    const old = app.gh.comments.find((c) => c.id === review?.id);
    expect(parseMarker(old?.body)).toMatchObject({
      kind: "review",
      cid: patch.cid.toString(),
      state: "superseded",
    });
    const current = app.gh.botComments(4).at(-1);
    expect(parseMarker(current?.body)).toMatchObject({
      kind: "review",
      cid: moved.cid.toString(),
      state: "ready",
      author: "contributor",
    });
    expect(current?.body).toContain("Second idea");
    expect(current?.body).toContain(`patch CID \`${patch.cid}\` → \`${moved.cid}\``);
    expect(app.gh.sent("DELETE", /\/labels\//).map((r) => decodeURIComponent(r.path))).toEqual([
      `/repos/Codertocat/Hello-World/issues/4/labels/${APPROVE}`,
    ]);

    // A fresh approval applies the version now shown.
    await app.deliver("issue_comment", commentCreated(issue, "/approve", "maintainer"));
    await app.settle();
    const outcome = parseMarker(app.gh.botComments(4).at(-1)?.body);
    expect(outcome).toMatchObject({ state: "applied", cid: moved.cid.toString() });
    expect((await operatorView(pair.operator.store, target.id)).name).toBe("First Idea");
  });

  it("ignores other bots, and stays quiet about an incidental key that is no patch request", async () => {
    const target = await createProject(pair.operator.store);
    const issue = { number: 5, body: `Our project lives at /ipns/${target.id} by the way.` };
    const { app, review } = await reviewed(issue, target);
    expect(review).toBeUndefined();
    expect(app.gh.comments).toEqual([]);
    await app.deliver("issue_comment", commentCreated(issue, "/apply", "dependabot[bot]", { type: "Bot" }));
    await app.settle();
    expect(app.gh.requests.filter((r) => r.method !== "GET")).toEqual([]);
    expect(app.failures).toEqual([]);
  });
});
