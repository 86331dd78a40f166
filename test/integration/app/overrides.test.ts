import { describe, expect, it } from "vitest";
import { SOURCE_ADD_EVENT_ID } from "../../../src/policy/index.js";
import { parseMarker } from "../../../src/render/marker.js";
import { putValueUpdate } from "../../../src/service/value-update-content.js";
import { appPerTest, kuboPairPerSuite, type TestApp } from "./harness.js";
import { configYaml, createProject, operatorView, proposeRename } from "./nomad-data.js";
import { commentCreated, issueOpened } from "./payloads.js";

const PERMISSIONS = {
  admin: { permission: "admin", role_name: "admin" },
  maintainer: { permission: "write", role_name: "write" },
};
const rejectNames = (overridable: boolean) =>
  [
    "rules:",
    "  - name: names-are-ours",
    "    match: { eventId: UpdateName* }",
    "    action: reject",
    ...(overridable ? ["    overridable: true"] : []),
  ].join("\n");
const states = (app: TestApp, issue: number) =>
  app.gh.botComments(issue).map((c) => parseMarker(c.body)?.state);

describe("the GitHub App: a person's approval against the rules", () => {
  const pair = kuboPairPerSuite();
  const apps = appPerTest();

  async function rejected(number: number, name: string, overridable: boolean) {
    const target = await createProject(pair.operator.store);
    const patch = await proposeRename(pair.contributor.store, target, name);
    const app = await apps.start(pair.operator.store, {
      config: `${configYaml(target.id)}\n${rejectNames(overridable)}`,
      permissions: PERMISSIONS,
    });
    const issue = { number, body: `Patch: ${patch.key}` };
    await app.deliver("issues", issueOpened(issue));
    await app.settle();
    expect(states(app, number)).toEqual(["ready", "rejected"]);
    return { app, issue, target, patch };
  }

  it("does not let a maintainer's /apply override a rule's rejection, and lets an admin's, saying so", async () => {
    const { app, issue, target } = await rejected(80, "Over Ruled", false);
    await app.deliver("issue_comment", commentCreated(issue, "/apply", "maintainer"));
    await app.settle();
    const refusal = app.gh.botComments(80).at(-1)?.body;
    expect(states(app, 80)).toEqual(["ready", "rejected", "denied"]);
    expect(refusal).toContain("only an admin can override a rule that does not say `overridable: true`");
    expect(refusal).toContain('rule "names-are-ours" says reject');
    expect((await operatorView(pair.operator.store, target.id)).eventIds).toEqual([]);

    await app.deliver("issue_comment", commentCreated(issue, "/apply", "admin"));
    await app.settle();
    expect(app.failures).toEqual([]);
    const outcome = app.gh.botComments(80).at(-1)?.body;
    expect(parseMarker(outcome)).toMatchObject({ state: "applied" });
    expect(outcome).toContain(
      "**Overrode:** the rejection by `names-are-ours`, as an admin may override any rule",
    );
    expect((await operatorView(pair.operator.store, target.id)).name).toBe("Over Ruled");
    expect(app.gh.labels.has("nomad-patch: rejected")).toBe(false);
  });

  it("lets a maintainer's /apply override a rule that says overridable, and says so", async () => {
    const { app, issue, target } = await rejected(81, "Overridable", true);
    await app.deliver("issue_comment", commentCreated(issue, "/apply", "maintainer"));
    await app.settle();
    expect(app.failures).toEqual([]);
    const outcome = app.gh.botComments(81).at(-1)?.body;
    expect(parseMarker(outcome)).toMatchObject({ state: "applied" });
    expect(outcome).toContain("the rejection by `names-are-ours`, which the repository made overridable");
    expect((await operatorView(pair.operator.store, target.id)).name).toBe("Overridable");
  });

  const readyReview = (app: TestApp, issue: number) =>
    app.gh.botComments(issue).filter((c) => parseMarker(c.body)?.state === "ready");

  it("says on the review, before anyone approves, that only an admin can override the rule refusing it", async () => {
    const { app } = await rejected(83, "Binding", false);
    // One review, rendered once the rules were read: the verdict reached it without a second comment.
    const reviews = readyReview(app, 83);
    expect(reviews).toHaveLength(1);
    const review = reviews[0]?.body ?? "";
    expect(review).toContain("a rule refuses this (`names-are-ours`); only an admin can override it");
    expect(review).toContain("**🚫 Refused by a rule.**");
    expect(review).not.toContain("Ready to apply");
    expect(review).not.toContain("a maintainer may override");
  });

  it("says on the review that a maintainer may override a rule that says overridable", async () => {
    const { app } = await rejected(84, "Soft", true);
    const review = readyReview(app, 84)[0]?.body ?? "";
    expect(review).toContain(
      "a rule refuses this (`names-are-ours`); a maintainer may override it with `/apply",
    );
    expect(review).not.toContain("only an admin");
  });

  it("never lets anyone, an admin included, apply what a built-in refusal refuses", async () => {
    const target = await createProject(pair.operator.store);
    const patch = await proposeRename(pair.contributor.store, target, "Pairing Me", async (store) => [
      {
        targetId: target.id,
        eventId: SOURCE_ADD_EVENT_ID,
        content: await putValueUpdate(store, { value: "k51-me" }),
      },
    ]);
    const app = await apps.start(pair.operator.store, {
      config: configYaml(target.id),
      permissions: PERMISSIONS,
    });
    const issue = { number: 82, body: `Patch: ${patch.key}` };
    await app.deliver("issues", issueOpened(issue));
    await app.deliver("issue_comment", commentCreated(issue, "/apply", "admin"));
    await app.settle();
    expect(app.failures).toEqual([]);
    expect(states(app, 82)).toEqual(["refused", "rejected", "failed"]);
    expect(app.gh.botComments(82).at(-1)?.body).toContain("Nothing applied");
    expect((await operatorView(pair.operator.store, target.id)).eventIds).toEqual([]);
  });
});
