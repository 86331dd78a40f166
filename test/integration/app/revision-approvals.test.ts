import { describe, expect, it } from "vitest";
import { parseMarker } from "../../../src/render/marker.js";
import { putProposedEntries } from "../../../src/service/propose-entries.js";
import { updatePatchRequest } from "../../../src/service/propose-update.js";
import { putValueUpdate } from "../../../src/service/value-update-content.js";
import { gitHubTime } from "./github-clock.js";
import { appPerTest, kuboPairPerSuite } from "./harness.js";
import { configYaml, createProject, operatorView, proposeRename } from "./nomad-data.js";
import { commentCreated, issueLabeled, issueOpened } from "./payloads.js";

const WRITER = { permission: "write", role_name: "write" };
const APPROVE = "nomad-patch: approve";
const MINUTE = 60_000;

describe("the GitHub App: approvals that name revisions, and approvals of an older revision", () => {
  const pair = kuboPairPerSuite();
  const apps = appPerTest();

  /** r1 reviewed on the issue, then r2 published under the same key: one entry more and a new title. */
  async function twoVersions(number: number) {
    const target = await createProject(pair.operator.store);
    const v1 = await proposeRename(pair.contributor.store, target, `Name ${number}`);
    const issue = { number, body: `Patch: ${v1.key}` };
    const app = await apps.start(pair.operator.store, {
      config: configYaml(target.id),
      permissions: { maintainer: WRITER },
    });
    await app.deliver("issues", issueOpened(issue));
    await app.settle();
    const extra = await putProposedEntries(pair.contributor.store, [
      {
        targetId: target.id,
        eventId: "UpdateDescriptionAsync",
        content: await putValueUpdate(pair.contributor.store, { value: `Described ${number}` }),
      },
    ]);
    const republish = () =>
      updatePatchRequest(
        { store: pair.contributor.store },
        { key: v1.key, title: `Renamed ${number}`, addEntries: extra, publish: { allowOffline: true } },
      );
    return { target, v1, issue, app, republish };
  }
  const last = (app: { gh: { botComments(n: number): { body: string }[] } }, n: number) =>
    app.gh.botComments(n).at(-1)?.body ?? "";

  it("voids a label given for r1 once the key points at r2, naming both and what changed", async () => {
    const { target, issue, app, republish } = await twoVersions(90);
    const v2 = await republish();
    // The maintainer labels what they read (r1); the app has not polled the key since it moved.
    await app.deliver("issues", issueLabeled(issue, APPROVE, "maintainer"));
    await app.settle();
    expect(app.failures).toEqual([]);
    const voided = app.gh.botComments(90).find((c) => parseMarker(c.body)?.state === "voided");
    expect(voided?.body).toContain("it was for r1 (`");
    expect(voided?.body).toContain(`now points at r2 (\`${v2.cid}\`)`);
    expect(voided?.body).toContain("**Changed from r1 to r2:** 1 entry added; title changed.");
    expect((await operatorView(pair.operator.store, target.id)).eventIds).toEqual([]);
  });

  it("refuses an approval naming r1's CID once r2 is reviewed, saying what r2 changed", async () => {
    const { target, v1, issue, app, republish } = await twoVersions(91);
    await republish();
    await app.poll(11 * MINUTE);
    await app.deliver(
      "issue_comment",
      commentCreated(issue, `/apply ${v1.cid.toString().slice(0, 20)}`, "maintainer"),
    );
    await app.settle();
    expect(app.failures).toEqual([]);
    expect(last(app, 91)).toContain("names r1 of patch");
    expect(last(app, 91)).toContain("which r2 (`");
    expect(last(app, 91)).toContain("replaced: 1 entry added; title changed.");
    expect((await operatorView(pair.operator.store, target.id)).eventIds).toEqual([]);
  });

  it("tells a label given after r1's review and before r2's that it could only be for r1", async () => {
    const { target, issue, app, republish } = await twoVersions(92);
    const labelledAt = gitHubTime();
    await republish();
    await app.poll(11 * MINUTE);
    await app.deliver("issues", issueLabeled(issue, APPROVE, "maintainer", labelledAt));
    await app.settle();
    expect(app.failures).toEqual([]);
    expect(last(app, 92)).toContain("It came after r1 was reviewed, so it was for r1, which r2 replaced:");
    expect(last(app, 92)).toContain("1 entry added; title changed.");
    expect((await operatorView(pair.operator.store, target.id)).eventIds).toEqual([]);
  });

  it("`/apply rN` applies only the current revision; older, unknown and several are clear refusals", async () => {
    const { target, issue, app, republish } = await twoVersions(93);
    const v2 = await republish();
    await app.poll(11 * MINUTE);
    const say = async (body: string, by = "maintainer") => {
      await app.deliver("issue_comment", commentCreated(issue, body, by));
      await app.settle();
      expect(app.failures).toEqual([]);
      expect((await operatorView(pair.operator.store, target.id)).eventIds).toEqual([]);
      return last(app, 93);
    };
    const older = await say("/apply r1");
    expect(older).toContain("`r1` names r1 of patch");
    expect(older).toContain(`which r2 (\`${v2.cid}\`) replaced: 1 entry added; title changed.`);
    expect(await say("/apply r7")).toContain("`r7` names no revision of a patch under review");
    expect(await say("/apply r99999999999")).toContain(
      "`r99999999999` names no revision of a patch under review",
    );
    expect(await say("/apply r0")).toContain("`r0` names no revision of a patch under review");
    expect(await say("/apply r1 r2")).toContain("`r1 r2` names more than one version");
    // Someone who may not approve is told so, whatever they name.
    expect(await say("/apply r1 r2", "stranger")).toContain("was not accepted");

    await app.deliver("issue_comment", commentCreated(issue, "/apply r2", "maintainer"));
    await app.settle();
    expect(app.failures).toEqual([]);
    expect(parseMarker(last(app, 93))).toMatchObject({ state: "applied", cid: v2.cid.toString() });
    expect((await operatorView(pair.operator.store, target.id)).eventIds.sort()).toEqual([
      "UpdateDescriptionAsync",
      "UpdateNameAsync",
    ]);
  });
});
