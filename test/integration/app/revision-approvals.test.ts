import { describe, expect, it } from "vitest";
import type { IpfsStore } from "../../../src/ipfs/store.js";
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

  it("an /apply whose key is republished between its check and its import applies r1, the version approved, and nothing of r2", async () => {
    const target = await createProject(pair.operator.store);
    const v1 = await proposeRename(pair.contributor.store, target, "Approved Name");
    const issue = { number: 94, body: `Patch: ${v1.key}` };
    const extra = await putProposedEntries(pair.contributor.store, [
      {
        targetId: target.id,
        eventId: "UpdateDescriptionAsync",
        content: await putValueUpdate(pair.contributor.store, { value: "Swapped in" }),
      },
    ]);
    // The operator's store, with the contributor republishing the key the moment the apply imports its
    // blocks: after the approved version was checked against the key, before anything was published.
    let imports = 0;
    let v2: Awaited<ReturnType<typeof updatePatchRequest>> | undefined;
    const store = new Proxy(pair.operator.store, {
      get(inner, name) {
        const value = Reflect.get(inner, name, inner);
        if (typeof value !== "function") return value;
        if (name !== "importBlocks") return value.bind(inner);
        return async (...args: Parameters<IpfsStore["importBlocks"]>) => {
          imports += 1;
          v2 ??= await updatePatchRequest(
            { store: pair.contributor.store },
            { key: v1.key, title: "Swapped in", addEntries: extra, publish: { allowOffline: true } },
          );
          return inner.importBlocks(...args);
        };
      },
    });
    const app = await apps.start(store, {
      config: configYaml(target.id),
      permissions: { maintainer: WRITER },
    });
    await app.deliver("issues", issueOpened(issue));
    await app.settle();
    expect(imports).toBe(0);
    await app.deliver("issue_comment", commentCreated(issue, "/apply", "maintainer"));
    await app.settle();
    expect(app.failures).toEqual([]);
    expect(imports).toBe(1);
    expect(v2?.cid.toString()).not.toBe(v1.cid.toString());
    // What was applied is r1 as reviewed: its one entry, its name; r2 reached the target in no way.
    expect(parseMarker(last(app, 94))).toMatchObject({ state: "applied", cid: v1.cid.toString() });
    const view = await operatorView(pair.operator.store, target.id);
    expect(view).toMatchObject({ name: "Approved Name", eventIds: ["UpdateNameAsync"] });

    // The issue is decided: its key is no longer watched, and r2 is neither reviewed nor applied by a poll.
    await app.poll(11 * MINUTE);
    expect(app.failures).toEqual([]);
    const cids = app.gh.botComments(94).map((c) => parseMarker(c.body)?.cid);
    expect(cids).not.toContain(v2?.cid.toString());
    expect(await operatorView(pair.operator.store, target.id)).toMatchObject(view);
  });
});
