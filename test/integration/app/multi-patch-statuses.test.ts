import { describe, expect, it } from "vitest";
import { IpfsTimeoutError } from "../../../src/ipfs/errors.js";
import { parseMarker } from "../../../src/render/marker.js";
import { updatePatchRequest } from "../../../src/service/propose-update.js";
import { withFault } from "../faults/fault-store.js";
import { appPerTest, kuboPairPerSuite, type TestApp } from "./harness.js";
import { configYaml, createProject, operatorView, proposeRename } from "./nomad-data.js";
import { commentCreated, issueEdited, issueLabeled, issueOpened } from "./payloads.js";

const WRITER = { permission: "write", role_name: "write" };
const ADMIN = { permission: "admin", role_name: "admin" };
const APPROVE = "nomad-patch: approve";
const FAILED = "nomad-patch: failed";

/** The labels the app took off issue `n`, in order. */
const removed = (app: TestApp, n: number) =>
  app.gh
    .sent("DELETE", new RegExp(`/issues/${n}/labels/`))
    .map((r) => decodeURIComponent(r.path.replace(/^.*\/labels\//, "")));

/** The bot's last status comment about `key`: what stands for it. */
const lastStatus = (app: TestApp, n: number, key: string) =>
  app.gh
    .botComments(n)
    .map((c) => parseMarker(c.body))
    .filter((m) => m?.kind === "status" && m.key === key)
    .at(-1);

/**
 * An issue with two patches: key B was approved by the label and its apply failed; key A is another
 * contributor's. A's revisions and A's apply are about A: they must not take down the labels that say
 * B's approval failed, and only the last key to leave a failure behind takes them down.
 */
describe("the GitHub App: statuses on an issue with several patches stay true", () => {
  const pair = kuboPairPerSuite();
  const apps = appPerTest();

  it("a revision or an apply of one key leaves another key's failed apply and its approval label up; the last one takes them down", async () => {
    const target = await createProject(pair.operator.store);
    const b = await proposeRename(pair.contributor.store, target, "Name B");
    const a1 = await proposeRename(pair.contributor.store, target, "Name A");
    // B's apply is the first to pin: it fails (recorded failed) before anything is published.
    const faulty = withFault(pair.operator.store, { method: "pin", nth: 1 }, async () => {
      throw new IpfsTimeoutError("pin add", 3000);
    });
    const app = await apps.start(faulty, {
      config: configYaml(target.id),
      permissions: { maintainer: WRITER, owner: ADMIN },
    });
    const n = 95;
    const onlyB = { number: n, body: `Patch: ${b.key}` };
    await app.deliver("issues", issueOpened(onlyB));
    await app.settle();
    // The label is on the issue, as GitHub has it when it sends the event.
    app.gh.labels.add(APPROVE);
    await app.deliver("issues", issueLabeled(onlyB, APPROVE, "maintainer"));
    await app.settle();
    expect(lastStatus(app, n, b.key)).toMatchObject({ state: "failed", cid: b.cid.toString() });
    expect(app.gh.labels.has(FAILED)).toBe(true);

    // A second contributor's key joins the issue, labelled as GitHub now shows it.
    const both = { number: n, body: `Patch: ${b.key}\nPatch: ${a1.key}`, labels: [APPROVE, FAILED] };
    await app.deliver("issues", issueEdited(both, "contributor"));
    await app.settle();

    // The contributor revises A and asks for a refresh: A's r2 is reviewed; B's failure still stands.
    const a2 = await updatePatchRequest(
      { store: pair.contributor.store },
      { key: a1.key, title: "Name A, retitled", publish: { allowOffline: true } },
    );
    await app.deliver("issue_comment", commentCreated(both, "/refresh", "contributor"));
    await app.settle();
    expect(app.failures).toEqual([]);
    const reviewOfA = app.gh
      .botComments(n)
      .map((c) => parseMarker(c.body))
      .filter((m) => m?.kind === "review" && m.key === a1.key)
      .at(-1);
    expect(reviewOfA).toMatchObject({ cid: a2.cid.toString(), state: "ready" });
    // Its comment says whose the labels are.
    const reviewText = app.gh.botComments(n).findLast((c) => c.body.includes(a2.cid.toString()))?.body;
    expect(reviewText).toContain(
      `The issue's approve and failed labels stay: they are about the failed apply of \`${b.key}\` (version \`${b.cid}\`), which still stands, not about this patch.`,
    );
    expect(removed(app, n)).toEqual([]);
    expect(lastStatus(app, n, b.key)).toMatchObject({ state: "failed", cid: b.cid.toString() });

    // An approval of A's r1, sent after the revision, applies nothing: neither r1 nor r2.
    await app.deliver(
      "issue_comment",
      commentCreated(both, `/apply ${a1.cid.toString().slice(0, 20)}`, "maintainer"),
    );
    await app.settle();
    expect((await operatorView(pair.operator.store, target.id)).eventIds).toEqual([]);
    expect(lastStatus(app, n, a1.key)).toBeUndefined();

    // A's r2 applied: B's failure and its label approval still stand.
    await app.deliver(
      "issue_comment",
      commentCreated(both, `/apply ${a2.cid.toString().slice(0, 20)}`, "maintainer"),
    );
    await app.settle();
    expect(lastStatus(app, n, a1.key)).toMatchObject({ state: "applied", cid: a2.cid.toString() });
    expect(removed(app, n)).toEqual([]);

    // B applied on a second approval (an admin's: it renames what A renamed): no failure is left on the
    // issue, and both labels go.
    await app.deliver(
      "issue_comment",
      commentCreated(both, `/apply ${b.cid.toString().slice(0, 20)}`, "owner"),
    );
    await app.settle();
    expect(app.failures).toEqual([]);
    expect(lastStatus(app, n, b.key)).toMatchObject({ state: "applied", cid: b.cid.toString() });
    expect(removed(app, n).sort()).toEqual([APPROVE, FAILED]);
  });
});
