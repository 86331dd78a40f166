import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { KEY_POSTERS_PER_ISSUE } from "../../../src/app/key-posters.js";
import type { IpfsStore } from "../../../src/ipfs/store.js";
import { parseMarker } from "../../../src/render/marker.js";
import { updatePatchRequest } from "../../../src/service/propose-update.js";
import { putValueUpdate } from "../../../src/service/value-update-content.js";
import { numberedKey } from "../../helpers/numbered-key.js";
import { gitHubTime } from "./github-clock.js";
import { appPerTest, BOT, kuboPairPerSuite, type TestApp } from "./harness.js";
import { configYaml, createProject, operatorView, proposeRename } from "./nomad-data.js";
import { commentCreated, commentDeleted, commentEdited, issueEdited, issueOpened } from "./payloads.js";

// Patches from people with write access are applied without waiting; everyone else's wait for a person.
const WRITERS_APPLY = "rules:\n  - match: { authorPermission: write }\n    action: apply";
const PERMISSIONS = {
  admin: { permission: "admin", role_name: "admin" },
  triager: { permission: "read", role_name: "triage" },
  outsider: { permission: "read", role_name: "read" },
};

const reviewMarkers = (app: TestApp, issue: number) =>
  app.gh.botComments(issue).flatMap((c) => {
    const marker = parseMarker(c.body);
    return marker?.kind === "review" ? [marker] : [];
  });

type Issue = Parameters<typeof commentCreated>[0];

/** A comment `login` posts on the issue: in the fake GitHub, and delivered as GitHub sends it. */
async function postComment(app: TestApp, issue: Issue, login: string, body: string) {
  const posted = app.gh.humanComment(issue.number, login, body);
  await app.deliver(
    "issue_comment",
    commentCreated(issue, posted.body, login, { id: posted.id, at: posted.created_at }),
  );
  return posted;
}

/** `login`'s comment deleted: gone from the fake GitHub, and delivered as GitHub sends it (with its text). */
async function deleteComment(app: TestApp, issue: Issue, id: number, login: string) {
  const deleted = app.gh.deleteComment(id);
  await app.deliver(
    "issue_comment",
    commentDeleted(issue, { id: deleted.id, body: deleted.body, author: login, at: deleted.created_at }),
  );
}

describe("the GitHub App: the rules judge the person who posted the key", () => {
  const pair = kuboPairPerSuite();
  const apps = appPerTest();

  async function start(target: { id: string }, dataDir?: string) {
    return apps.start(
      pair.operator.store,
      { config: `${configYaml(target.id)}\n${WRITERS_APPLY}`, permissions: PERMISSIONS },
      dataDir === undefined ? {} : { dataDir },
    );
  }

  /** A target and a patch renaming it, whose key points for now at no patch request: mentions fail quietly. */
  async function keyNotYetAPatch(name: string) {
    const target = await createProject(pair.operator.store);
    const patch = await proposeRename(pair.contributor.store, target, name);
    await pair.contributor.store.publishName(patch.keyNames.roaming, target.roamingCid, {
      allowOffline: true,
    });
    return { target, patch };
  }

  /** The key now points at its patch. */
  const publishPatch = (patch: Awaited<ReturnType<typeof proposeRename>>) =>
    pair.contributor.store.publishName(patch.keyNames.roaming, patch.cid, { allowOffline: true });

  async function expectNothingApplied(target: { id: string }) {
    expect((await operatorView(pair.operator.store, target.id)).eventIds).toEqual([]);
  }

  it("judges a triage user's key on an admin's issue as the triage user's, on /refresh too", async () => {
    const target = await createProject(pair.operator.store);
    const patch = await proposeRename(pair.contributor.store, target, "Triaged In");
    const issue = { number: 70, body: "Tracking issue", author: "admin" };
    const app = await start(target);
    await app.deliver("issues", issueOpened(issue));
    await app.deliver("issue_comment", commentCreated(issue, `Patch: ${patch.key}`, "triager"));
    await app.settle();
    expect(reviewMarkers(app, 70)).toMatchObject([{ state: "ready", author: "triager" }]);
    await expectNothingApplied(target);

    // A refresh of the same version changes nothing; of a new version, the rules judge the recorded author.
    const first = gitHubTime();
    await app.deliver("issue_comment", commentCreated(issue, "/refresh", "triager", { at: first }));
    await app.settle();
    await expectNothingApplied(target);
    await updatePatchRequest(
      { store: pair.contributor.store },
      { key: patch.key, title: "Triaged again", publish: { allowOffline: true } },
    );
    // Past the refresh limit of someone who may not approve.
    const later = new Date(Date.parse(first) + 6 * 60_000).toISOString();
    await app.deliver("issue_comment", commentCreated(issue, "/refresh", "triager", { at: later }));
    await app.settle();
    expect(app.failures).toEqual([]);
    // The new version was brought by no text: judged as nobody's (the bot's, read as none), not on the word
    // of whoever offered the key before, since whoever holds the key published it.
    expect(reviewMarkers(app, 70)).toMatchObject([
      { state: "superseded", author: "triager" },
      { state: "ready", author: BOT },
    ]);
    await expectNothingApplied(target);
    expect(app.gh.sent("GET", "/collaborators/admin/permission")).toEqual([]);
  });

  it("judges an issue body an admin edited as its author's", async () => {
    const target = await createProject(pair.operator.store);
    const patch = await proposeRename(pair.contributor.store, target, "Edited In");
    const issue = { number: 71, body: "I would like a new name", author: "outsider" };
    const app = await start(target);
    await app.deliver("issues", issueOpened(issue));
    await app.deliver("issues", issueEdited({ ...issue, body: `Patch: ${patch.key}` }, "admin"));
    await app.settle();
    expect(app.failures).toEqual([]);
    expect(reviewMarkers(app, 71)).toMatchObject([{ state: "ready", author: "outsider" }]);
    await expectNothingApplied(target);
    expect(app.gh.sent("GET", "/collaborators/admin/permission")).toEqual([]);
  });

  it("judges a comment an admin edited as its author's", async () => {
    const target = await createProject(pair.operator.store);
    const patch = await proposeRename(pair.contributor.store, target, "Comment Edited In");
    const issue = { number: 72, body: "Names", author: "admin" };
    const app = await start(target);
    const edit = commentEdited(issue, `Patch: ${patch.key}`, "admin", 4242, "outsider");
    await app.deliver("issue_comment", edit);
    await app.settle();
    expect(app.failures).toEqual([]);
    expect(reviewMarkers(app, 72)).toMatchObject([{ state: "ready", author: "outsider" }]);
    await expectNothingApplied(target);
  });

  it("keeps judging a stranger's key as the stranger's when an admin quotes it after a republish", async () => {
    const target = await createProject(pair.operator.store);
    const patch = await proposeRename(pair.contributor.store, target, "Stranger's Name");
    const issue = { number: 74, body: `Patch: ${patch.key}`, author: "outsider" };
    const app = await start(target);
    await app.deliver("issues", issueOpened(issue));
    await app.settle();
    expect(reviewMarkers(app, 74)).toMatchObject([{ state: "ready", author: "outsider" }]);

    // The stranger republishes; before the watch sees it, an admin asks about the key by quoting it.
    await updatePatchRequest(
      { store: pair.contributor.store },
      { key: patch.key, title: "Quietly changed", publish: { allowOffline: true } },
    );
    await app.deliver("issue_comment", commentCreated(issue, `Is Patch: ${patch.key} ready?`, "admin"));
    await app.settle();
    expect(app.failures).toEqual([]);
    // The new version is still the stranger's: the admin's mention vouches for nothing they were shown.
    expect(reviewMarkers(app, 74)).toMatchObject([
      { state: "superseded", author: "outsider" },
      { state: "ready", author: "outsider" },
    ]);
    await expectNothingApplied(target);
  });

  it("judges a key a stranger mentioned first as the stranger's, though it failed then and an admin offers it later", async () => {
    const target = await createProject(pair.operator.store);
    const patch = await proposeRename(pair.contributor.store, target, "Mentioned First");
    // The key first points at something that is no patch request, so the stranger's mention is reviewed
    // quietly, fails, and leaves no comment behind.
    await pair.contributor.store.publishName(patch.keyNames.roaming, target.roamingCid, {
      allowOffline: true,
    });
    const issue = { number: 75, body: `My change will be at ipns://${patch.key} soon`, author: "outsider" };
    const app = await start(target);
    await app.deliver("issues", issueOpened(issue));
    await app.settle();
    expect(reviewMarkers(app, 75)).toEqual([]);

    // The stranger points the key at the patch; an admin, asked about it, offers the key.
    await pair.contributor.store.publishName(patch.keyNames.roaming, patch.cid, { allowOffline: true });
    await app.deliver("issue_comment", commentCreated(issue, `Patch: ${patch.key}`, "admin"));
    await app.settle();
    expect(app.failures).toEqual([]);
    expect(reviewMarkers(app, 75)).toMatchObject([{ state: "ready", author: "outsider" }]);
    await expectNothingApplied(target);
  });

  it("judges a key as the stranger's who reposts it after erasing the text where they posted it first", async () => {
    const target = await createProject(pair.operator.store);
    const patch = await proposeRename(pair.contributor.store, target, "Erased Trail");
    // The key first points at something that is no patch request: every mention of it fails quietly.
    await pair.contributor.store.publishName(patch.keyNames.roaming, target.roamingCid, {
      allowOffline: true,
    });
    const mention = `My change will be at ipns://${patch.key} soon`;
    const issue = { number: 76, body: mention, author: "outsider" };
    const app = await start(target);
    await app.deliver("issues", issueOpened(issue));
    await app.settle();
    // An admin asks about it in passing, quoting the key.
    const asked = app.gh.humanComment(76, "admin", `Is ipns://${patch.key} ready?`);
    await app.deliver("issue_comment", commentCreated(issue, asked.body, "admin", { id: asked.id }));
    await app.settle();
    expect(reviewMarkers(app, 76)).toEqual([]);

    // The stranger takes the key out of their own text (their right), points it at the patch, and offers
    // it again: on the issue as it now reads, the admin's comment is the first that holds the key.
    const erased = { ...issue, body: "My change is coming" };
    await app.deliver("issues", issueEdited(erased, "outsider"));
    await pair.contributor.store.publishName(patch.keyNames.roaming, patch.cid, { allowOffline: true });
    const offered = app.gh.humanComment(76, "outsider", `Patch: ${patch.key}`);
    await app.deliver("issue_comment", commentCreated(erased, offered.body, "outsider", { id: offered.id }));
    await app.settle();
    expect(app.failures).toEqual([]);
    // Judged as the stranger whose text brought it to review, the less trusted of the two: nothing applied.
    expect(reviewMarkers(app, 76)).toMatchObject([{ state: "ready", author: "outsider" }]);
    await expectNothingApplied(target);
    // Permission reads: the admin's and the stranger's to choose, the author's for the rules.
    expect(app.gh.sent("GET", /\/collaborators\/[^/]+\/permission$/).length).toBeLessThanOrEqual(3);
  });

  it("judges a key as the stranger's who posted it first in a comment they deleted, when an admin offers it", async () => {
    // The key first points at something that is no patch request: every mention of it fails quietly.
    const { target, patch } = await keyNotYetAPatch("Deleted Trail");
    const issue = { number: 79, body: "Names", author: "admin" };
    const app = await start(target);
    const mention = await postComment(
      app,
      issue,
      "outsider",
      `My change will be at ipns://${patch.key} soon`,
    );
    // An admin asks about it in passing, quoting the key.
    await postComment(app, issue, "admin", `Is ipns://${patch.key} ready?`);
    await app.settle();
    expect(reviewMarkers(app, 79)).toEqual([]);

    // The stranger deletes their comment: GitHub keeps no trace of it, and the admin's quote is now the
    // first text on the issue that holds the key. The stranger points the key at the patch and asks for it
    // to be looked at; the admin, who remembers asking about that key, offers it.
    await deleteComment(app, issue, mention.id, "outsider");
    expect(app.gh.comments.filter((c) => c.issue === 79).map((c) => c.user.login)).toEqual(["admin"]);
    await publishPatch(patch);
    await postComment(app, issue, "admin", `Patch: ${patch.key}`);
    await app.settle();
    expect(app.failures).toEqual([]);
    // The stranger posted the key first on this issue: judged as theirs, nothing applied.
    expect(reviewMarkers(app, 79)).toMatchObject([{ state: "ready", author: "outsider" }]);
    await expectNothingApplied(target);
  });

  it("judges a key as the stranger's who posted it first in a comment they deleted, after a restart", async () => {
    const { target, patch } = await keyNotYetAPatch("Deleted Before Restart");
    const issue = { number: 80, body: "Names", author: "admin" };
    const first = await start(target);
    const mention = await postComment(first, issue, "outsider", `Soon at ipns://${patch.key}`);
    await postComment(first, issue, "admin", `Is ipns://${patch.key} ready?`);
    // The deletion is the last thing this process hears: the record of it must outlive the process.
    await deleteComment(first, issue, mention.id, "outsider");
    const comments = first.gh.comments.map((c) => ({ ...c }));
    await first.stop({ keepData: true });
    const second = await start(target, first.dataDir);
    second.gh.comments.push(...comments);
    await publishPatch(patch);
    const offered = second.gh.humanComment(80, "admin", `Patch: ${patch.key}`);
    // A delivery id of its own: the first process's are remembered in the data directory.
    const offer = commentCreated(issue, offered.body, "admin", { id: offered.id });
    await second.deliver("issue_comment", offer, "after-restart");
    await second.settle();
    expect(second.failures).toEqual([]);
    expect(reviewMarkers(second, 80)).toMatchObject([{ state: "ready", author: "outsider" }]);
    await expectNothingApplied(target);
  });

  it("holds a flood of 1,000 deleted comments with keys within the record's bound, asking and writing GitHub nothing", async () => {
    const { target, patch } = await keyNotYetAPatch("Under Flood");
    const issue = { number: 81, body: "Names", author: "admin" };
    const app = await start(target);
    // The stranger posts their key first (unheard), then deletes it and 1,000 comments of other keys to
    // push it out.
    const mention = app.gh.humanComment(81, "outsider", `Soon at ipns://${patch.key}`);
    await deleteComment(app, issue, mention.id, "outsider");
    for (let i = 0; i < 1_000; i += 1) {
      const body = `Mine too: ipns://${numberedKey(i)}`;
      const deleted = commentDeleted(issue, { id: 900_000 + i, body, author: "outsider", at: gitHubTime() });
      await app.deliver("issue_comment", deleted);
    }
    await app.settle();
    expect(app.failures).toEqual([]);
    // Nothing read, nothing written: a deletion is recorded from its payload alone.
    expect(app.gh.requests).toEqual([]);
    const file = join(app.dataDir, "key-posters.json");
    const record = JSON.parse(await readFile(file, "utf8")) as { issues: { keys: unknown[] }[] };
    expect(record.issues.flatMap((i) => i.keys)).toHaveLength(KEY_POSTERS_PER_ISSUE);
    expect((await stat(file)).size).toBeLessThan(KEY_POSTERS_PER_ISSUE * 200);

    // The stranger's record was pushed out: when the admin offers the key, its first poster is not known,
    // so it is judged as nobody's (no rule judges it by its author), not as the admin's.
    await publishPatch(patch);
    await postComment(app, issue, "admin", `Patch: ${patch.key}`);
    await app.settle();
    expect(app.failures).toEqual([]);
    expect(reviewMarkers(app, 81)).toMatchObject([{ state: "ready" }]);
    expect(reviewMarkers(app, 81)[0]?.author).not.toBe("admin");
    await expectNothingApplied(target);
  });

  it("a stranger's key an admin offered first: a revision the stranger publishes later is not applied on the admin's word", async () => {
    const target = await createProject(pair.operator.store);
    // r1: a rename and a description, two entries: the rule (writers' patches of one entry) does not apply it.
    const describe = async (store: IpfsStore) => [
      {
        targetId: target.id,
        eventId: "UpdateDescriptionAsync",
        content: await putValueUpdate(store, { value: "Described" }),
      },
    ];
    const patch = await proposeRename(pair.contributor.store, target, "Offered Name", describe);
    const issue = { number: 77, body: "Names", author: "admin" };
    const app = await apps.start(pair.operator.store, {
      config: `${configYaml(target.id)}\nrules:\n  - match: { authorPermission: write, maxEntries: 1 }\n    action: apply`,
      permissions: PERMISSIONS,
    });
    const offered = app.gh.humanComment(77, "admin", `Patch: ${patch.key}`);
    await app.deliver("issue_comment", commentCreated(issue, offered.body, "admin", { id: offered.id }));
    await app.settle();
    expect(reviewMarkers(app, 77)).toMatchObject([{ state: "ready", author: "admin" }]);
    await expectNothingApplied(target);

    // The stranger who holds the key publishes r2, one entry: nobody with write access was shown it.
    const described = patch.record.entries[1];
    expect(described).toBeDefined();
    await updatePatchRequest(
      { store: pair.contributor.store },
      {
        key: patch.key,
        title: "Only the rename now",
        removeEntries: described ? [described] : [],
        publish: { allowOffline: true },
      },
    );
    await app.poll(11 * 60_000);
    expect(app.failures).toEqual([]);
    expect(reviewMarkers(app, 77).at(-1)).toMatchObject({ state: "ready" });
    await expectNothingApplied(target);
  });

  it("still applies a writer's own key by the rule once it resolves, after it failed when first offered", async () => {
    const target = await createProject(pair.operator.store);
    const patch = await proposeRename(pair.contributor.store, target, "Resolved Later");
    await pair.contributor.store.publishName(patch.keyNames.roaming, target.roamingCid, {
      allowOffline: true,
    });
    const issue = { number: 78, body: "Names", author: "admin" };
    const app = await start(target);
    const offered = app.gh.humanComment(78, "admin", `Patch: ${patch.key}`);
    await app.deliver("issue_comment", commentCreated(issue, offered.body, "admin", { id: offered.id }));
    await app.settle();
    await expectNothingApplied(target);

    // The key now points at the patch; the writer asks again.
    await pair.contributor.store.publishName(patch.keyNames.roaming, patch.cid, { allowOffline: true });
    await app.deliver("issue_comment", commentCreated(issue, "/refresh", "admin"));
    await app.settle();
    expect(app.failures).toEqual([]);
    expect((await operatorView(pair.operator.store, target.id)).name).toBe("Resolved Later");
  });

  it("still applies a writer's own patch by the rule", async () => {
    const target = await createProject(pair.operator.store);
    const patch = await proposeRename(pair.contributor.store, target, "Admin's Own");
    const app = await start(target);
    await app.deliver("issues", issueOpened({ number: 73, body: `Patch: ${patch.key}`, author: "admin" }));
    await app.settle();
    expect(app.failures).toEqual([]);
    expect((await operatorView(pair.operator.store, target.id)).name).toBe("Admin's Own");
  });
});
