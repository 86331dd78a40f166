import { describe, expect, it } from "vitest";
import { SOURCE_ADD_EVENT_ID } from "../../../src/policy/index.js";
import { parseMarker } from "../../../src/render/marker.js";
import { putValueUpdate } from "../../../src/service/value-update-content.js";
import { appPerTest, kuboPairPerSuite } from "./harness.js";
import { configYaml, createProject, operatorView, proposeRename } from "./nomad-data.js";
import { commentCreated, issueOpened, REPO } from "./payloads.js";

const rules = (action: string, match: string, reason = "") =>
  ["rules:", `  - match: ${match}`, `    action: ${action}`, reason ? `    reason: ${reason}` : ""].join(
    "\n",
  );

describe("the GitHub App: rulesets and configuration", () => {
  const pair = kuboPairPerSuite();
  const apps = appPerTest();

  it("auto-applies a patch every entry of which an apply rule matches, bound to the reviewed CIDs", async () => {
    const target = await createProject(pair.operator.store);
    const patch = await proposeRename(pair.contributor.store, target, "Ruled In");
    const config = `${configYaml(target.id)}\ncloseIssueOnApply: true\n${rules("apply", "{ eventId: UpdateNameAsync }")}`;
    const app = await apps.start(pair.operator.store, { config });
    await app.deliver("issues", issueOpened({ number: 20, body: `Patch: ${patch.key}` }));
    await app.settle();
    expect(app.failures).toEqual([]);

    const view = await operatorView(pair.operator.store, target.id);
    expect(view.name).toBe("Ruled In");
    const [review, outcome] = app.gh.botComments(20);
    const reviewed = parseMarker(review?.body);
    expect(reviewed).toMatchObject({ kind: "review", cid: patch.cid.toString() });
    expect(parseMarker(outcome?.body)).toMatchObject({ state: "applied", cid: patch.cid.toString() });
    expect(outcome?.body).toContain("**Approved by:** the repository's rules");
    expect(outcome?.body).toContain(
      `New roaming value:** \`${reviewed?.kind === "review" && reviewed.result}\``,
    );
    expect(app.gh.sent("POST", "/issues/20/labels").map((r) => r.body)).toEqual([
      { labels: ["nomad-patch: applied"] },
    ]);
    expect(app.gh.sent("PATCH", "/issues/20").map((r) => r.body)).toEqual([
      { state: "closed", state_reason: "completed" },
    ]);
  });

  it("auto-rejects a patch a reject rule matches", async () => {
    const target = await createProject(pair.operator.store);
    const patch = await proposeRename(pair.contributor.store, target, "Ruled Out");
    const config = `${configYaml(target.id)}\n${rules("reject", "{ eventId: UpdateName* }", "names are the owner's call")}`;
    const app = await apps.start(pair.operator.store, { config });
    await app.deliver("issues", issueOpened({ number: 21, body: `Patch: ${patch.key}` }));
    await app.settle();

    const rejection = app.gh.botComments(21).at(-1);
    expect(parseMarker(rejection?.body)).toMatchObject({ kind: "status", state: "rejected", key: patch.key });
    expect(rejection?.body).toContain(`**Rejected** by **the repository's rules**: patch \`${patch.key}\``);
    expect(rejection?.body).toContain("names are the owner's call");
    expect(app.gh.sent("POST", "/issues/21/labels").map((r) => r.body)).toEqual([
      { labels: ["nomad-patch: rejected"] },
    ]);
    expect((await operatorView(pair.operator.store, target.id)).eventIds).toEqual([]);

    // Seen again (an edit, a refresh), the decision is not repeated.
    await app.deliver(
      "issue_comment",
      commentCreated({ number: 21, body: `Patch: ${patch.key}` }, "/refresh", "someone"),
    );
    await app.settle();
    expect(app.gh.botComments(21).filter((c) => parseMarker(c.body)?.state === "rejected")).toHaveLength(1);
  });

  it("refuses a source-add entry even when a rule says apply to everything", async () => {
    const target = await createProject(pair.operator.store);
    const patch = await proposeRename(pair.contributor.store, target, "Trojan", async (store) => [
      {
        targetId: target.id,
        eventId: SOURCE_ADD_EVENT_ID,
        content: await putValueUpdate(store, { value: "k51-me" }),
      },
    ]);
    const config = `${configYaml(target.id)}\n${rules("apply", "{}")}`;
    const permissions = { maintainer: { permission: "write", role_name: "write" } };
    const app = await apps.start(pair.operator.store, { config, permissions });
    await app.deliver("issues", issueOpened({ number: 22, body: `Patch: ${patch.key}` }));
    await app.settle();
    expect(app.failures).toEqual([]);

    const [review, rejection] = app.gh.botComments(22);
    expect(parseMarker(review?.body)).toMatchObject({ kind: "review", state: "refused" });
    expect(parseMarker(rejection?.body)).toMatchObject({ kind: "status", state: "rejected" });
    expect(rejection?.body).toContain("adding or removing a source is pairing");
    // The follow-up agrees with the review: no rule refused it, nomad-patch itself did.
    expect(rejection?.body).toContain("**Refused by nomad-patch (built-in)**");
    expect(rejection?.body).toContain("see the review");
    expect(rejection?.body).not.toContain("the repository's rules");
    // A refused review predicts nothing: there is nothing to approve.
    expect(review?.body).not.toContain("Predicted result");
    // A later approval is told why nothing can be applied, not that there is no review.
    await app.deliver("issue_comment", commentCreated({ number: 22, body: "" }, "/apply", "maintainer"));
    await app.settle();
    const answer = app.gh.botComments(22).at(-1)?.body ?? "";
    expect(answer).not.toContain("there is no reviewed patch on this issue");
    expect(answer).toContain("refused by nomad-patch (built-in)");
    const view = await operatorView(pair.operator.store, target.id);
    expect(view.eventIds).toEqual([]);
    expect(view.name).not.toBe("Trojan");
  });

  it("installed on a repository without .github/nomad-patch.yml: one comment says the file is missing and what to commit, nothing else is done", async () => {
    const target = await createProject(pair.operator.store);
    const patch = await proposeRename(pair.contributor.store, target, "Too Early");
    const app = await apps.start(pair.operator.store, {});
    const issue = { number: 24, body: `Patch: ${patch.key}` };
    await app.deliver("issues", issueOpened(issue));
    await app.settle();

    const comments = app.gh.botComments(24);
    expect(comments).toHaveLength(1);
    expect(parseMarker(comments[0]?.body)).toMatchObject({ kind: "status", state: "config-error" });
    const body = comments[0]?.body ?? "";
    expect(body).toContain("### ⚙️ `.github/nomad-patch.yml` is missing");
    expect(body).not.toContain("is not valid");
    // What to commit: the one required key, with the target's roaming key.
    expect(body).toContain("```yaml\ntargets:\n  - id: k51…");
    expect(app.logs).toContainEqual(
      expect.objectContaining({
        level: "warn",
        msg: "the repository's configuration cannot be used: nothing else is done",
        missing: true,
      }),
    );
    // A 😕 on the text that offered the key, and the comment: nothing else is written.
    expect(app.gh.requests.filter((r) => r.method !== "GET").map((r) => r.path)).toEqual([
      `/repos/${REPO.owner}/${REPO.repo}/issues/24/reactions`,
      `/repos/${REPO.owner}/${REPO.repo}/issues/24/comments`,
    ]);
    expect((await operatorView(pair.operator.store, target.id)).eventIds).toEqual([]);
  });

  it("answers an invalid configuration with one comment naming the line, updated rather than repeated", async () => {
    const target = await createProject(pair.operator.store);
    const patch = await proposeRename(pair.contributor.store, target, "Whatever");
    const config = `${configYaml(target.id)}\npermissions:\n  approve: everyone\n`;
    const app = await apps.start(pair.operator.store, { config });
    const issue = { number: 23, body: `Patch: ${patch.key}` };
    await app.deliver("issues", issueOpened(issue));
    await app.deliver("issue_comment", commentCreated(issue, "/refresh", "someone"));
    await app.settle();

    const comments = app.gh.botComments(23);
    expect(comments).toHaveLength(1);
    expect(parseMarker(comments[0]?.body)).toMatchObject({ kind: "status", state: "config-error" });
    expect(comments[0]?.body).toContain("`permissions.approve` (line 6");
    expect(app.gh.sent("PATCH", `/issues/comments/${comments[0]?.id}`)).toHaveLength(1);
    expect((await operatorView(pair.operator.store, target.id)).eventIds).toEqual([]);
  });
});
