import { rm } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { appMarkerSigner } from "../../../src/app/marker-signer.js";
import { KuboUnavailableError } from "../../../src/ipfs/errors.js";
import type { IpfsStore } from "../../../src/ipfs/store.js";
import { renderRejectedMarkdown } from "../../../src/render/index.js";
import { openFileJournal } from "../../../src/service/apply-journal.js";
import { TEST_APP_PRIVATE_KEY } from "../../helpers/app-key.js";
import { operatorView } from "./nomad-data.js";
import { commentCreated, issueOpened, REPO } from "./payloads.js";
import { APPLY_STOPS, type Delivery, stoppedApplySuite } from "./stopped-apply-fixture.js";

const REJECTED = "nomad-patch: rejected";
const APPLIED = "nomad-patch: applied";

/**
 * A `/reject` around an apply (docs/decisions.md, "A rejection after an apply began"): before anything was
 * published a rejection wins, after the first publish the apply is finished and the issue says the rejection
 * came too late; the issue never says both, and never says neither.
 */
describe("the GitHub App: a rejection around an apply says what became of it", () => {
  const suite = stoppedApplySuite("nomad-patch-apply-rejected-");
  const { pair, journalRecord, journalState, markers, writes, nextProcess, firstProcess, patchOnIssue } =
    suite;

  /** A rules-driven apply stopped at `point`, its event gone (a poll's apply is not queued): nothing replays it. */
  async function rulesApplyStopped(
    number: number,
    name: string,
    point: (typeof APPLY_STOPS)[number]["point"],
  ) {
    const fixture = await patchOnIssue(number, name, { rules: true });
    const first = await firstProcess(point);
    await first.app.receive({
      id: `opened-${number}`,
      name: "issues",
      payload: issueOpened(fixture.issue),
    } as Delivery);
    await first.stop;
    await rm(join(suite.dataDir, "queue"), { recursive: true, force: true });
    return fixture;
  }

  for (const [i, { name, point, wins }] of APPLY_STOPS.entries()) {
    it(`a /reject after an apply stopped ${name} ${wins ? "wins: the record is closed, nothing published" : "comes too late: the apply is finished, and both comments say so"}`, async () => {
      const number = 500 + i;
      // An approval of a person, given now and delivered only after the rejection: a replay, a redelivery.
      const { target, patch, gh, issue, cid } = await rulesApplyStopped(number, `Rejected ${i}`, point);
      const before = await operatorView(pair.operator.store, target.id);
      const stale = commentCreated(issue, "/apply", "maintainer");

      const next = await nextProcess();
      await next.deliver("issue_comment", commentCreated(issue, "/reject not this one", "maintainer"));
      expect(next.failures).toEqual([]);
      const view = await operatorView(pair.operator.store, target.id);
      if (wins) {
        expect(markers(gh, number)).toMatchObject([
          { kind: "review", state: "ready", cid },
          { kind: "status", state: "rejected", key: patch.key, cid },
        ]);
        const said = gh.botComments(number).at(-1)?.body;
        expect(said).toContain("will not be applied");
        expect(said).toContain("An apply of it had begun before the rejection");
        expect(said).toContain("nothing was published, and the target is as it was");
        expect(await journalState(cid)).toBe("rejected");
        expect(view.eventIds).toEqual([]);
        expect(view.published).toBe(before.published);
        expect([...gh.labels]).toEqual([REJECTED]);
      } else {
        expect(markers(gh, number)).toMatchObject([
          { kind: "review", state: "ready", cid },
          { kind: "status", state: "applied", key: patch.key, cid },
          { kind: "status", state: "rejected", key: patch.key, cid },
        ]);
        const [outcome, rejection] = gh
          .botComments(number)
          .slice(-2)
          .map((c) => c.body);
        expect(outcome).toContain("🚫 **The rejection came too late**");
        expect(outcome).toContain("**Approved by:** the repository's rules");
        expect(rejection).toContain(
          `**too late for patch \`${patch.key}\`**: it was applied before the rejection came`,
        );
        expect(rejection).not.toContain("will not be applied");
        expect(await journalState(cid)).toBe("done");
        expect(view.eventIds).toEqual(["UpdateNameAsync"]);
        expect([...gh.labels]).toEqual([APPLIED]);
      }

      // Said once: a redelivery of the opening and a stranger's /refresh write nothing, apply nothing.
      const written = writes(gh);
      await next.deliver("issues", issueOpened({ ...issue, labels: [...gh.labels] }));
      await next.deliver("issue_comment", commentCreated(issue, "/refresh", "stranger"));
      expect(writes(gh)).toBe(written);
      expect((await operatorView(pair.operator.store, target.id)).eventIds).toEqual(
        wins ? [] : ["UpdateNameAsync"],
      );
      if (!wins) return;

      // A rejected version is never applied by an approval from before the rejection (a replay of it).
      await next.deliver("issue_comment", { ...stale, issue: { ...stale.issue, labels: [...gh.labels] } });
      expect(markers(gh, number).at(-1)).toMatchObject({ kind: "status", state: "denied", cid });
      expect(gh.botComments(number).at(-1)?.body).toContain("was given before patch");
      expect((await operatorView(pair.operator.store, target.id)).eventIds).toEqual([]);
      expect(await journalState(cid)).toBe("rejected");

      // A person's approval after the rejection is a later decision: it plans afresh and applies, once.
      const labelled = { ...issue, labels: [...gh.labels] };
      await next.deliver("issue_comment", commentCreated(labelled, "/apply", "maintainer"));
      expect(next.failures).toEqual([]);
      expect(markers(gh, number).at(-1)).toMatchObject({ kind: "status", state: "applied", cid });
      expect((await operatorView(pair.operator.store, target.id)).eventIds).toEqual(["UpdateNameAsync"]);
      expect([...gh.labels]).toEqual([APPLIED]);
    });
  }

  it("a rejection an earlier version of the app left beside an open record: the key's next review closes it", async () => {
    const { target, patch, gh, issue, cid } = await rulesApplyStopped(510, "Rejected Before", {
      journal: "planned",
    });
    // The bot's own signed rejection, as the app wrote it before a /reject settled a begun apply.
    const signer = appMarkerSigner(TEST_APP_PRIVATE_KEY);
    const place = { ...REPO, issueNumber: 510 };
    gh.earlierBotComment(
      510,
      signer.sign(renderRejectedMarkdown({ key: patch.key, cid, user: "maintainer" }), place),
    );
    gh.labels.add(REJECTED);
    expect(await journalState(cid)).toBe("planned");

    const next = await nextProcess();
    await next.deliver("issue_comment", commentCreated(issue, "/refresh", "stranger"));
    expect(next.failures).toEqual([]);
    expect(await journalState(cid)).toBe("rejected");
    expect(markers(gh, 510).at(-1)).toMatchObject({ kind: "status", state: "rejected", key: patch.key, cid });
    expect(gh.botComments(510).at(-1)?.body).toContain("🚫 **Apply stopped by a rejection**");
    expect((await operatorView(pair.operator.store, target.id)).eventIds).toEqual([]);
    // Another patch of the target is no longer blocked by an open record.
    expect(await (await openFileJournal(suite.dataDir)).unfinished(target.id)).toEqual([]);
    const written = writes(gh);
    await next.deliver("issue_comment", commentCreated(issue, "/refresh", "stranger"));
    expect(writes(gh)).toBe(written);
  });

  it("a forged rejection in the bot's name is not trusted: the begun apply is finished", async () => {
    const { target, patch, gh, issue, cid } = await rulesApplyStopped(511, "Forged", { journal: "planned" });
    // A writer posts what the bot's rejection looks like, unsigned (or signed with a key not the app's).
    const forged = renderRejectedMarkdown({ key: patch.key, cid, user: "maintainer" });
    gh.earlierBotComment(511, forged);
    gh.humanComment(511, "maintainer", forged);

    const next = await nextProcess();
    await next.deliver("issue_comment", commentCreated(issue, "/refresh", "stranger"));
    expect(next.failures).toEqual([]);
    expect(await journalState(cid)).toBe("done");
    expect((await operatorView(pair.operator.store, target.id)).eventIds).toEqual(["UpdateNameAsync"]);
    const said = gh.botComments(511);
    const outcome = said.find((_, n) => markers(gh, 511)[n]?.state === "applied");
    expect(outcome?.body).toContain("**Approved by:** the repository's rules");
    expect(outcome?.body).not.toContain("rejection came too late");
    expect(await journalRecord(cid)).toMatchObject({ issue: { ...REPO, number: 511 } });
  });

  it("live: a /reject queued behind an /apply comes too late", async () => {
    const { target, patch, gh, issue, cid } = await patchOnIssue(512, "Live Order");
    const next = await nextProcess();
    await next.deliver("issues", issueOpened(issue));
    // Both sent before either job ran: the lane runs them in the order GitHub delivered them.
    await next.sendBeforeRun(issue, "/apply", "/reject");
    await next.queue.idle();
    expect(next.failures).toEqual([]);
    expect(markers(gh, 512).map((m) => m?.state)).toEqual(["ready", "applied", "rejected"]);
    expect(gh.botComments(512).at(-1)?.body).toContain(`too late for patch \`${patch.key}\``);
    expect(gh.botComments(512).at(-1)?.body).not.toContain("will not be applied");
    expect([...gh.labels]).toEqual([APPLIED]);
    expect((await operatorView(pair.operator.store, target.id)).eventIds).toEqual(["UpdateNameAsync"]);
    expect(await journalState(cid)).toBe("done");
  });

  it("live: an /apply queued behind a /reject is the later decision, and applies", async () => {
    const other = await patchOnIssue(513, "Reject Then Apply");
    const again = await nextProcess();
    await again.deliver("issues", issueOpened(other.issue));
    await again.app.receive({
      id: "reject-2",
      name: "issue_comment",
      payload: commentCreated(other.issue, "/reject", "maintainer"),
    } as Delivery);
    await again.app.receive({
      id: "apply-2",
      name: "issue_comment",
      payload: commentCreated(other.issue, "/apply", "maintainer"),
    } as Delivery);
    await again.queue.idle();
    expect(again.failures).toEqual([]);
    // The later decision wins, and the issue ends saying what happened: applied, the rejected label down.
    expect(markers(other.gh, 513).map((m) => m?.state)).toEqual(["ready", "rejected", "applied"]);
    expect([...other.gh.labels]).toEqual([APPLIED]);
    expect((await operatorView(pair.operator.store, other.target.id)).eventIds).toEqual(["UpdateNameAsync"]);
  });

  it("labels follow the job that ran last, not the event's: a failed apply's label comes down on a later /reject or apply", async () => {
    const { target, gh, issue } = await patchOnIssue(515, "Failed Once");
    // Kubo refuses the first import of entries only: the first apply fails, a later one goes through.
    let imports = 0;
    const store = new Proxy(pair.operator.store, {
      get(node, property: keyof IpfsStore) {
        const value = node[property];
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          if (property === "importBlocks" && ++imports === 1)
            return Promise.reject(new KuboUnavailableError("http://127.0.0.1:5001"));
          return (value as (...a: unknown[]) => unknown).apply(node, args);
        };
      },
    });
    const next = await nextProcess(store);
    await next.deliver("issues", issueOpened(issue));
    // Two approvals sent before either ran: the second's event shows no `failed` label.
    await next.sendBeforeRun(issue, "/apply", "/apply");
    await next.queue.idle();
    expect(next.failures).toEqual([]);
    expect(markers(gh, 515).map((m) => m?.state)).toEqual(["ready", "failed", "applied"]);
    expect([...gh.labels]).toEqual([APPLIED]);
    expect((await operatorView(pair.operator.store, target.id)).eventIds).toEqual(["UpdateNameAsync"]);
  });

  it("a /reject after a failed apply takes its label down: the issue does not say both", async () => {
    const { gh, issue, cid } = await patchOnIssue(516, "Failed Then Rejected");
    const store = new Proxy(pair.operator.store, {
      get(node, property: keyof IpfsStore) {
        const value = node[property];
        if (typeof value !== "function") return value;
        return (...args: unknown[]) =>
          property === "importBlocks"
            ? Promise.reject(new KuboUnavailableError("http://127.0.0.1:5001"))
            : (value as (...a: unknown[]) => unknown).apply(node, args);
      },
    });
    const next = await nextProcess(store);
    await next.deliver("issues", issueOpened(issue));
    // Sent before the apply's job ran: its event shows no `failed` label.
    await next.sendBeforeRun(issue, "/apply", "/reject");
    await next.queue.idle();
    expect(next.failures).toEqual([]);
    expect(markers(gh, 516).map((m) => m?.state)).toEqual(["ready", "failed", "rejected"]);
    expect([...gh.labels]).toEqual([REJECTED]);
    expect(await journalState(cid)).toBe("failed");
  });

  it("a stranger's /reject is denied and changes nothing; a writer's flood of /reject and /apply ends on the last, applied once", async () => {
    const { target, gh, issue, cid } = await patchOnIssue(514, "Flooded");
    const next = await nextProcess();
    await next.deliver("issues", issueOpened(issue));

    await next.deliver("issue_comment", commentCreated(issue, "/reject", "stranger"));
    expect(markers(gh, 514).at(-1)).toMatchObject({ kind: "status", state: "denied" });
    expect([...gh.labels]).toEqual([]);
    expect(await journalState(cid)).toBeUndefined();

    // 40 alternating decisions sent at once, the last an /apply: bounded writes, one apply.
    const before = writes(gh);
    await next.sendBeforeRun(
      issue,
      ...Array.from({ length: 40 }, (_, n) => (n % 2 === 0 ? "/reject" : "/apply")),
    );
    await next.queue.idle();
    expect(next.failures).toEqual([]);
    expect((await operatorView(pair.operator.store, target.id)).eventIds).toEqual(["UpdateNameAsync"]);
    expect((await journalRecord(cid))?.state).toBe("done");
    const states = markers(gh, 514).map((m) => m?.state);
    expect(states.filter((s) => s === "applied")).toHaveLength(1);
    // Each rejection after the apply says it came too late; none says "will not be applied" after it.
    const afterApply = gh.botComments(514).slice(states.indexOf("applied") + 1);
    for (const c of afterApply) expect(c.body).not.toContain("will not be applied");
    // The decisions after the first of each kind read as said already (the bot's comment is newer than
    // them): one rejection, one outcome, and at most a label write per later command.
    expect(states).toEqual(["ready", "denied", "rejected", "applied"]);
    expect(writes(gh) - before).toBeLessThanOrEqual(40);
    expect(gh.labels.has(REJECTED)).toBe(false);
    expect(gh.labels.has(APPLIED)).toBe(true);
  });
});
