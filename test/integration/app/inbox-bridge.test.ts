import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { base36 } from "multiformats/bases/base36";
import { CID } from "multiformats/cid";
import { identity } from "multiformats/hashes/identity";
import nock from "nock";
import type { Probot } from "probot";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import {
  createInboxBridge,
  type InboxBridge,
  type InboxBridgeOptions,
} from "../../../src/app/bridge/inbox-bridge.js";
import { createWorkQueue, type WorkQueue } from "../../../src/app/work-queue.js";
import { encodeInboxMessage, inboxTopic } from "../../../src/patch-request/inbox-message.js";
import { renderInboxIssue } from "../../../src/render/inbox-issue-markdown.js";
import { parseMarker } from "../../../src/render/marker.js";
import { deliverToInbox } from "../../../src/service/inbox/deliver-inbox.js";
import { readInboxRecord } from "../../../src/service/inbox/inbox-record.js";
import { connect, type KuboNode, startKubo } from "../../helpers/kubo.js";
import { pubsubConfig } from "../pair/pair-room.js";
import { type FakeIssue, type Fault, fakeGitHub } from "./github-fake.js";
import { BOT, loadApp } from "./harness.js";
import { recordLogs } from "./log-recorder.js";
import { configYaml, createProject, operatorView, proposeRename } from "./nomad-data.js";
import { issueClosed, issueOpened, REPO } from "./payloads.js";

const REPOSITORY = `${REPO.owner}/${REPO.repo}`;
const LABEL = "nomad-patch: inbox";

/** An Ed25519 IPNS name nobody holds: a key that never resolves. */
function unknownKey(): string {
  const publicKey = new Uint8Array([0x08, 0x01, 0x12, 0x20, ...randomBytes(32)]);
  return CID.createV1(0x72, identity.digest(publicKey)).toString(base36);
}

const bridgeConfig = (target: string, maxOpenIssues = 3, extra = "") =>
  configYaml(target, ["inbox:", "  openIssues: true", `  maxOpenIssues: ${maxOpenIssues}`, extra].join("\n"));

type Delivery = Parameters<Probot["receive"]>[0];

describe("the inbox bridge: a target's inbox opens issues", () => {
  let operator: KuboNode;
  let contributor: KuboNode;
  let dataDir = "";
  const running: InboxBridge[] = [];

  beforeAll(async () => {
    [operator, contributor] = await Promise.all([
      startKubo({ config: pubsubConfig }),
      startKubo({ config: pubsubConfig }),
    ]);
    await connect(operator, contributor);
  });
  afterAll(async () => {
    await Promise.all([operator?.stop(), contributor?.stop()]);
  });
  beforeEach(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect(/127\.0\.0\.1|localhost/);
    dataDir = await mkdtemp(join(tmpdir(), "nomad-patch-bridge-"));
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((bridge) => bridge.close()));
    nock.cleanAll();
    await rm(dataDir, { recursive: true, force: true });
  });

  /** One app process on the data directory, bridging the repository's inboxes (GitHub, faked, outlives it). */
  async function boot(options: InboxBridgeOptions = {}, env: Record<string, string> = {}) {
    const queue: WorkQueue = createWorkQueue();
    const logs = recordLogs();
    let bridge: InboxBridge | undefined;
    const probot = await loadApp(operator.store, dataDir, queue, logs, {
      env: { NOMAD_PATCH_INBOX_REPOSITORIES: REPOSITORY, ...env },
      inboxBridge: (environment) => {
        bridge = createInboxBridge(environment, {
          firstRetryMs: 100,
          slotRecheckMs: 100,
          ...options,
          inboxLimits: { resolveTimeoutMs: 10_000, ...options.inboxLimits },
        });
        return bridge;
      },
    });
    const started = bridge as unknown as InboxBridge;
    running.push(started);
    await started.ready;
    return {
      bridge: started,
      queue,
      logs: logs.lines,
      deliver: (name: "issues", payload: object, id: string) =>
        probot.receive({ id, name, payload } as Delivery),
      /** The bridge has nothing left to do but wait (a full target, a backoff), and the reviews are done. */
      settle: async () => {
        await started.idle();
        await queue.idle();
      },
    };
  }

  const topicOf = (target: string) => inboxTopic(target);
  async function waitForSubscriber(target: string): Promise<void> {
    await vi.waitFor(
      async () => expect((await contributor.store.pubsubPeers(topicOf(target))).length).toBeGreaterThan(0),
      { timeout: 20_000, interval: 250 },
    );
  }
  const deliver = (key: string, target: string) =>
    deliverToInbox(
      { store: contributor.store },
      { key, target, waitMs: 20_000, resolveTimeoutMs: 15_000, copies: 1 },
    );
  /** Delivers `key` to the inbox of `target` once it listens, and waits for its issue and review. */
  async function deliverAndSettle(
    app: Awaited<ReturnType<typeof boot>>,
    gh: ReturnType<typeof fakeGitHub>,
    key: string,
    target: string,
  ): Promise<FakeIssue> {
    await waitForSubscriber(target);
    await deliver(key, target);
    await vi.waitFor(() => expect(gh.issues).toHaveLength(1), { timeout: 30_000 });
    await app.settle();
    return gh.issues[0] as FakeIssue;
  }
  const reviewsOn = (gh: ReturnType<typeof fakeGitHub>, issue: FakeIssue) =>
    gh.botComments(issue.number).filter((c) => parseMarker(c.body)?.kind === "review");

  it("opens exactly one issue for a delivered key, reviews it once, and a second delivery changes nothing", async () => {
    const target = await createProject(operator.store);
    const patch = await proposeRename(contributor.store, target, "From The Inbox");
    const gh = fakeGitHub({ ...REPO, botLogin: BOT, config: bridgeConfig(target.id) });
    const app = await boot();
    const issue = await deliverAndSettle(app, gh, patch.key, target.id);
    expect(issue.title).toBe("Patch request: Rename to From The Inbox");
    expect(issue.body).toContain(`Patch: ${patch.key}`);
    expect(issue.body).toContain(contributor.peerId);
    expect(issue.labels).toEqual([LABEL]);
    const reviews = reviewsOn(gh, issue);
    expect(reviews).toHaveLength(1);
    expect(parseMarker(reviews[0]?.body)).toMatchObject({ key: patch.key, state: "ready", author: BOT });
    const item = (await readInboxRecord(dataDir, target.id)).items.find((i) => i.key === patch.key);
    expect(item).toMatchObject({
      status: "reviewed",
      issue: { repository: REPOSITORY, number: issue.number },
    });

    // GitHub's issues.opened webhook for the bot's own issue arrives: not reviewed a second time.
    const own = issueOpened({ number: issue.number, body: issue.body, author: BOT });
    own.sender = { ...own.sender, login: BOT, type: "Bot" };
    await app.deliver("issues", own, "bot-opened");
    // The same key delivered again (the contributor's CLI sends it more than once): nothing more.
    await deliver(patch.key, target.id);
    await vi.waitFor(() => expect(app.bridge.inbox()?.counts().duplicate).toBeGreaterThanOrEqual(1), {
      timeout: 20_000,
    });
    await app.settle();
    expect(gh.sent("POST", "/issues")).toHaveLength(1);
    expect(reviewsOn(gh, issue)).toHaveLength(1);
  });

  // A bound on a hang, not a speed check: its own waits allow 140 s, after 50 proposals and 1,000 publishes,
  // and the project's 60 s cut it off on a loaded machine before its first wait had run out.
  it("opens at most maxOpenIssues for 1,000 deliveries of 50 keys, keeps what waits bounded, and opens the next when one closes", async () => {
    const target = await createProject(operator.store);
    const keys: string[] = [];
    for (let batch = 0; batch < 5; batch++)
      keys.push(
        ...(
          await Promise.all(
            Array.from({ length: 10 }, (_, i) =>
              proposeRename(contributor.store, target, `Flood ${batch * 10 + i}`),
            ),
          )
        ).map((p) => p.key),
      );
    const gh = fakeGitHub({ ...REPO, botLogin: BOT, config: bridgeConfig(target.id, 3) });
    const maxPending = 20;
    const app = await boot(
      {
        inboxLimits: {
          perSender: { perMinute: 1_000_000, burst: 1_000 },
          global: { perMinute: 1_000_000, burst: 1_000 },
        },
      },
      { NOMAD_PATCH_INBOX_MAX_PENDING: String(maxPending) },
    );
    await waitForSubscriber(target.id);

    const topic = topicOf(target.id);
    // One after another: Kubo refuses a peer's concurrent publishes ("validation ignored").
    for (let i = 0; i < 1000; i++)
      await contributor.store.pubsubPublish(
        topic,
        encodeInboxMessage({ patch: keys[i % keys.length] as string, target: target.id }),
      );
    const inbox = app.bridge.inbox();
    if (!inbox) throw new Error("the bridge listens");
    // Pubsub may lose part of a burst on a loaded machine: count once it is quiet.
    let seen = -1;
    await vi.waitFor(
      () => {
        const now = inbox.counts().received;
        const quiet = now === seen && now > 0;
        seen = now;
        expect(quiet).toBe(true);
      },
      { timeout: 60_000, interval: 1_000 },
    );
    await vi.waitFor(() => expect(gh.issues).toHaveLength(3), { timeout: 60_000 });
    await app.settle();

    expect(gh.sent("POST", "/issues")).toHaveLength(3);
    expect(gh.issues.every((issue) => issue.labels.includes(LABEL))).toBe(true);
    // Bounded: the inbox's pending keys and the keys waiting for a slot never pass the cap.
    expect(inbox.pending().max).toBeLessThanOrEqual(maxPending);
    const counts = app.bridge.counts();
    expect(counts.maxWaiting).toBeLessThanOrEqual(maxPending);
    expect(counts.waiting).toBeGreaterThan(0);
    expect(counts.full).toBeGreaterThan(0);
    const { items } = await readInboxRecord(dataDir, target.id);
    expect(items.length).toBeLessThanOrEqual(keys.length);
    expect(new Set(items.map((i) => i.key)).size).toBe(items.length);
    // Each of the three issues has its one review.
    for (const issue of gh.issues) expect(reviewsOn(gh, issue)).toHaveLength(1);

    // A maintainer closes one: the next waiting key gets the free slot, and only that one.
    (gh.issues[0] as FakeIssue).state = "closed";
    await vi.waitFor(() => expect(gh.issues).toHaveLength(4), { timeout: 20_000 });
    await app.settle();
    expect(gh.sent("POST", "/issues")).toHaveLength(4);
    expect(gh.issues.filter((issue) => issue.state === "open")).toHaveLength(3);
  }, 240_000);

  it("a target at its cap opens the next key as soon as one of its issues is closed, and a person's closed issue frees nothing", async () => {
    const target = await createProject(operator.store);
    const first = await proposeRename(contributor.store, target, "First Of Two");
    const second = await proposeRename(contributor.store, target, "Second Of Two");
    const gh = fakeGitHub({ ...REPO, botLogin: BOT, config: bridgeConfig(target.id, 1) });
    // The re-check of a full target is an hour away: only the closed issue's webhook can free the slot.
    const app = await boot({ slotRecheckMs: 60 * 60_000 });
    const opened = await deliverAndSettle(app, gh, first.key, target.id);
    await deliver(second.key, target.id);
    await vi.waitFor(() => expect(app.bridge.counts().full).toBeGreaterThan(0), { timeout: 20_000 });
    await app.settle();
    expect(gh.issues).toHaveLength(1);

    // A stranger closes an issue of their own carrying the label (a person cannot free the bot's slot).
    const listsBefore = gh.requests.filter((r) => r.method === "GET" && /\/issues$/.test(r.path)).length;
    await app.deliver(
      "issues",
      issueClosed({ number: 999, author: "stranger", labels: [LABEL] }, "stranger"),
      "forged-close",
    );
    await app.settle();
    expect(gh.issues).toHaveLength(1);
    expect(gh.requests.filter((r) => r.method === "GET" && /\/issues$/.test(r.path))).toHaveLength(
      listsBefore,
    );

    // A maintainer closes the bot's issue: the waiting key gets its issue now.
    opened.state = "closed";
    await app.deliver(
      "issues",
      issueClosed({ number: opened.number, body: opened.body, author: BOT, labels: [LABEL] }, "maintainer"),
      "maintainer-close",
    );
    await vi.waitFor(() => expect(gh.issues).toHaveLength(2), { timeout: 20_000 });
    await app.settle();
    expect(gh.issues[1]?.body).toContain(`Patch: ${second.key}`);
    expect(gh.issues.filter((issue) => issue.state === "open")).toHaveLength(1);
  });

  it("keeps a delivery while GitHub answers 502 and rate-limits, and opens its issue once, when GitHub is back", async () => {
    const target = await createProject(operator.store);
    const patch = await proposeRename(contributor.store, target, "Through A Bad Day");
    const gh = fakeGitHub({ ...REPO, botLogin: BOT, config: bridgeConfig(target.id) });
    const app = await boot();
    await waitForSubscriber(target.id);
    gh.fail("POST", /\/issues$/, { status: 502, times: 2 });
    gh.fail("GET", /\/issues$/, { status: 429, headers: { "retry-after": "1" } });

    await deliver(patch.key, target.id);
    await vi.waitFor(() => expect(gh.issues).toHaveLength(1), { timeout: 30_000 });
    await app.settle();
    expect(gh.requests.filter((r) => r.method === "POST" && /\/issues$/.test(r.path))).toHaveLength(3);
    expect(gh.sent("POST", /\/issues$/)).toHaveLength(1);
    expect(app.bridge.counts().retries).toBeGreaterThanOrEqual(3);
    expect(reviewsOn(gh, gh.issues[0] as FakeIssue)).toHaveLength(1);
  });

  /**
   * A key delivered while opening its issue fails with `fault` (502 after GitHub opened it: its answer was
   * lost), and the process stops before it tries again: its record says "being opened".
   */
  async function stopWhileOpening(name: string, fault: Fault) {
    const target = await createProject(operator.store);
    const patch = await proposeRename(contributor.store, target, name);
    const gh = fakeGitHub({ ...REPO, botLogin: BOT, config: bridgeConfig(target.id) });
    gh.fail("POST", /\/issues$/, fault);
    const first = await boot({ firstRetryMs: 3_600_000 });
    await waitForSubscriber(target.id);
    await deliver(patch.key, target.id);
    await vi.waitFor(() => expect(first.bridge.counts().retries).toBe(1), { timeout: 30_000 });
    await first.settle();
    await first.bridge.close();
    return { target, patch, gh };
  }

  it("opens one issue, not two, when the process stops after GitHub opened it and before it was recorded", async () => {
    // GitHub opens the issue and its answer is lost; the process stops before it tries again.
    const { target, patch, gh } = await stopWhileOpening("Across A Restart", {
      status: 502,
      afterDoing: true,
    });
    expect(gh.issues).toHaveLength(1);
    expect(gh.botComments((gh.issues[0] as FakeIssue).number)).toEqual([]);
    const item = (await readInboxRecord(dataDir, target.id)).items.find((i) => i.key === patch.key);
    expect(item).toMatchObject({ status: "new", issue: { repository: REPOSITORY } });
    expect(item?.issue?.number).toBeUndefined();

    const second = await boot();
    await vi.waitFor(() => expect(second.bridge.counts().found).toBe(1), { timeout: 30_000 });
    await second.settle();
    expect(gh.issues).toHaveLength(1);
    expect(gh.requests.filter((r) => r.method === "POST" && /\/issues$/.test(r.path))).toHaveLength(1);
    const [issue] = gh.issues as [FakeIssue];
    expect(reviewsOn(gh, issue)).toHaveLength(1);
    expect((await readInboxRecord(dataDir, target.id)).items.find((i) => i.key === patch.key)).toMatchObject({
      status: "reviewed",
      issue: { repository: REPOSITORY, number: issue.number },
    });
  });

  it("finds a key's issue opened before a crash though a thousand newer inbox issues were opened since, and opens no second one", async () => {
    const { target, patch, gh } = await stopWhileOpening("Found By Search", {
      status: 502,
      afterDoing: true,
    });
    const [opened] = gh.issues as [FakeIssue];
    // Before the next start, 1,000 more of the bot's inbox issues were opened (and closed) after it.
    for (let i = 0; i < 1000; i++) {
      const other = renderInboxIssue({
        key: unknownKey(),
        target: target.id,
        title: `other ${i}`,
        from: "peer",
      });
      gh.issues.push({
        number: 10_000 + i,
        ...other,
        labels: [LABEL],
        user: { login: BOT, type: "Bot" },
        state: "closed",
      });
    }

    const listIssues = /\/repos\/[^/]+\/[^/]+\/issues$/;
    const listedBefore = gh.sent("GET", listIssues).length;
    const second = await boot();
    // Found, or (what a search that misses it does) opened again.
    await vi.waitFor(
      () => expect(second.bridge.counts().found + gh.sent("POST", /\/issues$/).length).toBeGreaterThan(0),
      { timeout: 30_000 },
    );
    await second.settle();
    expect(second.bridge.counts().found).toBe(1);
    expect(gh.sent("POST", /\/issues$/)).toHaveLength(0);
    expect(gh.issues.filter((i) => i.body.includes(patch.key))).toEqual([opened]);
    expect(reviewsOn(gh, opened)).toHaveLength(1);
    expect((await readInboxRecord(dataDir, target.id)).items.find((i) => i.key === patch.key)).toMatchObject({
      status: "reviewed",
      issue: { repository: REPOSITORY, number: opened.number },
    });
    // Bounded: the newest thousand listed (ten pages), then one search.
    expect(gh.sent("GET", listIssues).length - listedBefore).toBe(10);
    expect(gh.sent("GET", "/search/issues")).toHaveLength(1);
  });

  it("a person's issue that copies a key's text and marker is not taken for the key's issue by the search", async () => {
    // GitHub refuses the open and the process stops: the record says "being opened", no issue exists.
    const { target, patch, gh } = await stopWhileOpening("Not A Forgery", { status: 502 });
    expect(gh.issues).toEqual([]);
    const copy = renderInboxIssue({ key: patch.key, target: target.id, title: "forged", from: "peer" });
    const forged = gh.personIssue("mallory", { body: copy.body, labels: [LABEL] });
    for (let i = 0; i < 1000; i++)
      gh.personIssue("mallory", { body: `filler ${i}`, labels: [LABEL] }).state = "closed";

    const second = await boot();
    await vi.waitFor(() => expect(gh.sent("POST", /\/issues$/)).toHaveLength(1), { timeout: 30_000 });
    await second.settle();
    expect(second.bridge.counts().found).toBe(0);
    const mine = gh.issues.filter((i) => i.user.login === BOT);
    expect(mine).toHaveLength(1);
    expect(mine[0]?.number).not.toBe(forged.number);
    expect(reviewsOn(gh, forged)).toEqual([]);
  });

  it("a writer who edits the marker of the bot's inbox issue to name another key does not get that key's review there after a crash", async () => {
    const target = await createProject(operator.store);
    const first = await proposeRename(contributor.store, target, "Opened First");
    const second = await proposeRename(contributor.store, target, "Not Redirected");
    const gh = fakeGitHub({ ...REPO, botLogin: BOT, config: bridgeConfig(target.id) });
    const app = await boot({ firstRetryMs: 3_600_000 });
    const opened = await deliverAndSettle(app, gh, first.key, target.id);
    // GitHub refuses the second key's issue and the process stops: its record says "being opened".
    gh.fail("POST", /\/issues$/, { status: 502 });
    await deliver(second.key, target.id);
    await vi.waitFor(() => expect(app.bridge.counts().retries).toBe(1), { timeout: 30_000 });
    await app.settle();
    await app.bridge.close();
    // Meanwhile a writer edits the first issue's marker to name the second key.
    gh.editIssue(opened.number, (body) => body.replace(`"key":"${first.key}"`, `"key":"${second.key}"`));
    expect(opened.body).toContain(`"key":"${second.key}"`);

    const again = await boot();
    await vi.waitFor(
      () => expect(again.bridge.counts().found + gh.sent("POST", /\/issues$/).length).toBeGreaterThan(1),
      { timeout: 30_000 },
    );
    await again.settle();
    // The edited marker is not the bot's: the second key gets an issue of its own, and its review is there.
    expect(again.bridge.counts().found).toBe(0);
    expect(gh.issues).toHaveLength(2);
    const own = gh.issues[1] as FakeIssue;
    expect(own.body).toContain(`Patch: ${second.key}`);
    expect(reviewsOn(gh, own).map((c) => parseMarker(c.body))).toMatchObject([{ key: second.key }]);
    expect(reviewsOn(gh, opened).map((c) => parseMarker(c.body))).toMatchObject([{ key: first.key }]);
    expect((await readInboxRecord(dataDir, target.id)).items.find((i) => i.key === second.key)).toMatchObject(
      {
        status: "reviewed",
        issue: { repository: REPOSITORY, number: own.number },
      },
    );
  });

  it("a writer who edits the marker of the bot's open inbox issue, to another target or away, frees no slot; closing it does", async () => {
    const target = await createProject(operator.store);
    const first = await proposeRename(contributor.store, target, "Holds The Slot");
    const second = await proposeRename(contributor.store, target, "Waits For It");
    const gh = fakeGitHub({ ...REPO, botLogin: BOT, config: bridgeConfig(target.id, 1) });
    const app = await boot({ slotRecheckMs: 200 });
    const opened = await deliverAndSettle(app, gh, first.key, target.id);

    // The marker is edited to name another target: the issue would no longer count for this one.
    gh.editIssue(opened.number, (body) =>
      body.replace(`"target":"${target.id}"`, `"target":"${unknownKey()}"`),
    );
    await deliver(second.key, target.id);
    await vi.waitFor(() => expect(app.bridge.counts().full).toBeGreaterThan(0), { timeout: 30_000 });
    await app.settle();
    expect(gh.issues).toHaveLength(1);

    // The marker is taken out: the issue would not count at all. The target is looked at again and again.
    gh.editIssue(opened.number, (body) => body.replace(/\n<!-- nomad-patch:inbox [^\n]* -->$/, ""));
    expect(opened.body).not.toContain("nomad-patch:inbox");
    const fullBefore = app.bridge.counts().full;
    await vi.waitFor(() => expect(app.bridge.counts().full).toBeGreaterThan(fullBefore + 2), {
      timeout: 30_000,
    });
    await app.settle();
    expect(gh.issues).toHaveLength(1);
    expect(gh.sent("POST", /\/issues$/)).toHaveLength(1);

    // A maintainer closes it: that frees the slot, and the waiting key gets its issue.
    opened.state = "closed";
    await vi.waitFor(() => expect(gh.issues).toHaveLength(2), { timeout: 30_000 });
    await app.settle();
    expect(gh.issues[1]?.body).toContain(`Patch: ${second.key}`);
    expect(gh.issues.filter((issue) => issue.state === "open")).toHaveLength(1);
  });

  it("judges an inbox arrival as a patch from nobody: a rule for writers does not apply it, whatever GitHub says of the bot", async () => {
    const target = await createProject(operator.store);
    const patch = await proposeRename(contributor.store, target, "Not Vouched For");
    const writersApply = "rules:\n  - match: { authorPermission: write }\n    action: apply";
    const gh = fakeGitHub({
      ...REPO,
      botLogin: BOT,
      config: bridgeConfig(target.id, 3, writersApply),
      permissions: { [BOT]: { permission: "write", role_name: "write" } },
    });
    const issue = await deliverAndSettle(await boot(), gh, patch.key, target.id);
    expect(reviewsOn(gh, issue)).toHaveLength(1);
    const statuses = gh.botComments(issue.number).map((c) => parseMarker(c.body));
    expect(statuses.filter((m) => m?.kind === "status")).toEqual([]);
    expect(gh.sent("GET", /\/permission$/)).toEqual([]);
    expect((await operatorView(operator.store, target.id)).eventIds).not.toContain("UpdateNameAsync");
  });

  it("opens nothing for a key whose patch is for another target", async () => {
    const [target, other] = await Promise.all([createProject(operator.store), createProject(operator.store)]);
    const elsewhere = await proposeRename(contributor.store, other, "Not For This Inbox");
    const gh = fakeGitHub({ ...REPO, botLogin: BOT, config: bridgeConfig(target.id) });
    const app = await boot();
    await waitForSubscriber(target.id);
    // The message names the inbox's target; the patch it points at is for the other one.
    await contributor.store.pubsubPublish(
      topicOf(target.id),
      encodeInboxMessage({ patch: elsewhere.key, target: target.id }),
    );
    const inbox = app.bridge.inbox();
    await vi.waitFor(() => expect(inbox?.counts().invalid).toBe(1), { timeout: 30_000 });
    await app.settle();
    expect(gh.requests.filter((r) => /\/issues/.test(r.path))).toEqual([]);
    expect(app.bridge.counts()).toMatchObject({ opened: 0, waiting: 0 });
  });

  it("a stranger's flood of keys that do not resolve, and forged inbox issues, open nothing and take no slot", async () => {
    const target = await createProject(operator.store);
    const patch = await proposeRename(contributor.store, target, "The Real One");
    const gh = fakeGitHub({ ...REPO, botLogin: BOT, config: bridgeConfig(target.id, 1) });
    // A person opens an issue with the bridge's label and a copy of its marker: it is not the bot's.
    gh.personIssue("mallory", {
      labels: [LABEL],
      body: `Patch: ${patch.key}\n\n<!-- nomad-patch:inbox {"v":1,"key":"${patch.key}","target":"${target.id}"} -->`,
    });
    const maxPending = 10;
    const app = await boot(
      { inboxLimits: { resolveTimeoutMs: 2_000 } },
      { NOMAD_PATCH_INBOX_MAX_PENDING: String(maxPending) },
    );
    await waitForSubscriber(target.id);
    // The stranger is a node of its own: the sender's rate is per peer, and the contributor delivers later.
    const stranger = await startKubo({ config: pubsubConfig });
    try {
      await connect(stranger, operator);
      const topic = topicOf(target.id);
      await vi.waitFor(
        async () => expect((await stranger.store.pubsubPeers(topic)).length).toBeGreaterThan(0),
        { timeout: 20_000, interval: 250 },
      );
      for (let i = 0; i < 200; i++)
        await stranger.store.pubsubPublish(
          topic,
          encodeInboxMessage({ patch: unknownKey(), target: target.id }),
        );
    } finally {
      await stranger.stop();
    }
    const inbox = app.bridge.inbox();
    if (!inbox) throw new Error("the bridge listens");
    await vi.waitFor(() => expect(inbox.counts().received).toBeGreaterThan(0), { timeout: 20_000 });
    await inbox.settled();
    await app.settle();
    const counts = inbox.counts();
    // The sender's rate stops most of the flood; what got in did not resolve, and nothing reached GitHub.
    expect(counts.rateLimited).toBeGreaterThan(0);
    expect(counts.delivered).toBe(0);
    expect(counts.invalid).toBe(counts.accepted);
    expect(inbox.pending().max).toBeLessThanOrEqual(maxPending);
    expect(gh.requests.filter((r) => /\/issues/.test(r.path))).toEqual([]);

    // The real patch still gets the one slot: the forged issue does not count, nor does it stand for the key.
    await deliver(patch.key, target.id);
    await vi.waitFor(() => expect(gh.issues).toHaveLength(2), { timeout: 30_000 });
    await app.settle();
    const opened = gh.issues[1] as FakeIssue;
    expect(opened.user.login).toBe(BOT);
    expect(reviewsOn(gh, opened)).toHaveLength(1);
  });
});
