import { randomBytes } from "node:crypto";
import { base36 } from "multiformats/bases/base36";
import { CID } from "multiformats/cid";
import * as Digest from "multiformats/hashes/digest";
import nock from "nock";
import { describe, expect, it } from "vitest";
import { LIBP2P_KEY_CODE } from "../../../src/nomad/ipns-name.js";
import { parseMarker } from "../../../src/render/marker.js";
import { putProposedEntries } from "../../../src/service/propose-entries.js";
import { updatePatchRequest } from "../../../src/service/propose-update.js";
import { putValueUpdate } from "../../../src/service/value-update-content.js";
import { API, fakeGitHub } from "./github-fake.js";
import { appPerTest, BOT, kuboPairPerSuite } from "./harness.js";
import { configYaml, createProject, operatorView, proposeRename } from "./nomad-data.js";
import { commentCreated, inRepository, issueOpened, issueTransferred, REPO } from "./payloads.js";

const WRITER = { permission: "write", role_name: "write" };
const ADMIN = { permission: "admin", role_name: "admin" };
const MINUTE = 60_000;
const OLD = { number: 5 };
const NEW_HOME = { owner: REPO.owner, repo: "New-Home", number: 7 };

/** A well-formed IPNS name (an Ed25519 key's) that nobody ever published. */
function unpublishedKey(): string {
  const publicKey = new Uint8Array([0x08, 0x01, 0x12, 0x20, ...randomBytes(32)]);
  return CID.createV1(LIBP2P_KEY_CODE, Digest.create(0x00, publicKey)).toString(base36);
}

describe("the GitHub App: a watched issue transferred to another repository", () => {
  const pair = kuboPairPerSuite();
  const apps = appPerTest();

  it("stops speaking on the old issue and under the old repository's rules, and applies once on the new one", async () => {
    const target = await createProject(pair.operator.store);
    const v1 = await proposeRename(pair.contributor.store, target, "Before The Move");
    const app = await apps.start(pair.operator.store, {
      config: configYaml(target.id),
      permissions: { maintainer: WRITER },
    });
    const fresh = fakeGitHub({
      ...NEW_HOME,
      botLogin: BOT,
      config: configYaml(target.id),
      permissions: { maintainer: WRITER },
    });
    const body = `Patch: ${v1.key}`;
    await app.deliver("issues", issueOpened({ ...OLD, body }));
    await app.settle();
    expect(app.failures).toEqual([]);
    expect(app.gh.botComments(OLD.number).map((c) => parseMarker(c.body))).toMatchObject([
      { kind: "review", state: "ready" },
    ]);
    const oldRepo = `${REPO.owner}/${REPO.repo}`;
    expect(app.watcher.list.get(oldRepo, OLD.number, v1.key)).toBeDefined();

    // The old repository would now apply any rename on its own; the new one leaves it to a person.
    app.gh.setConfig(
      `${configYaml(target.id)}\nrules:\n  - match: { eventId: UpdateNameAsync }\n    action: apply\n`,
    );
    // GitHub moves the issue with its comments; the old address answers with a redirect to the new one.
    for (const comment of app.gh.botComments(OLD.number))
      fresh.comments.push({ ...comment, id: comment.id + 100_000, issue: NEW_HOME.number });
    nock(API)
      .persist()
      .get(`/repos/${REPO.owner}/${REPO.repo}/issues/${OLD.number}`)
      .optionally()
      .reply(
        301,
        { message: "Moved Permanently" },
        {
          location: `${API}/repos/${NEW_HOME.owner}/${NEW_HOME.repo}/issues/${NEW_HOME.number}`,
        },
      );
    const before = app.gh.requests.length;
    // The old repository hears `transferred`, the new one `opened`, in no set order.
    await app.deliver("issues", issueTransferred({ ...OLD, body }, NEW_HOME, "maintainer"));
    await app.deliver("issues", inRepository(issueOpened({ number: NEW_HOME.number, body }), NEW_HOME.repo));
    await app.settle();
    expect(app.failures).toEqual([]);
    // The log says where the issue went.
    expect(
      app.logs.some(
        (l) =>
          /issue transferred to another repository/.test(l.msg) &&
          l.to === `${NEW_HOME.owner}/${NEW_HOME.repo}#${NEW_HOME.number}`,
      ),
    ).toBe(true);

    // The contributor republishes the key; a polling round comes.
    const extra = await putProposedEntries(pair.contributor.store, [
      {
        targetId: target.id,
        eventId: "UpdateNameAsync",
        content: await putValueUpdate(pair.contributor.store, { value: "After The Move" }),
      },
    ]);
    const v2 = await updatePatchRequest(
      { store: pair.contributor.store },
      { key: v1.key, title: "Rename twice", addEntries: extra, publish: { allowOffline: true } },
    );
    await app.poll(11 * MINUTE);
    expect(app.failures).toEqual([]);

    // Nothing read or written on the old repository since the transfer: not its rules, not the old number.
    expect(app.gh.requests.slice(before)).toEqual([]);
    expect(app.watcher.list.get(oldRepo, OLD.number, v1.key)).toBeUndefined();
    // The old repository's apply rule applied nothing.
    expect((await operatorView(pair.operator.store, target.id)).eventIds).toEqual([]);
    // The new issue has r2 under review, by the new repository's configuration.
    const latest = fresh
      .botComments(NEW_HOME.number)
      .map((c) => parseMarker(c.body))
      .filter((m) => m?.kind === "review")
      .at(-1);
    expect(latest).toMatchObject({ kind: "review", state: "ready", cid: v2.cid.toString() });

    // The approval comes on the new issue, checked against the new repository's permissions; twice.
    const approve = inRepository(
      commentCreated({ number: NEW_HOME.number, body }, "/apply", "maintainer"),
      NEW_HOME.repo,
    );
    await app.deliver("issue_comment", approve);
    await app.settle();
    const again = inRepository(
      commentCreated({ number: NEW_HOME.number, body }, "/apply", "maintainer"),
      NEW_HOME.repo,
    );
    await app.deliver("issue_comment", again);
    await app.settle();
    expect(app.failures).toEqual([]);
    expect(fresh.sent("GET", "/collaborators/maintainer/permission").length).toBeGreaterThan(0);
    const renames = (await operatorView(pair.operator.store, target.id)).eventIds;
    expect(renames.filter((id) => id === "UpdateNameAsync")).toHaveLength(2);
    const states = fresh
      .botComments(NEW_HOME.number)
      .map((c) => parseMarker(c.body))
      .filter((m) => m?.kind === "status")
      .map((m) => (m as { state?: string }).state);
    expect(states.filter((s) => s === "applied")).toHaveLength(1);
    expect(app.gh.requests.slice(before)).toEqual([]);
  });

  it("stops watching an issue whose transfer it never heard of once GitHub's answer comes from elsewhere", async () => {
    const target = await createProject(pair.operator.store);
    const v1 = await proposeRename(pair.contributor.store, target, "Moved Unheard");
    const app = await apps.start(pair.operator.store, {
      config: configYaml(target.id),
      permissions: { maintainer: WRITER },
    });
    const fresh = fakeGitHub({ ...NEW_HOME, botLogin: BOT, config: configYaml(target.id) });
    await app.deliver("issues", issueOpened({ ...OLD, body: `Patch: ${v1.key}` }));
    await app.settle();
    const oldRepo = `${REPO.owner}/${REPO.repo}`;
    expect(app.watcher.list.get(oldRepo, OLD.number, v1.key)).toBeDefined();

    // The app was down when the issue moved; the old repository would now apply any rename on its own.
    app.gh.setConfig(
      `${configYaml(target.id)}\nrules:\n  - match: { eventId: UpdateNameAsync }\n    action: apply\n`,
    );
    const location = `${API}/repos/${NEW_HOME.owner}/${NEW_HOME.repo}/issues/${NEW_HOME.number}`;
    app.gh.fail("GET", `/issues/${OLD.number}`, { status: 301, headers: { location } });
    const before = app.gh.requests.length;
    await updatePatchRequest(
      { store: pair.contributor.store },
      { key: v1.key, title: "Renamed while moving", publish: { allowOffline: true } },
    );
    await app.poll(11 * MINUTE);
    expect(app.failures).toEqual([]);

    // One read of the old address, answered from the new issue; then nothing: no configuration, no write.
    expect(app.gh.requests.slice(before).map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET /repos/${oldRepo}/issues/${OLD.number}`,
    ]);
    expect(fresh.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET /repos/${NEW_HOME.owner}/${NEW_HOME.repo}/issues/${NEW_HOME.number}`,
    ]);
    expect(app.watcher.list.get(oldRepo, OLD.number, v1.key)).toBeUndefined();
    expect((await operatorView(pair.operator.store, target.id)).eventIds).toEqual([]);
    expect(app.logs.some((l) => /answers from elsewhere now \(transferred\)/.test(l.msg))).toBe(true);
  });

  it("does nothing on the old number for an event that was still waiting in its lane when the transfer came", async () => {
    const target = await createProject(pair.operator.store);
    const app = await apps.start(pair.operator.store, {
      config: configYaml(target.id, "limits:\n  resolveTimeoutSeconds: 1"),
      permissions: { maintainer: ADMIN },
    });
    // A key nobody published keeps the issue's lane busy for the resolve's second; a `/hold` waits behind it.
    await app.deliver(
      "issue_comment",
      commentCreated({ ...OLD, body: "" }, `Patch: ${unpublishedKey()}`, "contributor"),
    );
    await app.deliver("issue_comment", commentCreated({ ...OLD, body: "" }, "/hold", "maintainer"));
    await app.deliver("issues", issueTransferred({ ...OLD, body: "" }, NEW_HOME, "maintainer"));
    await app.settle();
    expect(app.failures).toEqual([]);
    expect(app.gh.sent("POST", `/issues/${OLD.number}/labels`)).toEqual([]);
    expect(app.gh.botComments(OLD.number).filter((c) => parseMarker(c.body)?.state === "held")).toEqual([]);
    expect(
      app.logs.filter(
        (l) => l.msg === "the issue was transferred since this event: nothing done on its old number",
      ),
    ).toHaveLength(1);
  });
});
