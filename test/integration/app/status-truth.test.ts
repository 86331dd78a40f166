import { describe, expect, it } from "vitest";
import { parseMarker } from "../../../src/render/marker.js";
import { openFileJournal } from "../../../src/service/apply-journal.js";
import { applyPatch } from "../../../src/service/apply-patch.js";
import { updatePatchRequest } from "../../../src/service/propose-update.js";
import { appPerTest, kuboPairPerSuite, type TestApp } from "./harness.js";
import { configYaml, createProject, operatorView, proposeRename } from "./nomad-data.js";
import { commentCreated, issueOpened, REPO } from "./payloads.js";

const WRITER = { permission: "write", role_name: "write" };
const APPROVE = "nomad-patch: approve";
const FAILED = "nomad-patch: failed";
const REJECTED = "nomad-patch: rejected";
const reviews = (app: TestApp, issue: number) =>
  app.gh.botComments(issue).filter((c) => parseMarker(c.body)?.kind === "review");
const states = (app: TestApp, issue: number) =>
  reviews(app, issue).map((c) => {
    const marker = parseMarker(c.body);
    return marker?.kind === "review" ? marker.state : undefined;
  });
/** What the bot wrote on the issue (comments, edits, labels), leaving out the reaction that acknowledges a command. */
const writes = (app: TestApp) =>
  app.gh.requests.filter((r) => r.method !== "GET" && !r.path.endsWith("/reactions")).length;
const rejectNames = ["rules:", "  - match: { eventId: UpdateName* }", "    action: reject"].join("\n");
const applyNames = ["rules:", "  - match: { eventId: UpdateName* }", "    action: apply"].join("\n");
const statusComments = (app: TestApp, issue: number) =>
  app.gh.botComments(issue).filter((c) => parseMarker(c.body)?.kind === "status");
const statuses = (app: TestApp, issue: number) =>
  statusComments(app, issue).map((c) => parseMarker(c.body)?.state);
/** The issue as GitHub sends it in an event now: with the labels it has. */
const labelled = (app: TestApp, issue: { number: number; body: string }) => ({
  ...issue,
  labels: [...app.gh.labels],
});

/**
 * A status on the issue is always true (docs/design.md §5–6), also after what an operator really meets:
 * GitHub failing between two writes of one review, and the repository's configuration changing while a
 * review stands.
 */
describe("the GitHub App: what the issue says stays true", () => {
  const pair = kuboPairPerSuite();
  const apps = appPerTest();

  it("a review left current by a failed supersede is marked superseded by the next review of the key, and its labels go", async () => {
    const target = await createProject(pair.operator.store);
    const v1 = await proposeRename(pair.contributor.store, target, "Before The Outage");
    const issue = { number: 310, body: `Patch: ${v1.key}` };
    const app = await apps.start(pair.operator.store, {
      config: configYaml(target.id),
      permissions: { maintainer: WRITER },
    });
    await app.deliver("issues", issueOpened(issue));
    await app.settle();
    expect(states(app, 310)).toEqual(["ready"]);

    const v2 = await updatePatchRequest(
      { store: pair.contributor.store },
      { key: v1.key, title: "After The Outage", publish: { allowOffline: true } },
    );
    // r2's review is posted; GitHub fails the edit that marks r1's superseded (as a stop there would leave it).
    app.gh.fail("PATCH", /\/issues\/comments\/\d+$/, { status: 502 });
    await app.deliver("issue_comment", commentCreated(issue, "/refresh", "maintainer"));
    await app.settle();
    expect(states(app, 310)).toEqual(["ready", "ready"]);
    expect(parseMarker(app.gh.botComments(310).at(-1)?.body)).toMatchObject({
      kind: "status",
      state: "failed",
    });

    // The next review of the key (a /refresh, a poll, a replayed event) finds r2 unchanged, and finishes the
    // job: r1's review no longer reads "Ready to apply", and the approve label given for r1 goes.
    const labelled = { ...issue, labels: [APPROVE] };
    await app.deliver("issue_comment", commentCreated(labelled, "/refresh", "maintainer"));
    await app.settle();
    expect(app.failures).toEqual([]);
    expect(states(app, 310)).toEqual(["superseded", "ready"]);
    const [old, current] = reviews(app, 310);
    expect(parseMarker(old?.body)).toMatchObject({ cid: v1.cid.toString(), state: "superseded" });
    expect(parseMarker(current?.body)).toMatchObject({ cid: v2.cid.toString(), state: "ready" });
    expect(app.gh.sent("DELETE", /\/issues\/310\/labels\//)).toHaveLength(1);

    // A further refresh finds nothing left to do: nothing is written.
    const written = writes(app);
    await app.deliver("issue_comment", commentCreated(issue, "/refresh", "maintainer"));
    await app.settle();
    expect(writes(app)).toBe(written);
    expect((await operatorView(pair.operator.store, target.id)).eventIds).toEqual([]);
  });

  it("a reject rule added while a review stands: /refresh says the rules refuse it, and they decide", async () => {
    const target = await createProject(pair.operator.store);
    const patch = await proposeRename(pair.contributor.store, target, "Ruled Later");
    const issue = { number: 311, body: `Patch: ${patch.key}` };
    const app = await apps.start(pair.operator.store, {
      config: configYaml(target.id),
      permissions: { maintainer: WRITER },
    });
    await app.deliver("issues", issueOpened(issue));
    await app.settle();
    const [before] = reviews(app, 311);
    expect(before?.body).toContain("Ready to apply");

    app.gh.setConfig(`${configYaml(target.id)}\n${rejectNames}`);
    // r1 was approved by the label and its apply failed: GitHub shows both labels; the approval stood.
    const labelled = { ...issue, labels: [APPROVE, FAILED] };
    await app.deliver("issue_comment", commentCreated(labelled, "/refresh", "maintainer"));
    await app.settle();
    expect(app.failures).toEqual([]);
    const current = reviews(app, 311).at(-1);
    expect(parseMarker(current?.body)).toMatchObject({ cid: patch.cid.toString(), state: "ready" });
    expect(current?.body).toContain("Refused by a rule");
    expect(current?.body).not.toContain("Ready to apply");
    expect(parseMarker(app.gh.botComments(311).at(-1)?.body)).toMatchObject({
      kind: "status",
      state: "rejected",
    });
    // A rejected version's approval no longer stands: its labels go, as after /reject.
    expect(
      app.gh
        .sent("DELETE", /\/issues\/311\/labels\//)
        .map((r) => decodeURIComponent(r.path.replace(/^.*\/labels\//, "")))
        .sort(),
    ).toEqual([APPROVE, FAILED]);
    expect((await operatorView(pair.operator.store, target.id)).eventIds).toEqual([]);
  });

  it("a reject rule removed while a review stands: /refresh lifts the rules' rejection and its label; added again, it rejects again", async () => {
    const target = await createProject(pair.operator.store);
    const patch = await proposeRename(pair.contributor.store, target, "Ruled Out Once");
    const issue = { number: 312, body: `Patch: ${patch.key}` };
    const app = await apps.start(pair.operator.store, {
      config: `${configYaml(target.id)}\n${rejectNames}`,
      permissions: { maintainer: WRITER },
    });
    await app.deliver("issues", issueOpened(issue));
    await app.settle();
    expect(reviews(app, 312)[0]?.body).toContain("Refused by a rule");
    expect(statuses(app, 312)).toEqual(["rejected"]);
    expect([...app.gh.labels]).toEqual([REJECTED]);

    app.gh.setConfig(configYaml(target.id));
    await app.deliver("issue_comment", commentCreated(labelled(app, issue), "/refresh", "maintainer"));
    await app.settle();
    expect(app.failures).toEqual([]);
    const current = reviews(app, 312).at(-1);
    expect(parseMarker(current?.body)).toMatchObject({ cid: patch.cid.toString(), state: "ready" });
    expect(current?.body).not.toContain("Refused by a rule");
    expect(current?.body).toContain("Ready to apply");
    // The rules' rejection is rewritten in place to what is true now, and its label comes down.
    expect(statuses(app, 312)).toEqual(["lifted"]);
    const lifted = statusComments(app, 312)[0]?.body;
    expect(parseMarker(lifted)).toMatchObject({ key: patch.key, cid: patch.cid.toString() });
    expect(lifted).toContain("**Rejection lifted**");
    expect(lifted).not.toContain("🚫");
    expect([...app.gh.labels]).toEqual([]);

    // A refresh with nothing changed writes nothing.
    const written = writes(app);
    await app.deliver("issue_comment", commentCreated(labelled(app, issue), "/refresh", "maintainer"));
    await app.settle();
    expect(writes(app)).toBe(written);

    // The rule back, with an approve label up: the rules reject it again, and the approval goes.
    app.gh.setConfig(`${configYaml(target.id)}\n${rejectNames}`);
    app.gh.labels.add(APPROVE);
    await app.deliver("issue_comment", commentCreated(labelled(app, issue), "/refresh", "maintainer"));
    await app.settle();
    expect(app.failures).toEqual([]);
    expect(statuses(app, 312)).toEqual(["lifted", "rejected"]);
    expect(reviews(app, 312).at(-1)?.body).toContain("Refused by a rule");
    expect([...app.gh.labels]).toEqual([REJECTED]);

    // Removed again: the second rejection is lifted too.
    app.gh.setConfig(configYaml(target.id));
    await app.deliver("issue_comment", commentCreated(labelled(app, issue), "/refresh", "maintainer"));
    await app.settle();
    expect(statuses(app, 312)).toEqual(["lifted", "lifted"]);
    expect([...app.gh.labels]).toEqual([]);

    // Approved now, it applies, and nothing of the rules' old rejection shows beside it.
    await app.deliver("issue_comment", commentCreated(labelled(app, issue), "/apply", "maintainer"));
    await app.settle();
    expect(app.failures).toEqual([]);
    expect(parseMarker(app.gh.botComments(312).at(-1)?.body)).toMatchObject({ state: "applied" });
    expect((await operatorView(pair.operator.store, target.id)).name).toBe("Ruled Out Once");
    expect([...app.gh.labels]).toEqual(["nomad-patch: applied"]);
  });

  it("a reject rule replaced by an apply rule: /refresh lifts the rejection, and the rules apply the patch", async () => {
    const target = await createProject(pair.operator.store);
    const patch = await proposeRename(pair.contributor.store, target, "Ruled In Later");
    const issue = { number: 318, body: `Patch: ${patch.key}` };
    const app = await apps.start(pair.operator.store, {
      config: `${configYaml(target.id)}\n${rejectNames}`,
      permissions: { maintainer: WRITER },
    });
    await app.deliver("issues", issueOpened(issue));
    await app.settle();
    expect(statuses(app, 318)).toEqual(["rejected"]);

    app.gh.setConfig(`${configYaml(target.id)}\n${applyNames}`);
    await app.deliver("issue_comment", commentCreated(labelled(app, issue), "/refresh", "stranger"));
    await app.settle();
    expect(app.failures).toEqual([]);
    expect(statuses(app, 318)).toEqual(["lifted", "applied"]);
    expect(statusComments(app, 318)[1]?.body).toContain("**Approved by:** the repository's rules");
    expect((await operatorView(pair.operator.store, target.id)).eventIds).toEqual(["UpdateNameAsync"]);
    expect([...app.gh.labels]).toEqual(["nomad-patch: applied"]);
  });

  it("the label left up by a failure between lifting the rejection and taking it down comes down at the next refresh", async () => {
    const target = await createProject(pair.operator.store);
    const patch = await proposeRename(pair.contributor.store, target, "Lifted Halfway");
    const issue = { number: 322, body: `Patch: ${patch.key}` };
    const app = await apps.start(pair.operator.store, {
      config: `${configYaml(target.id)}\n${rejectNames}`,
      permissions: { maintainer: WRITER },
    });
    await app.deliver("issues", issueOpened(issue));
    await app.settle();
    app.gh.setConfig(configYaml(target.id));
    // GitHub fails the label's removal, as a stop there would leave it.
    app.gh.fail("DELETE", /\/issues\/322\/labels\//, { status: 502 });
    await app.deliver("issue_comment", commentCreated(labelled(app, issue), "/refresh", "maintainer"));
    await app.settle();
    expect(statuses(app, 322)[0]).toBe("lifted");
    expect(app.gh.labels.has(REJECTED)).toBe(true);

    // The review and the rejection read true already; the label follows them now.
    await app.deliver("issue_comment", commentCreated(labelled(app, issue), "/refresh", "maintainer"));
    await app.settle();
    expect(app.gh.labels.has(REJECTED)).toBe(false);
    expect(statuses(app, 322)[0]).toBe("lifted");
  });

  it("a stranger's /refresh lifts no person's /reject, and takes down no rejected label the rules did not put up", async () => {
    const target = await createProject(pair.operator.store);
    const rejected = await proposeRename(pair.contributor.store, target, "Rejected By A Person");
    const labelledOnly = await proposeRename(pair.contributor.store, target, "Labelled By A Person");
    const app = await apps.start(pair.operator.store, {
      config: configYaml(target.id),
      permissions: { maintainer: WRITER },
    });
    const byPerson = { number: 319, body: `Patch: ${rejected.key}` };
    await app.deliver("issues", issueOpened(byPerson));
    await app.settle();
    await app.deliver("issue_comment", commentCreated(byPerson, "/reject not this name", "maintainer"));
    await app.settle();
    expect(statuses(app, 319)).toEqual(["rejected"]);
    // A person's label, with no rejection of the bot's on the issue.
    const byLabel = { number: 320, body: `Patch: ${labelledOnly.key}` };
    await app.deliver("issues", issueOpened(byLabel));
    await app.settle();
    app.gh.labels.add(REJECTED);

    const written = writes(app);
    for (const issue of [byPerson, byLabel]) {
      await app.deliver("issue_comment", commentCreated(labelled(app, issue), "/refresh", "stranger"));
      await app.deliver("issue_comment", commentCreated(labelled(app, issue), "/refresh", "maintainer"));
    }
    await app.settle();
    expect(app.failures).toEqual([]);
    expect(writes(app)).toBe(written);
    expect(statuses(app, 319)).toEqual(["rejected"]);
    expect(app.gh.labels.has(REJECTED)).toBe(true);
  });

  it("a flood of strangers' /refresh after the rule was removed lifts the rejection once, with one label write", async () => {
    const target = await createProject(pair.operator.store);
    const patch = await proposeRename(pair.contributor.store, target, "Flooded");
    const issue = { number: 321, body: `Patch: ${patch.key}` };
    const app = await apps.start(pair.operator.store, {
      config: `${configYaml(target.id)}\n${rejectNames}`,
      permissions: { maintainer: WRITER },
    });
    await app.deliver("issues", issueOpened(issue));
    await app.settle();
    expect(statuses(app, 321)).toEqual(["rejected"]);
    const written = writes(app);

    // Thirty people, each within their own refresh limit, all sent before the first is handled: every event
    // shows the label as it was.
    app.gh.setConfig(configYaml(target.id));
    const shown = labelled(app, issue);
    for (let i = 0; i < 30; i++)
      await app.deliver("issue_comment", commentCreated(shown, "/refresh", `stranger-${i}`));
    await app.settle();
    expect(app.failures).toEqual([]);
    expect(statuses(app, 321)).toEqual(["lifted"]);
    expect(app.gh.labels.has(REJECTED)).toBe(false);
    // The review rewritten, the rejection lifted, the label taken down: one write each.
    expect(writes(app) - written).toBe(3);
    expect(app.gh.sent("DELETE", /\/issues\/321\/labels\//)).toHaveLength(1);
    expect(app.gh.sent("POST", "/issues/321/labels")).toHaveLength(1);
  });

  it("the approve label renamed while a review stands: /refresh names the label that approves now", async () => {
    const target = await createProject(pair.operator.store);
    const patch = await proposeRename(pair.contributor.store, target, "Label Renamed");
    const issue = { number: 313, body: `Patch: ${patch.key}` };
    const app = await apps.start(pair.operator.store, {
      config: configYaml(target.id),
      permissions: { maintainer: WRITER },
    });
    await app.deliver("issues", issueOpened(issue));
    await app.settle();
    expect(reviews(app, 313)[0]?.body).toContain(`the label \`${APPROVE}\``);

    app.gh.setConfig(`${configYaml(target.id)}\nlabels:\n  approve: "ship it"`);
    await app.deliver("issue_comment", commentCreated(issue, "/refresh", "maintainer"));
    await app.settle();
    expect(app.failures).toEqual([]);
    const current = reviews(app, 313);
    expect(current).toHaveLength(1);
    expect(parseMarker(current[0]?.body)).toMatchObject({ cid: patch.cid.toString(), state: "ready" });
    expect(current[0]?.body).toContain("the label `ship it`");
    expect(current[0]?.body).not.toContain(APPROVE);
    expect((await operatorView(pair.operator.store, target.id)).eventIds).toEqual([]);
  });
  it("a refresh of an applied version does not review it again as ready to apply", async () => {
    const target = await createProject(pair.operator.store);
    const patch = await proposeRename(pair.contributor.store, target, "Applied Once");
    const issue = { number: 314, body: `Patch: ${patch.key}` };
    const app = await apps.start(pair.operator.store, {
      config: configYaml(target.id),
      permissions: { maintainer: WRITER },
    });
    await app.deliver("issues", issueOpened(issue));
    await app.settle();
    await app.deliver("issue_comment", commentCreated(issue, "/apply", "maintainer"));
    await app.settle();
    expect(parseMarker(app.gh.botComments(314).at(-1)?.body)).toMatchObject({ state: "applied" });

    const written = writes(app);
    const applied = { ...issue, labels: ["nomad-patch: applied"] };
    await app.deliver("issue_comment", commentCreated(applied, "/refresh", "maintainer"));
    await app.settle();
    expect(app.failures).toEqual([]);
    expect(writes(app)).toBe(written);
    expect(states(app, 314)).toEqual(["ready"]);
  });

  it("an apply the app finished but never commented (it stopped in between) is said when the key is next reviewed", async () => {
    const target = await createProject(pair.operator.store);
    const patch = await proposeRename(pair.contributor.store, target, "Applied Quietly");
    const issue = { number: 315, body: `Patch: ${patch.key}` };
    const app = await apps.start(pair.operator.store, {
      config: configYaml(target.id),
      permissions: { maintainer: WRITER },
    });
    await app.deliver("issues", issueOpened(issue));
    await app.settle();
    const review = parseMarker(reviews(app, 315)[0]?.body);
    if (review?.kind !== "review" || !review.cid || !review.result) throw new Error("no approvable review");

    // What the stopped process did before its comment: the apply, recorded in the data directory's journal.
    const journal = await openFileJournal(app.dataDir);
    const limits = { maxEntries: 50, maxBytes: 4 * 1024 * 1024, resolveTimeoutMs: 10_000 };
    const targets = [{ id: target.id, module: "wac-project" }];
    const approved = { expectPatchCid: review.cid, expectResultCid: review.result };
    await applyPatch(
      { store: pair.operator.store, journal },
      { key: patch.key, ...approved, targets, limits },
    );
    const published = (await operatorView(pair.operator.store, target.id)).published;

    // The replayed event (here a redelivery of the opening) reviews the key again: the issue now says applied.
    await app.deliver("issues", issueOpened(issue), "replayed-opening");
    await app.settle();
    expect(app.failures).toEqual([]);
    expect(states(app, 315)).toEqual(["ready"]);
    const outcome = app.gh.botComments(315).at(-1);
    expect(parseMarker(outcome?.body)).toEqual({
      kind: "status",
      v: 1,
      state: "applied",
      key: patch.key,
      cid: review.cid,
    });
    expect(outcome?.body).toContain(
      `**New roaming value:** \`${published}\` (exactly the predicted result ✔)`,
    );
    expect(outcome?.body).not.toContain("Approved by");
    expect([...app.gh.labels]).toEqual(["nomad-patch: applied"]);
    expect(app.watcher.list.get(`${REPO.owner}/${REPO.repo}`, 315, patch.key)).toBeUndefined();
    expect((await operatorView(pair.operator.store, target.id)).eventIds).toEqual(["UpdateNameAsync"]);

    // Said once: the next review of the key finds it said.
    const written = writes(app);
    await app.deliver("issue_comment", commentCreated(issue, "/refresh", "maintainer"));
    await app.settle();
    expect(writes(app)).toBe(written);
  });
  it("a 502 on the outcome comment: a /refresh, not only a second approval, then says the patch was applied", async () => {
    const target = await createProject(pair.operator.store);
    const patch = await proposeRename(pair.contributor.store, target, "Said Later");
    const issue = { number: 316, body: `Patch: ${patch.key}` };
    const app = await apps.start(pair.operator.store, {
      config: configYaml(target.id),
      permissions: { maintainer: WRITER },
    });
    await app.deliver("issues", issueOpened(issue));
    await app.settle();
    app.gh.fail("POST", "/issues/316/comments", { status: 502 });
    await app.deliver("issue_comment", commentCreated(issue, "/apply", "maintainer"));
    await app.settle();
    const failed = app.gh.botComments(316).at(-1);
    expect(parseMarker(failed?.body)).toMatchObject({ kind: "status", state: "failed" });
    expect(failed?.body).toContain("**was applied**");
    expect(app.gh.labels.has("nomad-patch: applied")).toBe(false);

    await app.deliver("issue_comment", commentCreated(issue, "/refresh", "maintainer"));
    await app.settle();
    expect(app.failures).toEqual([]);
    expect(states(app, 316)).toEqual(["ready"]);
    expect(parseMarker(app.gh.botComments(316).at(-1)?.body)).toMatchObject({
      kind: "status",
      state: "applied",
      cid: patch.cid.toString(),
    });
    expect([...app.gh.labels]).toEqual(["nomad-patch: applied"]);
    expect((await operatorView(pair.operator.store, target.id)).eventIds).toEqual(["UpdateNameAsync"]);
  });
  it("a key applied through a 502 on its outcome is no standing failure: another key's revision takes the labels down", async () => {
    const target = await createProject(pair.operator.store);
    const a = await proposeRename(pair.contributor.store, target, "Name A");
    const b1 = await proposeRename(pair.contributor.store, target, "Name B");
    const issue = { number: 317, body: `Patch: ${a.key}\nPatch: ${b1.key}` };
    const app = await apps.start(pair.operator.store, {
      config: configYaml(target.id),
      permissions: { maintainer: WRITER },
    });
    await app.deliver("issues", issueOpened(issue));
    await app.settle();
    expect(states(app, 317)).toEqual(["ready", "ready"]);

    // A is approved by name (the label is up too) and applied; GitHub loses the outcome comment.
    app.gh.labels.add(APPROVE);
    app.gh.fail("POST", "/issues/317/comments", { status: 502 });
    const command = `/apply ${a.cid.toString().slice(0, 20)}`;
    await app.deliver(
      "issue_comment",
      commentCreated({ ...issue, labels: [APPROVE] }, command, "maintainer"),
    );
    await app.settle();
    expect(app.gh.botComments(317).at(-1)?.body).toContain("**was applied**");

    // B's contributor republishes; the poll reviews B alone. A's approval was carried out: nothing stands.
    const b2 = await updatePatchRequest(
      { store: pair.contributor.store },
      { key: b1.key, title: "Name B, retitled", publish: { allowOffline: true } },
    );
    await app.poll(11 * 60_000);
    expect(app.failures).toEqual([]);
    const reviewOfB = reviews(app, 317).at(-1);
    expect(parseMarker(reviewOfB?.body)).toMatchObject({ key: b1.key, cid: b2.cid.toString() });
    expect(reviewOfB?.body).not.toContain(a.key);
    expect(app.gh.labels.has(APPROVE)).toBe(false);
  });
});
