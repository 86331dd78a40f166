import { describe, expect, it } from "vitest";
import { SOURCE_ADD_EVENT_ID } from "../../../src/policy/index.js";
import { parseMarker } from "../../../src/render/marker.js";
import { putValueUpdate } from "../../../src/service/value-update-content.js";
import { appPerTest, kuboPairPerSuite, type TestApp } from "./harness.js";
import { configYaml, createProject, operatorView, proposeRename } from "./nomad-data.js";
import { commentCreated, issueLabeled, issueOpened } from "./payloads.js";

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
/** What the bot wrote (comments, edits, labels), leaving out the reaction that acknowledges a command. */
const writes = (app: TestApp) =>
  app.gh.requests.filter((r) => r.method !== "GET" && !r.path.endsWith("/reactions")).length;
const withLabels = (app: TestApp, issue: { number: number; body: string }) => ({
  ...issue,
  labels: [...app.gh.labels],
});

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
    expect(outcome).toContain("**Approved by:** admin");
    expect((await operatorView(pair.operator.store, target.id)).name).toBe("Over Ruled");
    expect(app.gh.labels.has("nomad-patch: rejected")).toBe(false);

    // A refresh after it re-renders nothing and posts nothing: the override stands as said.
    const written = writes(app);
    await app.deliver("issue_comment", commentCreated(withLabels(app, issue), "/refresh", "maintainer"));
    await app.settle();
    expect(writes(app)).toBe(written);
    expect(states(app, 80)).toEqual(["ready", "rejected", "denied", "applied"]);
  });

  it("lets a maintainer's /apply override a rule that says overridable, and says so", async () => {
    const { app, issue, target } = await rejected(81, "Overridable", true);
    // Before anyone approves: a refresh under the same rules re-renders nothing and posts nothing.
    const written = writes(app);
    await app.deliver("issue_comment", commentCreated(withLabels(app, issue), "/refresh", "maintainer"));
    await app.settle();
    expect(writes(app)).toBe(written);

    await app.deliver("issue_comment", commentCreated(withLabels(app, issue), "/apply", "maintainer"));
    await app.settle();
    expect(app.failures).toEqual([]);
    const outcome = app.gh.botComments(81).at(-1)?.body;
    expect(parseMarker(outcome)).toMatchObject({ state: "applied" });
    expect(outcome).toContain("**Approved by:** maintainer");
    expect(outcome).toContain(
      "**Overrode:** the rejection by `names-are-ours`, which the repository made overridable",
    );
    expect((await operatorView(pair.operator.store, target.id)).name).toBe("Overridable");
    // The rule's label no longer says what happened; the rule still rejects, so its comment stays.
    expect([...app.gh.labels]).toEqual(["nomad-patch: applied"]);
    expect(states(app, 81)).toEqual(["ready", "rejected", "applied"]);

    // And after it: a refresh of the applied version re-renders nothing and posts nothing.
    const after = writes(app);
    await app.deliver("issue_comment", commentCreated(withLabels(app, issue), "/refresh", "stranger"));
    await app.settle();
    expect(writes(app)).toBe(after);
  });

  it("refuses a maintainer's approve label against a rule that is not overridable, takes it off, and says why", async () => {
    const APPROVE = "nomad-patch: approve";
    const hard = await rejected(85, "Labelled Hard", false);
    hard.app.gh.labels.add(APPROVE);
    await hard.app.deliver("issues", issueLabeled(withLabels(hard.app, hard.issue), APPROVE, "maintainer"));
    await hard.app.settle();
    expect(hard.app.failures).toEqual([]);
    expect(states(hard.app, 85)).toEqual(["ready", "rejected", "denied"]);
    expect(hard.app.gh.botComments(85).at(-1)?.body).toContain(
      "only an admin can override a rule that does not say `overridable: true`",
    );
    expect(hard.app.gh.labels.has(APPROVE)).toBe(false);
    expect((await operatorView(pair.operator.store, hard.target.id)).eventIds).toEqual([]);
  });

  it("applies on the approve label of a maintainer over a rule that says overridable, and says so", async () => {
    const APPROVE = "nomad-patch: approve";
    const soft = await rejected(86, "Labelled Soft", true);
    soft.app.gh.labels.add(APPROVE);
    await soft.app.deliver("issues", issueLabeled(withLabels(soft.app, soft.issue), APPROVE, "maintainer"));
    await soft.app.settle();
    expect(soft.app.failures).toEqual([]);
    const outcome = soft.app.gh.botComments(86).at(-1)?.body;
    expect(parseMarker(outcome)).toMatchObject({ state: "applied" });
    expect(outcome).toContain(
      "**Overrode:** the rejection by `names-are-ours`, which the repository made overridable",
    );
    expect([...soft.app.gh.labels]).toEqual(["nomad-patch: applied"]);
    expect((await operatorView(pair.operator.store, soft.target.id)).name).toBe("Labelled Soft");
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
