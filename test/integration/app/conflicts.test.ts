import { describe, expect, it } from "vitest";
import { parseMarker } from "../../../src/render/marker.js";
import { appendEntries } from "../../../src/service/append-entries.js";
import { putValueUpdate } from "../../../src/service/value-update-content.js";
import { appPerTest, kuboPairPerSuite, type TestApp } from "./harness.js";
import { configYaml, createProject, operatorView, proposeRename } from "./nomad-data.js";
import { commentCreated, issueOpened } from "./payloads.js";

const PERMISSIONS = {
  admin: { permission: "admin", role_name: "admin" },
  maintainer: { permission: "write", role_name: "write" },
};
const APPLY_NAMES = ["rules:", "  - match: { eventId: UpdateNameAsync }", "    action: apply"].join("\n");
const states = (app: TestApp, issue: number) =>
  app.gh.botComments(issue).map((c) => parseMarker(c.body)?.state);

describe("the GitHub App: a patch that would remove changes made after it was written", () => {
  const pair = kuboPairPerSuite();
  const apps = appPerTest();

  it("is headlined, never applied by a rule, refused to a maintainer and applied by an admin", async () => {
    const target = await createProject(pair.operator.store);
    const patch = await proposeRename(pair.contributor.store, target, "Contributor's Name");
    // After the patch's base, the operator renames the project on their own device.
    const content = await putValueUpdate(pair.operator.store, { value: "Operator's Name" });
    await appendEntries(
      { store: pair.operator.store },
      {
        target: target.id,
        entries: [{ targetId: target.id, eventId: "UpdateNameAsync", content }],
        publish: { allowOffline: true },
      },
    );
    const app = await apps.start(pair.operator.store, {
      config: `${configYaml(target.id)}\n${APPLY_NAMES}`,
      permissions: PERMISSIONS,
    });
    const issue = { number: 90, body: `Patch: ${patch.key}` };
    await app.deliver("issues", issueOpened(issue));
    await app.settle();
    expect(app.failures).toEqual([]);

    const [review, hold] = app.gh.botComments(90);
    expect(parseMarker(review?.body)).toMatchObject({ kind: "review", state: "needs-review" });
    expect(review?.body.split("\n\n")[1]).toMatch(/^> \[!CAUTION\]/);
    expect(review?.body).toContain(
      "Name changed after this patch was written: approving removes those changes",
    );
    // The approve line says who may approve it as it is.
    expect(review?.body).toMatch(
      /\*\*To approve\*\* this version, an admin must comment `\/apply [a-z0-9]+`/,
    );
    expect(parseMarker(hold?.body)).toMatchObject({
      kind: "status",
      state: "denied",
      cid: patch.cid.toString(),
    });
    expect(hold?.body).toContain("**Not applied by the rules**");
    expect(hold?.body).toContain('"Name" changed after it was written');
    expect(hold?.body).toContain(`\`nomad-patch rebase ${patch.key}\``);
    expect(await operatorView(pair.operator.store, target.id)).toMatchObject({ name: "Operator's Name" });

    await app.deliver("issue_comment", commentCreated(issue, "/apply", "maintainer"));
    await app.settle();
    expect(app.failures).toEqual([]);
    expect(states(app, 90)).toEqual(["needs-review", "denied", "denied"]);
    const refusal = app.gh.botComments(90).at(-1)?.body;
    expect(refusal).toContain("Approval by **maintainer** refused");
    expect(refusal).toContain("only an admin's approval applies it as it is");
    expect(await operatorView(pair.operator.store, target.id)).toMatchObject({ name: "Operator's Name" });

    await app.deliver("issue_comment", commentCreated(issue, "/apply", "admin"));
    await app.settle();
    expect(app.failures).toEqual([]);
    const applied = app.gh.botComments(90).at(-1)?.body ?? "";
    expect(parseMarker(applied)).toMatchObject({ state: "applied" });
    // The applied comment agrees with the review: the approved prediction held, the override is said, and
    // the new version can be opened; undoing it is another patch.
    expect(applied).toContain("(exactly the predicted result ✔)");
    expect(applied).toContain(
      "**Overrode a conflict:** an admin's approval (**admin**) replaced what changed",
    );
    expect(applied).toContain("`Name`");
    expect(applied).toMatch(/\[view it\]\(https?:\/\/[^)]+\/ipfs\/[a-z0-9]+\)/);
    expect(applied).toContain("To undo it, propose a patch that changes it back");
    expect(await operatorView(pair.operator.store, target.id)).toMatchObject({ name: "Contributor's Name" });
  });

  it("does not let a rule apply a patch whose base cannot be read, and says conflicts cannot be checked", async () => {
    const target = await createProject(pair.operator.store);
    // The author names as base a block that is no roaming value: nobody can tell what changed since.
    const bogus = await pair.contributor.store.dagPut("not a roaming value", { pin: true });
    const patch = await proposeRename(pair.contributor.store, { id: target.id, roamingCid: bogus }, "Dodged");
    const app = await apps.start(pair.operator.store, {
      config: `${configYaml(target.id)}\n${APPLY_NAMES}`,
      permissions: PERMISSIONS,
    });
    await app.deliver("issues", issueOpened({ number: 91, body: `Patch: ${patch.key}` }));
    await app.settle();
    expect(app.failures).toEqual([]);
    const [review, hold] = app.gh.botComments(91);
    expect(review?.body).toContain("Conflicts cannot be checked: the base");
    expect(hold?.body).toContain("its base cannot be read");
    expect((await operatorView(pair.operator.store, target.id)).eventIds).toEqual([]);
  });
});
