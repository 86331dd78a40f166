import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nock from "nock";
import type { Probot } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createWorkQueue } from "../../../src/app/work-queue.js";
import { KuboUnavailableError } from "../../../src/ipfs/errors.js";
import type { IpfsStore } from "../../../src/ipfs/store.js";
import { parseMarker } from "../../../src/render/marker.js";
import { openFileJournal } from "../../../src/service/apply-journal.js";
import { updatePatchRequest } from "../../../src/service/propose-update.js";
import { fakeGitHub } from "./github-fake.js";
import { BOT, kuboPairPerSuite, loadApp } from "./harness.js";
import { recordLogs } from "./log-recorder.js";
import { configYaml, createProject, operatorView, proposeRename } from "./nomad-data.js";
import { commentCreated, issueOpened, REPO } from "./payloads.js";
import { type StopPoint, type StoreFault, stoppingAt } from "./stopped-process.js";

type Delivery = Parameters<Probot["receive"]>[0];

const WRITER = { permission: "write", role_name: "write" };
const APPLY_NAMES = ["rules:", "  - match: { eventId: UpdateNameAsync }", "    action: apply"].join("\n");
const FAILED = "nomad-patch: failed";
/** Kubo refuses the import of the entries: the apply records `failed`, nothing was published. */
const IMPORT_REFUSED: StoreFault = {
  store: "importBlocks",
  error: () => new KuboUnavailableError("http://127.0.0.1:5001"),
};
const AT_FAILED: StopPoint = { journal: "failed" };

/**
 * An apply whose outcome the app had not said when it stopped dead (docs/decisions.md, "An automatic apply
 * cut short by a stop is finished by the key's next review"): the issue must still come to say the truth,
 * once, and approving again must still work.
 */
describe("the GitHub App: an apply's outcome reaches the issue after a stop", () => {
  const pair = kuboPairPerSuite();
  let dataDir = "";
  beforeEach(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect(/127\.0\.0\.1|localhost/);
    dataDir = await mkdtemp(join(tmpdir(), "nomad-patch-apply-stopped-"));
  });
  afterEach(async () => {
    nock.cleanAll();
    await rm(dataDir, { recursive: true, force: true });
  });

  const queueRecords = async () =>
    (await readdir(join(dataDir, "queue")).catch(() => [] as string[])).filter((n) => n.endsWith(".json"));
  const journalState = async (cid: string) => (await (await openFileJournal(dataDir)).get(cid))?.state;
  const markers = (gh: ReturnType<typeof fakeGitHub>, number: number) =>
    gh.botComments(number).map((c) => parseMarker(c.body));
  const writes = (gh: ReturnType<typeof fakeGitHub>) =>
    gh.requests.filter((r) => r.method !== "GET" && !r.path.endsWith("/reactions")).length;

  /** The next process on the same data directory; it replays what is left in the queue directory. */
  async function nextProcess(store: IpfsStore = pair.operator.store) {
    const failures: unknown[] = [];
    const queue = createWorkQueue((error) => failures.push(error));
    const app = await loadApp(store, dataDir, queue, recordLogs());
    await queue.idle();
    let n = 0;
    const deliver = async (name: "issues" | "issue_comment", payload: object) => {
      await app.receive({ id: `next-${++n}`, name, payload } as Delivery);
      await queue.idle();
    };
    return { app, queue, failures, deliver };
  }

  /** A first process that stops at `point`, after `fault` (if any) made the apply fail. */
  async function firstProcess(point: StopPoint, fault?: StoreFault) {
    const first = stoppingAt(pair.operator.store, point, fault);
    const queue = createWorkQueue();
    const app = await loadApp(first.store, dataDir, queue, recordLogs(), { journal: first.journal });
    return { app, queue, stop: first.stop };
  }

  /** A target, a rename of it proposed, and an issue posting the key, on a GitHub where `maintainer` writes. */
  async function patchOnIssue(number: number, name: string, options: { readonly rules?: boolean } = {}) {
    const target = await createProject(pair.operator.store);
    const patch = await proposeRename(pair.contributor.store, target, name);
    const config = options.rules ? `${configYaml(target.id)}\n${APPLY_NAMES}` : configYaml(target.id);
    const gh = fakeGitHub({ ...REPO, botLogin: BOT, config, permissions: { maintainer: WRITER } });
    return { target, patch, gh, issue: { number, body: `Patch: ${patch.key}` }, cid: patch.cid.toString() };
  }

  /**
   * A first process that reviews the issue and takes a maintainer's /apply whose import Kubo refuses; it stops
   * once the journal says `failed`, before the issue hears of it.
   */
  async function applyFailedThenStopped(issue: { readonly number: number; readonly body: string }) {
    const first = await firstProcess(AT_FAILED, IMPORT_REFUSED);
    await first.app.receive({ id: "opened", name: "issues", payload: issueOpened(issue) } as Delivery);
    await first.queue.idle();
    const apply = commentCreated(issue, "/apply", "maintainer");
    await first.app.receive({ id: "apply", name: "issue_comment", payload: apply } as Delivery);
    await first.stop;
  }

  /** The failure a stop kept from the issue, as the live path words it. */
  function expectKuboFailure(body: string | undefined) {
    expect(body).toContain("### ❌ Apply failed");
    expect(body).toContain("The bot's IPFS node cannot be reached right now. `KUBO_UNAVAILABLE`");
    expect(body).toContain("Nothing was published");
    expect(body).toContain("Comment `/apply` to try again.");
  }

  it("a rules-driven apply that failed and stopped before saying so: the replayed review says it once; /apply then applies", async () => {
    const { target, patch, gh, issue, cid } = await patchOnIssue(450, "Failed Quietly", { rules: true });
    const first = await firstProcess(AT_FAILED, IMPORT_REFUSED);
    await first.app.receive({ id: "opened", name: "issues", payload: issueOpened(issue) } as Delivery);
    await first.stop;
    expect(markers(gh, 450)).toMatchObject([{ kind: "review", cid, state: "ready" }]);
    expect(await journalState(cid)).toBe("failed");
    expect(await queueRecords()).toHaveLength(1);

    // The next process replays the opening: the review finds the same version, and says the failure.
    const next = await nextProcess();
    expect(next.failures).toEqual([]);
    expect(markers(gh, 450)).toMatchObject([
      { kind: "review", state: "ready" },
      { kind: "status", state: "failed", key: patch.key, cid },
    ]);
    expectKuboFailure(gh.botComments(450).at(-1)?.body);
    expect([...gh.labels]).toEqual([FAILED]);
    expect((await operatorView(pair.operator.store, target.id)).eventIds).toEqual([]);

    // Never twice: a stranger's /refresh and a redelivery of the opening find it said.
    const written = writes(gh);
    await next.deliver("issue_comment", commentCreated(issue, "/refresh", "stranger"));
    await next.deliver("issues", issueOpened(issue));
    expect(writes(gh)).toBe(written);

    // A person approves again: the apply plans afresh and is applied, once.
    const labelled = { ...issue, labels: [...gh.labels] };
    await next.deliver("issue_comment", commentCreated(labelled, "/apply", "maintainer"));
    expect(next.failures).toEqual([]);
    expect(markers(gh, 450).at(-1)).toMatchObject({ kind: "status", state: "applied", cid });
    expect(gh.botComments(450).at(-1)?.body).toContain("**Approved by:** maintainer");
    expect([...gh.labels]).toEqual(["nomad-patch: applied"]);
    expect((await operatorView(pair.operator.store, target.id)).eventIds).toEqual(["UpdateNameAsync"]);
  });

  it("a person's /apply that failed and stopped: its replay approves again, and the issue says one outcome", async () => {
    const { target, gh, issue, cid } = await patchOnIssue(451, "Failed Then Replayed");
    await applyFailedThenStopped(issue);
    expect(markers(gh, 451)).toMatchObject([{ kind: "review", cid, state: "ready" }]);
    expect(await journalState(cid)).toBe("failed");

    // The /apply is still queued: the next process runs it again, the same person's approval, and Kubo
    // takes the entries now. One outcome, no failure said of an attempt the approval's replay replaced.
    const next = await nextProcess();
    expect(next.failures).toEqual([]);
    expect(markers(gh, 451)).toMatchObject([
      { kind: "review", state: "ready" },
      { kind: "status", state: "applied", cid },
    ]);
    expect(gh.botComments(451).at(-1)?.body).toContain("**Approved by:** maintainer");
    expect((await operatorView(pair.operator.store, target.id)).eventIds).toEqual(["UpdateNameAsync"]);
    expect(await queueRecords()).toEqual([]);
  });

  it("a person's /apply that failed and stopped, its event lost: the key's next review says the failure once", async () => {
    const { target, patch, gh, issue, cid } = await patchOnIssue(452, "Failed And Lost");
    await applyFailedThenStopped(issue);
    // Its record is gone (the app ran without its queue on disk, or gave the record up): nothing replays it.
    await rm(join(dataDir, "queue"), { recursive: true, force: true });

    const next = await nextProcess();
    expect(markers(gh, 452)).toEqual([expect.objectContaining({ kind: "review" })]);
    // Anyone's /refresh reviews the key: the same version, whose failure the issue never heard of.
    await next.deliver("issue_comment", commentCreated(issue, "/refresh", "stranger"));
    expect(next.failures).toEqual([]);
    expect(markers(gh, 452)).toMatchObject([
      { kind: "review", state: "ready" },
      { kind: "status", state: "failed", key: patch.key, cid },
    ]);
    expectKuboFailure(gh.botComments(452).at(-1)?.body);
    expect([...gh.labels]).toEqual([FAILED]);
    const written = writes(gh);
    await next.deliver("issue_comment", commentCreated(issue, "/refresh", "stranger"));
    expect(writes(gh)).toBe(written);

    expect((await operatorView(pair.operator.store, target.id)).eventIds).toEqual([]);
  });

  it("a failure recorded for an older version the issue moved past is never said", async () => {
    const { patch, gh, issue } = await patchOnIssue(453, "Moved Past");
    await applyFailedThenStopped(issue);
    await rm(join(dataDir, "queue"), { recursive: true, force: true });

    // The key moved on before anything reviewed it again: the review is of the new version only.
    const v2 = await updatePatchRequest(
      { store: pair.contributor.store },
      { key: patch.key, title: "Moved Past, again", publish: { allowOffline: true } },
    );
    const next = await nextProcess();
    await next.deliver("issue_comment", commentCreated(issue, "/refresh", "stranger"));
    expect(next.failures).toEqual([]);
    expect(markers(gh, 453)).toMatchObject([
      { kind: "review", state: "superseded" },
      { kind: "review", cid: v2.cid.toString(), state: "ready" },
    ]);
    expect([...gh.labels]).toEqual([]);
  });

  const HELD = "nomad-patch: held";
  const pinning = (args: unknown[]) => (args[1] as { pin?: boolean } | undefined)?.pin === true;
  const holdPoints: { readonly name: string; readonly point: StopPoint; readonly wins: boolean }[] = [
    { name: "after its plan was recorded", point: { journal: "planned" }, wins: true },
    {
      name: "after the entries were written, before the local publish",
      point: { store: "publishName", nth: 1 },
      wins: true,
    },
    {
      name: "after the local publish, before the journal recorded it",
      point: { journal: "local-published", before: true },
      wins: false,
    },
    { name: "after the local publish was recorded", point: { journal: "local-published" }, wins: false },
    {
      name: "after the roaming publish, before the outcome was recorded",
      point: { store: "dagPut", nth: 1, match: pinning },
      wins: false,
    },
  ];

  for (const [i, { name, point, wins }] of holdPoints.entries()) {
    it(`a hold put on while an apply stopped ${name} ${wins ? "wins: nothing is published" : "comes too late: the apply is finished, and says why"}`, async () => {
      const number = 460 + i;
      const { target, patch, gh, issue, cid } = await patchOnIssue(number, `Held ${i}`, { rules: true });
      // A proposal is the contributor's: the target as it was before any apply.
      const before = await operatorView(pair.operator.store, target.id);

      const first = await firstProcess(point);
      await first.app.receive({ id: `opened-${i}`, name: "issues", payload: issueOpened(issue) } as Delivery);
      await first.stop;
      // While the app is down, a maintainer puts the hold label on by hand (its event asks nothing of the app).
      gh.labels.add(HELD);

      const next = await nextProcess();
      expect(next.failures).toEqual([]);
      const view = await operatorView(pair.operator.store, target.id);
      if (wins) {
        expect(markers(gh, number)).toMatchObject([
          { kind: "review", state: "ready", cid },
          { kind: "status", state: "held", key: patch.key, cid },
        ]);
        const said = gh.botComments(number).at(-1)?.body;
        expect(said).toContain("✋ **Apply held**");
        expect(said).toContain("nothing was published, and the target is as it was");
        expect(await journalState(cid)).toBe("held");
        expect(view.eventIds).toEqual([]);
        expect(view.published).toBe(before.published);
        expect([...gh.labels]).toEqual([HELD]);
      } else {
        expect(markers(gh, number)).toMatchObject([
          { kind: "review", state: "ready", cid },
          { kind: "status", state: "applied", key: patch.key, cid },
        ]);
        const said = gh.botComments(number).at(-1)?.body;
        expect(said).toContain("✋ **The hold came too late**");
        expect(said).toContain("**Approved by:** the repository's rules");
        expect(await journalState(cid)).toBe("done");
        expect(view.eventIds).toEqual(["UpdateNameAsync"]);
        expect(view.name).toBe(`Held ${i}`);
      }

      // Said once: a redelivery of the opening and a stranger's /refresh write nothing.
      const written = writes(gh);
      await next.deliver("issues", issueOpened({ ...issue, labels: [...gh.labels] }));
      await next.deliver("issue_comment", commentCreated(issue, "/refresh", "stranger"));
      expect(writes(gh)).toBe(written);
      if (!wins) return;

      // The hold lifted, a person's approval plans afresh and applies it, once.
      gh.labels.delete(HELD);
      await next.deliver("issue_comment", commentCreated(issue, "/apply", "maintainer"));
      expect(next.failures).toEqual([]);
      expect(markers(gh, number).at(-1)).toMatchObject({ kind: "status", state: "applied", cid });
      expect((await operatorView(pair.operator.store, target.id)).eventIds).toEqual(["UpdateNameAsync"]);
    });
  }

  it("a /hold whose job comes after the replayed apply it would have stopped says it came too late", async () => {
    const { patch, gh, issue, cid } = await patchOnIssue(470, "Held Too Late", { rules: true });
    const first = await firstProcess({ journal: "planned" });
    await first.app.receive({ id: "opened", name: "issues", payload: issueOpened(issue) } as Delivery);
    await first.stop;
    // The opening replays first and finishes the apply; the /hold, sent after it, runs after it.
    const next = await nextProcess();
    await next.deliver("issue_comment", commentCreated(issue, "/hold", "maintainer"));
    expect(next.failures).toEqual([]);
    expect(markers(gh, 470)).toMatchObject([
      { kind: "review", state: "ready" },
      { kind: "status", state: "applied", cid },
      { kind: "status", state: "held", key: patch.key, cid },
    ]);
    const said = gh.botComments(470).at(-1)?.body;
    expect(said).toContain(`**too late for patch \`${patch.key}\`**: it was applied before the hold came`);
    expect(said).not.toContain("will not be applied");
    expect([...gh.labels].sort()).toEqual(["nomad-patch: applied", HELD]);
  });

  it("live: a /hold sent before an /apply wins, though the /apply's event does not show the hold's label yet", async () => {
    const { target, patch, gh, issue } = await patchOnIssue(471, "Held Live");
    const next = await nextProcess();
    await next.deliver("issues", issueOpened(issue));

    // Both sent before either job ran: GitHub's payload of the /apply has no hold label.
    await next.app.receive({
      id: "hold",
      name: "issue_comment",
      payload: commentCreated(issue, "/hold", "maintainer"),
    } as Delivery);
    await next.app.receive({
      id: "apply",
      name: "issue_comment",
      payload: commentCreated(issue, "/apply", "maintainer"),
    } as Delivery);
    await next.queue.idle();
    expect(next.failures).toEqual([]);
    expect(markers(gh, 471).map((m) => m?.state)).toEqual(["ready", "held", "held"]);
    expect(gh.botComments(471).at(-1)?.body).toContain("this issue is on hold");
    expect((await operatorView(pair.operator.store, target.id)).eventIds).toEqual([]);
    expect(await journalState(patch.cid.toString())).toBeUndefined();
  });

  it("a stranger can neither hold nor lift a hold, and a writer's flood of /hold writes once", async () => {
    const { target, gh, issue } = await patchOnIssue(472, "Held By Whom");
    const next = await nextProcess();
    await next.deliver("issues", issueOpened(issue));

    // A stranger's /hold is denied and holds nothing: a maintainer's /apply applies.
    await next.deliver("issue_comment", commentCreated(issue, "/hold", "stranger"));
    expect(markers(gh, 472).at(-1)).toMatchObject({ kind: "status", state: "denied" });
    expect([...gh.labels]).toEqual([]);

    // A maintainer's hold, then 20 more: the label and one comment, once.
    await next.deliver("issue_comment", commentCreated(issue, "/hold", "maintainer"));
    expect([...gh.labels]).toEqual([HELD]);
    const written = writes(gh);
    for (let n = 0; n < 20; n++)
      await next.app.receive({
        id: `flood-${n}`,
        name: "issue_comment",
        payload: commentCreated({ ...issue, labels: [HELD] }, "/hold", "maintainer"),
      } as Delivery);
    await next.queue.idle();
    expect(next.failures).toEqual([]);
    expect(writes(gh)).toBe(written);

    // A stranger cannot lift it: their /apply is denied, and nothing is applied.
    await next.deliver("issue_comment", commentCreated({ ...issue, labels: [HELD] }, "/apply", "stranger"));
    expect(markers(gh, 472).at(-1)).toMatchObject({ kind: "status", state: "denied" });
    expect([...gh.labels]).toEqual([HELD]);
    expect((await operatorView(pair.operator.store, target.id)).eventIds).toEqual([]);
  });
});
