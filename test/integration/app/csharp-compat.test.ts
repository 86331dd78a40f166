import { describe, expect, it } from "vitest";
import { parseMarker } from "../../../src/render/marker.js";
import { createStorageTarget } from "../../helpers/nomad-builders/index.js";
import { proposeCSharpEntries, putJson } from "../csharp/csharp-shaped.js";
import { streamOf } from "../faults/patch-setup.js";
import { appPerTest, kuboPairPerSuite } from "./harness.js";
import { commentCreated, issueOpened } from "./payloads.js";

const WRITER = { permission: "write", role_name: "write" };

describe("the GitHub App: entries that would break the operator's C# devices", () => {
  const pair = kuboPairPerSuite();
  const apps = appPerTest();

  it("rules judge what an entry does, and neither a rule nor /apply writes what C# cannot load", async () => {
    const target = await createStorageTarget(pair.operator, {
      name: "Site",
      files: { "index.html": "<p>hi</p>\n" },
    });
    const { contributor } = pair;
    // Labelled a create, but its content (what C# Storage applies) deletes index.html.
    const disguised = await putJson(contributor, {
      eventId: "DeleteFromFolderEvent",
      storableItemId: `${target.id}/index.html`,
      workingFolderId: target.id,
      storableItemName: "index.html",
    });
    const patch = await proposeCSharpEntries(contributor, target.id, "Add a page", [
      { targetId: target.id, eventId: "CreateFileInFolderEvent", content: disguised },
    ]);
    const config = [
      "targets:",
      `  - id: ${target.id}`,
      "    module: storage",
      "rules:",
      "  - match: { eventId: DeleteFromFolderEvent }",
      "    action: reject",
      "    reason: nothing is deleted without a person",
      "  - match: { eventId: CreateFileInFolderEvent }",
      "    action: apply",
    ].join("\n");
    const streamBefore = await streamOf(pair.operator.store, target.localId);
    const app = await apps.start(pair.operator.store, { config, permissions: { maintainer: WRITER } });
    const issue = { number: 31, body: `Patch: ${patch.key}` };
    await app.deliver("issues", issueOpened(issue));
    await app.settle();
    expect(app.failures).toEqual([]);

    const comments = app.gh.botComments(31);
    const review = comments.find((c) => parseMarker(c.body)?.kind === "review");
    expect(parseMarker(review?.body)).toMatchObject({
      kind: "review",
      state: "refused",
      cid: patch.cid.toString(),
    });
    expect(review?.body).toContain("would stop every C# device loading the target");
    expect(review?.body).toContain(
      "labelled CreateFileInFolderEvent but its content is a DeleteFromFolderEvent",
    );
    // The rule for deletes decided, not the one for creates that the label would have matched.
    const decision = comments.at(-1);
    expect(parseMarker(decision?.body)).toMatchObject({ kind: "status", state: "rejected" });
    expect(decision?.body).toContain("nothing is deleted without a person");

    await app.deliver("issue_comment", commentCreated(issue, "/apply", "maintainer"));
    await app.settle();
    expect(app.failures).toEqual([]);
    expect(app.gh.botComments(31).some((c) => parseMarker(c.body)?.state === "applied")).toBe(false);
    expect(await streamOf(pair.operator.store, target.localId)).toEqual(streamBefore);
    expect((await pair.operator.store.resolveName(target.id, { nocache: true }))?.toString()).toBe(
      target.roamingCid.toString(),
    );
  });
});
