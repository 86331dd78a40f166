import { describe, expect, it } from "vitest";
import { approvableReviews, botMarkedComments } from "../../../src/app/bot-comments.js";
import { MAX_REPAIRS_PER_EVENT } from "../../../src/app/jobs/repair-untrusted.js";
import { MAX_STALE_SUPERSEDED_PER_EVENT } from "../../../src/app/jobs/review-key.js";
import type { IpfsStore } from "../../../src/ipfs/store.js";
import { SOURCE_ADD_EVENT_ID } from "../../../src/policy/index.js";
import { parseMarker, splitSignature } from "../../../src/render/marker.js";
import { putValueUpdate } from "../../../src/service/value-update-content.js";
import { testAppSigner } from "../../helpers/app-key.js";
import { appPerTest, BOT, kuboPairPerSuite, type TestApp } from "./harness.js";
import { configYaml, createProject, operatorView, proposeRename } from "./nomad-data.js";
import { commentCreated, commentEdited, issueLabeled, issueOpened, REPO } from "./payloads.js";

/**
 * Anyone with write access can edit the bot's comments, and GitHub does not say who did: a writer who
 * edits a review's marker or its text gains nothing. The bot trusts only comments whose signature (made
 * with a key derived from the app's private key, for that issue) verifies.
 */
const PERMISSIONS = {
  admin: { permission: "admin", role_name: "admin" },
  writer: { permission: "write", role_name: "write" },
  stranger: { permission: "read", role_name: "read" },
};
const APPROVE = "nomad-patch: approve";
// A stranger's renames are refused, and only an admin may override that (the rule is not overridable).
const STRANGERS_MAY_NOT_RENAME = [
  "rules:",
  "  - name: strangers-may-not-rename",
  "    match: { eventId: UpdateName*, authorPermission: [none, read] }",
  "    action: reject",
].join("\n");

const markers = (app: TestApp, issue: number) => app.gh.botComments(issue).map((c) => parseMarker(c.body));
const states = (app: TestApp, issue: number) => markers(app, issue).map((m) => m?.state);
const reviewComment = (app: TestApp, issue: number) => {
  const review = app.gh.botComments(issue).find((c) => parseMarker(c.body)?.kind === "review");
  if (!review) throw new Error(`no review on issue ${issue}`);
  return review;
};
const VOIDED = "this comment no longer carries nomad-patch's signature";
const REFUSED = "does not carry its signature";

describe("the GitHub App: a writer who edits the bot's comments gains nothing", () => {
  const pair = kuboPairPerSuite();
  const apps = appPerTest();

  async function start(target: { id: string }, rules = "", store: IpfsStore = pair.operator.store) {
    return apps.start(store, {
      config: `${configYaml(target.id)}\n${rules}`,
      permissions: PERMISSIONS,
    });
  }

  async function nothingApplied(target: { id: string }) {
    expect((await operatorView(pair.operator.store, target.id)).eventIds).toEqual([]);
  }

  it("signs every comment it writes, for its issue", async () => {
    const target = await createProject(pair.operator.store);
    const patch = await proposeRename(pair.contributor.store, target, "Signed");
    const app = await start(target, STRANGERS_MAY_NOT_RENAME);
    await app.deliver(
      "issues",
      issueOpened({ number: 100, body: `Patch: ${patch.key}`, author: "stranger" }),
    );
    await app.settle();
    expect(app.failures).toEqual([]);
    expect(states(app, 100)).toEqual(["ready", "rejected"]);
    const place = { ...REPO, issueNumber: 100 };
    for (const comment of app.gh.botComments(100)) {
      expect(splitSignature(comment.body).sig).toBeDefined();
      expect(testAppSigner.verify(comment.body, place)).toBe(true);
      expect(testAppSigner.verify(comment.body, { ...place, issueNumber: 101 })).toBe(false);
    }
  });

  it("does not let a writer who changes the review's author to an admin override a rule only an admin may", async () => {
    const target = await createProject(pair.operator.store);
    const patch = await proposeRename(pair.contributor.store, target, "Admin Said So");
    const app = await start(target, STRANGERS_MAY_NOT_RENAME);
    const issue = { number: 102, body: `Patch: ${patch.key}`, author: "stranger" };
    await app.deliver("issues", issueOpened(issue));
    await app.settle();
    expect(markers(app, 102)).toMatchObject([{ state: "ready", author: "stranger" }, { state: "rejected" }]);

    const tampered = app.gh.editComment(reviewComment(app, 102).id, (body) =>
      body.replace('"author":"stranger"', '"author":"admin"'),
    );
    expect(parseMarker(tampered.body)).toMatchObject({ author: "admin" });
    await app.deliver("issue_comment", commentCreated(issue, "/apply", "writer"));
    await app.settle();
    expect(app.failures).toEqual([]);
    await nothingApplied(target);
    // Refused, saying why; the tampered comment is void; a fresh review records the real author.
    const [, , refusal, fresh] = app.gh.botComments(102);
    expect(parseMarker(refusal?.body)).toMatchObject({ kind: "status", state: "denied" });
    expect(refusal?.body).toContain(REFUSED);
    expect(parseMarker(fresh?.body)).toMatchObject({ kind: "review", state: "ready", author: "stranger" });
    expect(parseMarker(tampered.body)).toMatchObject({ kind: "status", state: "void", key: patch.key });
    expect(tampered.body).toContain(VOIDED);

    // Approving the fresh review is judged under the real author: only an admin could override.
    await app.deliver("issue_comment", commentCreated(issue, "/apply", "writer"));
    await app.settle();
    expect(app.gh.botComments(102).at(-1)?.body).toContain("only an admin can override a rule");
    await nothingApplied(target);
  });

  it("applies nothing from a review a writer changed from refused to ready, and says why", async () => {
    const target = await createProject(pair.operator.store);
    const patch = await proposeRename(pair.contributor.store, target, "Pair Me Up", async (store) => [
      {
        targetId: target.id,
        eventId: SOURCE_ADD_EVENT_ID,
        content: await putValueUpdate(store, { value: "k51-me" }),
      },
    ]);
    const app = await start(target);
    const issue = { number: 103, body: `Patch: ${patch.key}`, author: "stranger" };
    await app.deliver("issues", issueOpened(issue));
    await app.settle();
    expect(states(app, 103)).toEqual(["refused", "rejected"]);

    const tampered = app.gh.editComment(reviewComment(app, 103).id, (body) =>
      body.replace('"state":"refused"', '"state":"ready"'),
    );
    await app.deliver("issues", issueLabeled({ ...issue, labels: [APPROVE] }, APPROVE, "writer"));
    await app.settle();
    expect(app.failures).toEqual([]);
    await nothingApplied(target);
    expect(app.gh.labels.has(APPROVE)).toBe(false);
    const refusal = app.gh.botComments(103)[2];
    expect(refusal?.body).toContain(REFUSED);
    expect(refusal?.body).toContain(patch.key);
    expect(parseMarker(tampered.body)?.state).toBe("void");
    // The fresh review says what the bot found: refused, as before.
    expect(states(app, 103)).toEqual(["void", "rejected", "denied", "refused"]);
  });

  it("applies nothing after a writer edits only the diff a reader sees", async () => {
    const target = await createProject(pair.operator.store);
    const patch = await proposeRename(pair.contributor.store, target, "Hostile Takeover");
    const app = await start(target);
    const issue = { number: 104, body: `Patch: ${patch.key}`, author: "stranger" };
    await app.deliver("issues", issueOpened(issue));
    await app.settle();
    expect(states(app, 104)).toEqual(["ready"]);
    const review = reviewComment(app, 104);
    expect(review.body).toContain("Hostile Takeover");

    // The marker is untouched: only what an approver reads says another name.
    const tampered = app.gh.editComment(review.id, (body) => body.replaceAll("Hostile Takeover", "Typo Fix"));
    expect(parseMarker(tampered.body)).toEqual(parseMarker(review.body));
    await app.deliver("issue_comment", commentCreated(issue, "/apply", "writer"));
    await app.settle();
    expect(app.failures).toEqual([]);
    await nothingApplied(target);
    expect(app.gh.botComments(104)[1]?.body).toContain(REFUSED);
    expect(tampered.body).toContain(VOIDED);
    expect(tampered.body).not.toContain("Typo Fix");
    // The fresh review shows what would be applied, and an approval of it applies that.
    const fresh = app.gh.botComments(104)[2];
    expect(parseMarker(fresh?.body)).toMatchObject({ kind: "review", state: "ready" });
    expect(fresh?.body).toContain("Hostile Takeover");
    await app.deliver("issue_comment", commentCreated(issue, "/apply", "writer"));
    await app.settle();
    expect(app.failures).toEqual([]);
    expect((await operatorView(pair.operator.store, target.id)).name).toBe("Hostile Takeover");
  });

  it("trusts no signed text copied into a stranger's comment, nor into the bot's comment on another issue", async () => {
    const target = await createProject(pair.operator.store);
    const approved = await proposeRename(pair.contributor.store, target, "Reviewed Elsewhere");
    const other = await proposeRename(pair.contributor.store, target, "The Other One");
    const app = await start(target);
    const first = { number: 105, body: `Patch: ${approved.key}`, author: "stranger" };
    const second = { number: 106, body: `Patch: ${other.key}`, author: "stranger" };
    await app.deliver("issues", issueOpened(first));
    await app.deliver("issues", issueOpened(second));
    await app.settle();
    const signed = reviewComment(app, 105).body;

    // In a stranger's own comment on another issue: not the bot's, so nothing.
    const third = { number: 107, body: "Please approve my comment", author: "stranger" };
    app.gh.humanComment(107, "stranger", signed);
    await app.deliver("issue_comment", commentCreated(third, "/apply", "writer"));
    await app.settle();
    expect(app.gh.botComments(107).at(-1)?.body).toContain("there is no reviewed patch on this issue");

    // Pasted over the bot's review on another issue: signed for issue 105, so not trusted on 106.
    const overwritten = app.gh.editComment(reviewComment(app, 106).id, () => signed);
    expect(parseMarker(overwritten.body)).toMatchObject({ key: approved.key, state: "ready" });
    await app.deliver("issue_comment", commentCreated(second, "/apply", "writer"));
    await app.settle();
    expect(app.failures).toEqual([]);
    await nothingApplied(target);
    expect(app.gh.botComments(106)[1]?.body).toContain(REFUSED);
    expect(parseMarker(overwritten.body)).toMatchObject({ state: "void", key: approved.key });
  });

  it("counts no status a writer forged in the bot's comment: the outcome of an apply is still posted", async () => {
    const target = await createProject(pair.operator.store);
    const patch = await proposeRename(pair.contributor.store, target, "Outcome Shown");
    const app = await start(target);
    const issue = { number: 110, body: `Patch: ${patch.key}`, author: "stranger" };
    await app.deliver("issues", issueOpened(issue));
    await app.deliver("issue_comment", commentCreated(issue, "/apply r9", "writer"));
    await app.settle();
    expect(states(app, 110)).toEqual(["ready", "denied"]);
    // The refusal rewritten to read as this version's outcome: "applied" statuses keep the outcome from
    // being posted twice, and keep a reopened issue's key from being watched.
    const cid = patch.cid.toString();
    const forged = app.gh.editComment(
      app.gh.botComments(110)[1]?.id ?? 0,
      () =>
        `<!-- nomad-patch:status {"v":1,"state":"applied","key":"${patch.key}","cid":"${cid}"} -->\n\nApplied long ago.`,
    );
    expect(parseMarker(forged.body)).toMatchObject({ state: "applied", cid });
    await app.deliver("issue_comment", commentCreated(issue, "/apply", "writer"));
    await app.settle();
    expect(app.failures).toEqual([]);
    expect((await operatorView(pair.operator.store, target.id)).name).toBe("Outcome Shown");
    const outcome = app.gh.botComments(110).at(-1);
    expect(outcome?.id).not.toBe(forged.id);
    expect(parseMarker(outcome?.body)).toMatchObject({ kind: "status", state: "applied", cid });
    // A status is not rewritten: it decides nothing, and GitHub's edit history shows who changed it.
    expect(forged.body).toContain("Applied long ago.");
  });

  it("re-reviews a review written before comments were signed, and applies nothing from it", async () => {
    const target = await createProject(pair.operator.store);
    const patch = await proposeRename(pair.contributor.store, target, "From Before");
    const app = await start(target);
    const issue = { number: 108, body: `Patch: ${patch.key}`, author: "stranger" };
    await app.deliver("issues", issueOpened(issue));
    await app.settle();
    // What an earlier version wrote: the same text, without a signature.
    const review = reviewComment(app, 108);
    const legacy = app.gh.editComment(review.id, (body) => splitSignature(body).unsigned);
    expect(splitSignature(legacy.body).sig).toBeUndefined();

    await app.deliver("issue_comment", commentCreated(issue, "/apply", "writer"));
    await app.settle();
    expect(app.failures).toEqual([]);
    await nothingApplied(target);
    expect(states(app, 108)).toEqual(["void", "denied", "ready"]);
    expect(app.gh.botComments(108)[1]?.body).toContain(REFUSED);
    expect(legacy.body).toContain(VOIDED);

    await app.deliver("issue_comment", commentCreated(issue, "/apply", "writer"));
    await app.settle();
    expect(app.failures).toEqual([]);
    expect((await operatorView(pair.operator.store, target.id)).name).toBe("From Before");
  });

  it("sets right at most three untrusted comments per event, each once, whoever sends the events", async () => {
    const target = await createProject(pair.operator.store);
    const patch = await proposeRename(pair.contributor.store, target, "Many Copies");
    const app = await start(target);
    const issue = { number: 109, body: "Tracking", author: "stranger" };
    await app.deliver("issues", issueOpened(issue));
    await app.settle();
    // Five reviews an earlier version left (unsigned), all of one key.
    const { body } = await (async () => {
      await app.deliver("issue_comment", commentCreated(issue, `Patch: ${patch.key}`, "stranger"));
      await app.settle();
      return reviewComment(app, 109);
    })();
    const unsigned = splitSignature(body).unsigned;
    app.gh.editComment(reviewComment(app, 109).id, () => unsigned);
    for (let i = 0; i < 4; i++) app.gh.earlierBotComment(109, unsigned);
    const edits = () => app.gh.sent("PATCH", /\/issues\/comments\/\d+$/).length;
    const reviewsPosted = () =>
      app.gh.sent("POST", "/issues/109/comments").filter((r) => {
        const text = (r.body as { body?: string }).body;
        return parseMarker(text)?.kind === "review";
      }).length;
    const before = { edits: edits(), reviews: reviewsPosted() };

    const mention = () => commentCreated(issue, `Still: ${patch.key}`, "stranger");
    await app.deliver("issue_comment", mention());
    await app.settle();
    expect(edits() - before.edits).toBe(3);
    expect(reviewsPosted() - before.reviews).toBe(1);
    await app.deliver("issue_comment", mention());
    await app.settle();
    expect(edits() - before.edits).toBe(5);
    for (let i = 0; i < 3; i++) {
      await app.deliver("issue_comment", mention());
      await app.settle();
    }
    expect(app.failures).toEqual([]);
    expect(edits() - before.edits).toBe(5);
    expect(reviewsPosted() - before.reviews).toBe(1);
    expect(states(app, 109).filter((s) => s === "void")).toHaveLength(5);
    await nothingApplied(target);
  });

  /**
   * The operator's store, counting the IPNS names the app resolves: `resolves(key)` those of one name (a
   * review resolves its patch key once, and the target's names besides), `resolves()` all of them.
   */
  function countingResolves(): { store: IpfsStore; resolves: (name?: string) => number } {
    const names: string[] = [];
    const inner = pair.operator.store;
    const store = new Proxy(inner, {
      get(target, property) {
        const value = Reflect.get(target, property, target) as unknown;
        if (property === "resolveName")
          return (...args: Parameters<IpfsStore["resolveName"]>) => {
            names.push(args[0]);
            return target.resolveName(...args);
          };
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    return {
      store,
      resolves: (name?: string) => names.filter((n) => name === undefined || n === name).length,
    };
  }

  // What a writer's edits of the bot's comments cost, event by event: each repair is a review (an IPNS
  // resolve) and two writes, at most three a event, each comment once.
  it("a writer who edits 50 of the bot's reviews on one issue costs at most 3 repairs an event, and each comment is repaired once", async () => {
    const target = await createProject(pair.operator.store);
    const patch = await proposeRename(pair.contributor.store, target, "Edited Fifty Times");
    const counting = countingResolves();
    const app = await start(target, "", counting.store);
    const issue = { number: 110, body: `Patch: ${patch.key}`, author: "stranger" };
    await app.deliver("issues", issueOpened(issue));
    await app.settle();
    // 49 earlier versions' reviews the bot left superseded on the issue, signed for it as the bot signs...
    const unsigned = splitSignature(reviewComment(app, 110).body).unsigned;
    const place = { owner: REPO.owner, repo: REPO.repo, issueNumber: 110 };
    for (let i = 0; i < 49; i++)
      app.gh.earlierBotComment(
        110,
        testAppSigner.sign(unsigned.replace('"state":"ready"', '"state":"superseded"'), place),
      );
    const reviews = app.gh.botComments(110).filter((c) => parseMarker(c.body)?.kind === "review");
    expect(reviews).toHaveLength(50);
    expect(states(app, 110).filter((s) => s === "superseded")).toHaveLength(49);
    // ...and a writer edits every one to read as current (superseded → ready): each then stands as a review.
    const calls = () => app.gh.requests.length;
    const writes = () => app.gh.requests.filter((r) => r.method !== "GET").length;
    const voided = () => app.gh.sent("PATCH", /\/issues\/comments\/\d+$/).length;
    const costs: { calls: number; writes: number; voided: number; resolves: number; reviews: number }[] = [];
    const measure = async (deliver: () => Promise<unknown>) => {
      const before = {
        calls: calls(),
        writes: writes(),
        voided: voided(),
        resolves: counting.resolves(),
        reviews: counting.resolves(patch.key),
      };
      await deliver();
      await app.settle();
      costs.push({
        calls: calls() - before.calls,
        writes: writes() - before.writes,
        voided: voided() - before.voided,
        resolves: counting.resolves() - before.resolves,
        reviews: counting.resolves(patch.key) - before.reviews,
      });
    };
    // The writer edits them all first (quicker than the app answers), and GitHub then tells the app of each
    // edit, with the writer as its sender.
    const edited = reviews.map((review) =>
      app.gh.editComment(review.id, (body) =>
        body.replace('"state":"superseded"', '"state":"ready"').replace("Rename", "Renamed"),
      ),
    );
    for (const comment of edited)
      await measure(() =>
        app.deliver("issue_comment", commentEdited(issue, comment.body, "writer", comment.id, BOT)),
      );
    // Then a stranger's comments, one event each, until nothing is left to repair.
    for (let i = 0; i < 20 && states(app, 110).filter((s) => s === "void").length < 50; i++)
      await measure(() =>
        app.deliver("issue_comment", commentCreated(issue, `Still: ${patch.key}`, "stranger")),
      );
    await measure(() =>
      app.deliver("issue_comment", commentCreated(issue, `Still: ${patch.key}`, "stranger")),
    );
    expect(app.failures).toEqual([]);

    // Bounded per event: at most 3 comments voided, and a review of each distinct key claimed (one here).
    // (the stranger's mention reviews the key too: one more).
    for (const cost of costs) {
      expect(cost.voided).toBeLessThanOrEqual(MAX_REPAIRS_PER_EVENT);
      expect(cost.reviews).toBeLessThanOrEqual(1 + MAX_REPAIRS_PER_EVENT);
    }
    // Each comment voided once, in all; the event after the last repair costs no write.
    expect(costs.reduce((sum, cost) => sum + cost.voided, 0)).toBe(50);
    expect(states(app, 110).filter((s) => s === "void")).toHaveLength(50);
    expect(costs.at(-1)).toMatchObject({ voided: 0, writes: 0 });
    const eventsThatRepaired = costs.filter((cost) => cost.voided > 0).length;
    expect(eventsThatRepaired).toBeGreaterThanOrEqual(Math.ceil(50 / 3));
    // GitHub calls per event: a constant (11 seen), not a count of the edited comments (50).
    expect(Math.max(...costs.map((cost) => cost.calls))).toBeLessThan(20);
    await nothingApplied(target);
  }, 300_000);

  // GitHub's edit history keeps every text the bot wrote, signed: a writer can put the bot's own earlier
  // review texts back on the comments it superseded. They verify, so the next review of the key marks
  // them superseded again; one event may rewrite only a few, and none of them is ever the current review.
  it("a writer who restores 49 of the bot's own earlier reviews costs at most 3 writes to them an event, none is ever current, and a stranger gets none of it past the refresh limit", async () => {
    const target = await createProject(pair.operator.store);
    const patch = await proposeRename(pair.contributor.store, target, "Restored Forty-Nine");
    const app = await start(target);
    // The bot's review of the key, as written on another issue: its text is what the bot wrote on
    // issue 112 for each earlier review there.
    const scratch = { number: 111, body: `Patch: ${patch.key}`, author: "stranger" };
    await app.deliver("issues", issueOpened(scratch));
    await app.settle();
    const unsigned = splitSignature(reviewComment(app, 111).body).unsigned;
    expect(parseMarker(unsigned)?.state).toBe("ready");
    const place = { owner: REPO.owner, repo: REPO.repo, issueNumber: 112 };
    const earlierText = testAppSigner.sign(unsigned, place);
    const old = Array.from({ length: 49 }, () =>
      app.gh.earlierBotComment(
        112,
        testAppSigner.sign(unsigned.replace('"state":"ready"', '"state":"superseded"'), place),
      ),
    );
    const issue = { number: 112, body: `Patch: ${patch.key}`, author: "stranger" };
    await app.deliver("issues", issueOpened(issue));
    await app.settle();
    const current = app.gh
      .botComments(112)
      .filter((c) => parseMarker(c.body)?.kind === "review")
      .at(-1);
    expect(current && old.every((c) => c.id < current.id)).toBe(true);
    expect(states(app, 112).filter((s) => s === "superseded")).toHaveLength(49);
    // Only the newest review that is not superseded is approvable, whatever stands above it.
    const approvable = () => {
      const comments = app.gh.botComments(112).map((c) => ({
        id: c.id,
        body: c.body,
        login: c.user.login,
        userType: c.user.type,
        writtenAt: c.updated_at,
        createdAt: c.created_at,
      }));
      const { marked } = botMarkedComments(comments, BOT, (body) => testAppSigner.verify(body, place));
      return approvableReviews(marked).map((c) => c.id);
    };
    const writes = () => app.gh.requests.filter((r) => r.method !== "GET").length;
    const rewrittenOld = () =>
      app.gh
        .sent("PATCH", /\/issues\/comments\/\d+$/)
        .filter((r) => old.some((c) => r.path.endsWith(`/${c.id}`))).length;
    const perEvent: { writes: number; old: number }[] = [];
    const measure = async (deliver: () => Promise<unknown>) => {
      const before = { writes: writes(), old: rewrittenOld() };
      await deliver();
      await app.settle();
      perEvent.push({ writes: writes() - before.writes, old: rewrittenOld() - before.old });
      expect(approvable()).toEqual([current?.id]);
    };

    // The writer restores every one (quicker than the app answers): each reads as the bot's ready review.
    for (const comment of old) app.gh.editComment(comment.id, () => earlierText);
    expect(states(app, 112).filter((s) => s === "ready")).toHaveLength(50);
    expect(approvable()).toEqual([current?.id]);
    // A stranger's flood first: one /refresh within the limit, then refreshes and mentions past it.
    for (let i = 0; i < 5; i++)
      await measure(() => app.deliver("issue_comment", commentCreated(issue, "/refresh", "stranger")));
    for (let i = 0; i < 5; i++)
      await measure(() =>
        app.deliver("issue_comment", commentCreated(issue, `Still: ${patch.key}`, "stranger")),
      );
    expect(perEvent.map((cost) => cost.old)).toEqual([
      MAX_STALE_SUPERSEDED_PER_EVENT,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
    ]);
    expect(perEvent.slice(1).every((cost) => cost.writes === 0)).toBe(true);
    // Then GitHub's 49 `issue_comment.edited` events, the writer as their sender.
    for (const comment of old)
      await measure(() =>
        app.deliver("issue_comment", commentEdited(issue, comment.body, "writer", comment.id, BOT)),
      );
    expect(app.failures).toEqual([]);
    const writerEvents = perEvent.slice(10);
    expect(Math.max(...writerEvents.map((cost) => cost.old))).toBe(MAX_STALE_SUPERSEDED_PER_EVENT);
    expect(Math.max(...writerEvents.map((cost) => cost.writes))).toBeLessThanOrEqual(
      MAX_STALE_SUPERSEDED_PER_EVENT,
    );
    // Each restored comment rewritten once in all; the events after the last cost no write.
    expect(rewrittenOld()).toBe(49);
    expect(states(app, 112).filter((s) => s === "superseded")).toHaveLength(49);
    expect(writerEvents.at(-1)).toEqual({ writes: 0, old: 0 });
    await nothingApplied(target);
  }, 300_000);

  it("edits of the bot's review on 100 issues cost one repair each, once: the events after it cost no write", async () => {
    const target = await createProject(pair.operator.store);
    const patch = await proposeRename(pair.contributor.store, target, "Edited Everywhere");
    const counting = countingResolves();
    const app = await start(target, "", counting.store);
    const first = { number: 200, body: `Patch: ${patch.key}`, author: "stranger" };
    await app.deliver("issues", issueOpened(first));
    await app.settle();
    const unsigned = splitSignature(reviewComment(app, 200).body).unsigned;
    // The same review, as a writer left it (edited, so not signed) on 100 issues.
    const numbers = Array.from({ length: 100 }, (_, i) => 300 + i);
    for (const number of numbers) app.gh.earlierBotComment(number, unsigned.replace("Rename", "Renamed"));
    const before = {
      calls: app.gh.requests.length,
      writes: app.gh.requests.filter((r) => r.method !== "GET").length,
      resolves: counting.resolves(),
      reviews: counting.resolves(patch.key),
    };
    // One event on each, from a different person each (one person's events are bounded by their own budgets).
    for (const number of numbers)
      await app.deliver(
        "issue_comment",
        commentCreated({ number, body: "", author: "stranger" }, `Still: ${patch.key}`, `visitor${number}`),
      );
    await app.settle();
    expect(app.failures).toEqual([]);
    const once = {
      calls: app.gh.requests.length - before.calls,
      writes: app.gh.requests.filter((r) => r.method !== "GET").length - before.writes,
      resolves: counting.resolves() - before.resolves,
      reviews: counting.resolves(patch.key) - before.reviews,
    };
    for (const number of numbers) expect(states(app, number).filter((s) => s === "void")).toHaveLength(1);
    expect(app.gh.sent("PATCH", /\/issues\/comments\/\d+$/).length).toBe(100);
    // Per issue: the mention's review of the key and the repair's, no more.
    expect(once.reviews).toBeLessThanOrEqual(100 * 2);
    // The same 100 events again: nothing left to repair, no write, no more reviews than the mentions ask.
    const again = { writes: app.gh.requests.filter((r) => r.method !== "GET").length };
    // One event on each, from a different person each (one person's events are bounded by their own budgets).
    for (const number of numbers)
      await app.deliver(
        "issue_comment",
        commentCreated({ number, body: "", author: "stranger" }, `Still: ${patch.key}`, `visitor${number}`),
      );
    await app.settle();
    expect(app.gh.sent("PATCH", /\/issues\/comments\/\d+$/).length).toBe(100);
    expect(app.gh.requests.filter((r) => r.method !== "GET").length - again.writes).toBe(0);
    await nothingApplied(target);
  }, 600_000);
});
