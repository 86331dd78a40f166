import { describe, expect, it } from "vitest";
import { parseMarker } from "../../../src/render/marker.js";
import { putProposedEntries } from "../../../src/service/propose-entries.js";
import { updatePatchRequest } from "../../../src/service/propose-update.js";
import { putValueUpdate } from "../../../src/service/value-update-content.js";
import { appPerTest, kuboPairPerSuite, type TestApp } from "./harness.js";
import { configYaml, createProject, operatorView, proposeRename } from "./nomad-data.js";
import { commentCreated, issueClosed, issueOpened, issueReopened, REPO } from "./payloads.js";

const WRITER = { permission: "write", role_name: "write" };
const MINUTE = 60_000;
const reviews = (app: TestApp, issue: number) =>
  app.gh.botComments(issue).filter((c) => parseMarker(c.body)?.kind === "review");

describe("the GitHub App: open patch keys are watched, and each new version is a revision", () => {
  const pair = kuboPairPerSuite();
  const apps = appPerTest();

  async function start(target: { id: string }, options?: Parameters<typeof apps.start>[2]) {
    return apps.start(
      pair.operator.store,
      { config: configYaml(target.id), permissions: { maintainer: WRITER } },
      options,
    );
  }

  it("reviews a republished patch within the polling interval as r2, saying what changed from r1", async () => {
    const target = await createProject(pair.operator.store);
    const v1 = await proposeRename(pair.contributor.store, target, "First Name");
    const issue = { number: 80, body: `Patch: ${v1.key}` };
    const app = await start(target);
    await app.deliver("issues", issueOpened(issue));
    await app.settle();
    expect(reviews(app, 80)).toHaveLength(1);
    expect(app.watcher.list.get(`${REPO.owner}/${REPO.repo}`, 80, v1.key)).toMatchObject({
      cid: v1.cid.toString(),
      intervalMs: 10 * MINUTE,
    });

    // The contributor adds an entry and retitles the patch, under the same key.
    const extra = await putProposedEntries(pair.contributor.store, [
      {
        targetId: target.id,
        eventId: "UpdateDescriptionAsync",
        content: await putValueUpdate(pair.contributor.store, { value: "Now with a description" }),
      },
    ]);
    const v2 = await updatePatchRequest(
      { store: pair.contributor.store },
      { key: v1.key, title: "Rename, and describe", addEntries: extra, publish: { allowOffline: true } },
    );
    // Before the interval is up, the key is not even resolved.
    await app.poll(5 * MINUTE);
    expect(app.watcher.resolvesStarted).toBe(0);
    expect(reviews(app, 80)).toHaveLength(1);

    await app.poll(6 * MINUTE);
    expect(app.watcher.resolvesStarted).toBe(1);
    expect(app.failures).toEqual([]);
    const [old, current] = reviews(app, 80);
    expect(parseMarker(old?.body)).toMatchObject({ cid: v1.cid.toString(), state: "superseded" });
    expect(parseMarker(current?.body)).toMatchObject({
      cid: v2.cid.toString(),
      state: "ready",
      revs: [
        { n: 1, cid: v1.cid.toString() },
        {
          n: 2,
          cid: v2.cid.toString(),
          ch: { added: 1, removed: 0, changed: 0, title: true, description: false },
        },
      ],
    });
    expect(current?.body).toContain("(r1 → r2: 1 entry added; title changed;");
    expect(current?.body).toContain(`- r1 · \`${v1.cid}\` · seen `);
    expect(current?.body).toContain(`(this review) · \`${v2.cid}\``);
    expect(app.watcher.list.get(`${REPO.owner}/${REPO.repo}`, 80, v1.key)?.cid).toBe(v2.cid.toString());

    // The next round finds the same version: nothing is written.
    const writes = app.gh.requests.filter((r) => r.method !== "GET").length;
    await app.poll(11 * MINUTE);
    expect(app.watcher.resolvesStarted).toBe(2);
    expect(app.gh.requests.filter((r) => r.method !== "GET").length).toBe(writes);

    // An approval sent after r2 appeared, naming r1's version, applies nothing.
    await app.deliver(
      "issue_comment",
      commentCreated(issue, `/apply ${v1.cid.toString().slice(0, 20)}`, "maintainer"),
    );
    await app.settle();
    expect(app.gh.botComments(80).at(-1)?.body).toContain(
      `which r2 (\`${v2.cid.toString()}\`) replaced: 1 entry added; title changed.`,
    );
    expect((await operatorView(pair.operator.store, target.id)).eventIds).toEqual([]);
  });

  it("a revision takes down the approve and failed labels of the version it replaces: they are not true of it", async () => {
    const target = await createProject(pair.operator.store);
    const v1 = await proposeRename(pair.contributor.store, target, "Labelled Name");
    const issue = { number: 85, body: `Patch: ${v1.key}` };
    const app = await start(target);
    await app.deliver("issues", issueOpened(issue));
    await app.settle();
    expect(reviews(app, 85)).toHaveLength(1);

    // r1 was approved by the label and its apply failed: GitHub now shows both labels on the issue.
    const labelled = { ...issue, labels: ["nomad-patch: approve", "nomad-patch: failed"] };
    const v2 = await updatePatchRequest(
      { store: pair.contributor.store },
      { key: v1.key, title: "Labelled Name, retitled", publish: { allowOffline: true } },
    );
    await app.deliver("issue_comment", commentCreated(labelled, "/refresh", "maintainer"));
    await app.settle();
    expect(app.failures).toEqual([]);
    const current = reviews(app, 85).at(-1);
    expect(parseMarker(current?.body)).toMatchObject({ cid: v2.cid.toString(), state: "ready" });
    expect(
      app.gh
        .sent("DELETE", /\/issues\/85\/labels\//)
        .map((r) => decodeURIComponent(r.path.replace(/^.*\/labels\//, "")))
        .sort(),
    ).toEqual(["nomad-patch: approve", "nomad-patch: failed"]);
    expect((await operatorView(pair.operator.store, target.id)).eventIds).toEqual([]);
  });

  it("stops polling the keys of a closed issue", async () => {
    const target = await createProject(pair.operator.store);
    const patch = await proposeRename(pair.contributor.store, target, "Closed Early");
    const issue = { number: 81, body: `Patch: ${patch.key}` };
    const app = await start(target);
    await app.deliver("issues", issueOpened(issue));
    await app.settle();
    expect(app.watcher.list.size).toBe(1);

    await app.deliver("issues", issueClosed(issue, "contributor"));
    await app.settle();
    expect(app.watcher.list.size).toBe(0);
    await updatePatchRequest(
      { store: pair.contributor.store },
      { key: patch.key, title: "Too late", publish: { allowOffline: true } },
    );
    await app.poll(60 * MINUTE);
    expect(app.watcher.resolvesStarted).toBe(0);
    expect(reviews(app, 81)).toHaveLength(1);
  });

  it("stops resolving a key once its patch is applied, and an issue's keys once it is rejected", async () => {
    const target = await createProject(pair.operator.store);
    const applied = await proposeRename(pair.contributor.store, target, "Applied Soon");
    const rejected = await proposeRename(pair.contributor.store, target, "Rejected Soon");
    const app = await start(target);
    for (const [number, patch] of [
      [84, applied],
      [85, rejected],
    ] as const)
      await app.deliver("issues", issueOpened({ number, body: `Patch: ${patch.key}` }));
    await app.settle();
    expect(app.watcher.list.size).toBe(2);

    await app.deliver("issue_comment", commentCreated({ number: 84 }, "/apply", "maintainer"));
    await app.deliver("issue_comment", commentCreated({ number: 85 }, "/reject not now", "maintainer"));
    await app.settle();
    expect(app.failures).toEqual([]);
    expect(parseMarker(app.gh.botComments(84).at(-1)?.body)).toMatchObject({ state: "applied" });
    expect(parseMarker(app.gh.botComments(85).at(-1)?.body)).toMatchObject({ state: "rejected" });
    expect(app.watcher.list.size).toBe(0);
    // The next interval resolves neither key, however often rounds run.
    await app.poll(11 * MINUTE);
    await app.poll(11 * MINUTE);
    expect(app.watcher.resolvesStarted).toBe(0);
  });

  it("watches a reopened issue's key again while its patch is open, and not once it was decided", async () => {
    const target = await createProject(pair.operator.store);
    const open = await proposeRename(pair.contributor.store, target, "Reopened");
    const decided = await proposeRename(pair.contributor.store, target, "Reopened Rejected");
    const app = await start(target);
    const issue = { number: 86, body: `Patch: ${open.key}` };
    await app.deliver("issues", issueOpened(issue));
    await app.settle();
    await app.deliver("issues", issueClosed(issue, "contributor"));
    await app.settle();
    expect(app.watcher.list.size).toBe(0);

    await app.deliver("issues", issueReopened(issue, "contributor"));
    await app.settle();
    expect(app.failures).toEqual([]);
    const repo = `${REPO.owner}/${REPO.repo}`;
    expect(app.watcher.list.get(repo, 86, open.key)).toMatchObject({ cid: open.cid.toString() });
    const v2 = await updatePatchRequest(
      { store: pair.contributor.store },
      { key: open.key, title: "Reopened, then changed", publish: { allowOffline: true } },
    );
    await app.poll(11 * MINUTE);
    expect(app.watcher.resolvesStarted).toBe(1);
    expect(parseMarker(reviews(app, 86).at(-1)?.body)).toMatchObject({ cid: v2.cid.toString() });

    // A rejected patch's issue, reopened (say, to discuss it), is not polled again.
    const other = { number: 87, body: `Patch: ${decided.key}` };
    await app.deliver("issues", issueOpened(other));
    await app.settle();
    await app.deliver("issue_comment", commentCreated(other, "/reject no", "maintainer"));
    await app.settle();
    await app.deliver("issues", issueClosed(other, "maintainer"));
    await app.settle();
    const labelled = { ...other, labels: ["nomad-patch: rejected"] };
    await app.deliver("issues", issueReopened(labelled, "maintainer"));
    await app.settle();
    expect(app.failures).toEqual([]);
    expect(app.watcher.list.get(repo, 87, decided.key)).toBeUndefined();
  });

  it("resumes polling after a restart, from the watched keys kept in the data directory", async () => {
    const target = await createProject(pair.operator.store);
    const v1 = await proposeRename(pair.contributor.store, target, "Before Restart");
    const issue = { number: 82, body: `Patch: ${v1.key}` };
    const first = await start(target);
    await first.deliver("issues", issueOpened(issue));
    await first.settle();
    const comments = first.gh.comments.map((c) => ({ ...c }));
    await first.stop({ keepData: true });

    const v2 = await updatePatchRequest(
      { store: pair.contributor.store },
      { key: v1.key, title: "After Restart", publish: { allowOffline: true } },
    );
    const second = await start(target, { dataDir: first.dataDir });
    second.gh.comments.push(...comments);
    expect(second.watcher.list.size).toBe(1);
    await second.poll(11 * MINUTE);
    expect(second.failures).toEqual([]);
    const [old, current] = reviews(second, 82);
    expect(parseMarker(old?.body)).toMatchObject({ cid: v1.cid.toString(), state: "superseded" });
    expect(parseMarker(current?.body)).toMatchObject({ cid: v2.cid.toString() });
    expect(current?.body).toContain("(r1 → r2: title changed;");
  });

  it("resolves no more keys per minute than the deployment allows, however many patch issues are open", async () => {
    const target = await createProject(pair.operator.store);
    const patch = await proposeRename(pair.contributor.store, target, "One Of Many");
    const app = await start(target, { env: { NOMAD_PATCH_WATCH_RESOLVES_PER_MINUTE: "10" } });
    await app.deliver("issues", issueOpened({ number: 83, body: `Patch: ${patch.key}` }));
    await app.settle();
    // 999 more open issues carrying the key, as 999 reviews would have left them.
    const repo = `${REPO.owner}/${REPO.repo}`;
    const cid = patch.cid.toString();
    for (let issue = 1001; issue < 2000; issue++)
      app.watcher.list.watch(
        { repo, issue, key: patch.key, installationId: null, cid, intervalMs: 10 * MINUTE },
        app.watcher.now(),
      );
    expect(app.watcher.list.size).toBe(1000);
    const requests = app.gh.requests.length;

    await app.poll(11 * MINUTE);
    expect(app.watcher.resolvesStarted).toBe(10);
    await app.poll(30_000);
    expect(app.watcher.resolvesStarted).toBe(10);
    await app.poll(31_000);
    expect(app.watcher.resolvesStarted).toBe(20);
    // Nothing moved: the polls cost GitHub nothing.
    expect(app.gh.requests.length).toBe(requests);
    expect(app.failures).toEqual([]);
  });
});
