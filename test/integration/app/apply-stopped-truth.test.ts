import { rm } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { KuboUnavailableError } from "../../../src/ipfs/errors.js";
import type { IpfsStore } from "../../../src/ipfs/store.js";
import { type JournalRecord, openFileJournal } from "../../../src/service/apply-journal.js";
import { updatePatchRequest } from "../../../src/service/propose-update.js";
import { operatorView } from "./nomad-data.js";
import { commentCreated, issueOpened } from "./payloads.js";
import { APPLY_STOPS, type Delivery, HELD, stoppedApplySuite } from "./stopped-apply-fixture.js";
import type { StopPoint, StoreFault } from "./stopped-process.js";

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
  const suite = stoppedApplySuite("nomad-patch-apply-stopped-");
  const { pair, queueRecords, journalState, markers, writes, nextProcess, firstProcess, patchOnIssue } =
    suite;

  /**
   * A first process that reviews the issue and takes a maintainer's /apply whose import Kubo refuses; it stops
   * once the journal says `failed`, before the issue hears of it.
   */
  async function applyFailedThenStopped(
    issue: { readonly number: number; readonly body: string },
    /** Another issue posting the same key, reviewed first and never approved. */
    other?: { readonly number: number; readonly body: string },
  ) {
    const first = await firstProcess(AT_FAILED, IMPORT_REFUSED);
    if (other)
      await first.app.receive({ id: "other", name: "issues", payload: issueOpened(other) } as Delivery);
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
    await rm(join(suite.dataDir, "queue"), { recursive: true, force: true });

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

  it("a failure is said on the issue that approved it, not on another issue posting the same key", async () => {
    const { target, patch, gh, issue, cid } = await patchOnIssue(454, "Approved Here");
    const other = { number: 455, body: `Also: ${patch.key}` };
    await applyFailedThenStopped(issue, other);
    await rm(join(suite.dataDir, "queue"), { recursive: true, force: true });
    expect(await suite.journalRecord(cid)).toMatchObject({ issue: { owner: "Codertocat", number: 454 } });

    // The other issue's review of the same version says nothing of an approval it never gave.
    const next = await nextProcess();
    await next.deliver("issue_comment", commentCreated(other, "/refresh", "stranger"));
    expect(next.failures).toEqual([]);
    expect(markers(gh, 455)).toMatchObject([{ kind: "review", cid, state: "ready" }]);
    // The approving issue's does, once.
    await next.deliver("issue_comment", commentCreated(issue, "/refresh", "stranger"));
    expect(markers(gh, 454)).toMatchObject([
      { kind: "review", state: "ready" },
      { kind: "status", state: "failed", key: patch.key, cid },
    ]);
    expect(markers(gh, 455)).toHaveLength(1);
    expect((await operatorView(pair.operator.store, target.id)).eventIds).toEqual([]);
  });

  it("a failure recorded by the older format, naming no issue, is said on the issue that reviews it next", async () => {
    const { patch, gh, issue, cid } = await patchOnIssue(456, "Approved Somewhere");
    const other = { number: 457, body: `Also: ${patch.key}` };
    await applyFailedThenStopped(issue, other);
    await rm(join(suite.dataDir, "queue"), { recursive: true, force: true });
    const journal = await openFileJournal(suite.dataDir);
    const { issue: _named, ...older } = (await journal.get(cid)) as JournalRecord;
    await journal.put(older);

    const next = await nextProcess();
    await next.deliver("issue_comment", commentCreated(other, "/refresh", "stranger"));
    expect(next.failures).toEqual([]);
    expect(markers(gh, 457)).toMatchObject([
      { kind: "review", state: "ready" },
      { kind: "status", state: "failed", key: patch.key, cid },
    ]);
  });

  it("a failure recorded for an older version the issue moved past is never said", async () => {
    const { patch, gh, issue } = await patchOnIssue(453, "Moved Past");
    await applyFailedThenStopped(issue);
    await rm(join(suite.dataDir, "queue"), { recursive: true, force: true });

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

  for (const [i, { name, point, wins }] of APPLY_STOPS.entries()) {
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

  it("a hold label put on by hand while an apply runs: the apply finishes, and its outcome says the hold came too late", async () => {
    const { target, patch, gh, issue, cid } = await patchOnIssue(473, "Held While Running", { rules: true });
    // A maintainer puts the label on as the bot publishes the entries (its event asks nothing of the app).
    let published = 0;
    const store = new Proxy(pair.operator.store, {
      get(node, property: keyof IpfsStore) {
        const value = node[property];
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          if (property === "publishName" && ++published === 1) gh.labels.add(HELD);
          return (value as (...a: unknown[]) => unknown).apply(node, args);
        };
      },
    });
    const next = await nextProcess(store);
    await next.deliver("issues", issueOpened(issue));
    expect(next.failures).toEqual([]);
    expect(markers(gh, 473)).toMatchObject([
      { kind: "review", state: "ready", cid },
      { kind: "status", state: "applied", key: patch.key, cid },
    ]);
    const said = gh.botComments(473).at(-1)?.body;
    expect(said).toContain("✋ **The hold came too late**");
    expect(said).toContain("was put on while this apply ran");
    expect((await operatorView(pair.operator.store, target.id)).eventIds).toEqual(["UpdateNameAsync"]);
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
