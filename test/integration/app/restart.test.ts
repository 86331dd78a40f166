import { mkdir, mkdtemp, readdir, readFile, rename, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nock from "nock";
import type { Probot } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createWorkQueue, type WorkQueue } from "../../../src/app/work-queue.js";
import type { IpfsStore } from "../../../src/ipfs/store.js";
import { parseMarker } from "../../../src/render/marker.js";
import { fakeGitHub } from "./github-fake.js";
import { BOT, kuboPairPerSuite, loadApp } from "./harness.js";
import { recordLogs } from "./log-recorder.js";
import { configYaml, createProject, proposeRename } from "./nomad-data.js";
import { commentCreated, issueOpened, issueTransferred, REPO } from "./payloads.js";

const ADMIN = { permission: "admin", role_name: "admin" };
const TARGET = "k51qzi5uqu5dlvj2baxnqndepeb86cbk3ng7n3i46uzyxzyqj2xjonzllnv0v8";

/** A job of `login` that never ends: their later jobs are accepted and wait, as in a process that stops. */
function occupy(queue: WorkQueue, login: string): void {
  queue.enqueue(`busy-${login}`, () => new Promise(() => {}), { login, lowPriority: () => false });
}

type Delivery = Parameters<Probot["receive"]>[0];

describe("the GitHub App's queued work across a restart", () => {
  const pair = kuboPairPerSuite();
  let dataDir = "";
  beforeEach(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect(/127\.0\.0\.1|localhost/);
    dataDir = await mkdtemp(join(tmpdir(), "nomad-patch-restart-"));
  });
  afterEach(async () => {
    nock.cleanAll();
    await rm(dataDir, { recursive: true, force: true });
  });

  /** One app process on the data directory (GitHub, faked, outlives it). */
  async function boot(
    store: IpfsStore,
    queue: WorkQueue,
    logs = recordLogs(),
    prepare?: (probot: Probot) => void,
  ) {
    const probot = await loadApp(store, dataDir, queue, logs, { prepare });
    return {
      logs: logs.lines,
      deliver: (name: "issues" | "issue_comment", payload: object, id: string) =>
        probot.receive({ id, name, payload } as Delivery),
    };
  }
  /** GitHub with the repository's target and a maintainer allowed to `/hold`. */
  const maintainerGitHub = () =>
    fakeGitHub({
      ...REPO,
      botLogin: BOT,
      config: `targets:\n  - id: ${TARGET}\n`,
      permissions: { maintainer: ADMIN },
    });
  const hold = (issue: number, id: number) =>
    commentCreated({ number: issue, body: "" }, "/hold", "maintainer", { id });
  const records = async () => (await readdir(join(dataDir, "queue"))).filter((n) => n.endsWith(".json"));

  it("posts a review queued before a stop exactly once, from the next process, and still knows the delivery", async () => {
    const target = await createProject(pair.operator.store);
    const patch = await proposeRename(pair.contributor.store, target, "Reviewed After The Restart");
    const gh = fakeGitHub({ ...REPO, botLogin: BOT, config: configYaml(target.id) });

    // The first process accepts the issue (GitHub has its 2xx) but stops before the review runs.
    const first = createWorkQueue();
    occupy(first, "contributor");
    const before = await boot(pair.operator.store, first);
    const opened = issueOpened({ number: 3, body: `Patch: ${patch.key}` });
    await before.deliver("issues", opened, "delivery-review");
    expect(await records()).toHaveLength(1);
    expect(gh.requests.filter((r) => r.method !== "GET")).toEqual([]);

    const second = createWorkQueue();
    const after = await boot(pair.operator.store, second);
    await second.idle();
    const reviews = gh.botComments(3).filter((c) => parseMarker(c.body)?.kind === "review");
    expect(reviews).toHaveLength(1);
    expect(parseMarker(reviews[0]?.body)).toMatchObject({ key: patch.key, state: "ready" });
    expect(await records()).toEqual([]);

    // GitHub redelivers the same delivery to the new process: handled once already.
    const requests = gh.requests.length;
    await after.deliver("issues", opened, "delivery-review");
    await second.idle();
    expect(gh.requests.length).toBe(requests);
    expect(after.logs.some((l) => l.msg === "delivery seen before: ignored")).toBe(true);
  });

  it("does nothing after a restart with an event for an issue transferred before the stop, still in queue/", async () => {
    const gh = maintainerGitHub();
    // The /hold is accepted but waits behind its sender's other job; then the issue is transferred.
    const first = createWorkQueue();
    occupy(first, "maintainer");
    const before = await boot(pair.operator.store, first);
    await before.deliver("issue_comment", hold(9, 91_009), "delivery-before-transfer");
    const moved = issueTransferred(
      { number: 9, body: "" },
      { ...REPO, repo: "New-Home", number: 4 },
      "maintainer",
    );
    await before.deliver("issues", moved, "delivery-transfer");
    expect(await records()).toHaveLength(1);

    // The next process replays the /hold: the old number is no longer this repository's issue.
    const second = createWorkQueue();
    const after = await boot(pair.operator.store, second);
    await second.idle();
    expect(gh.requests.filter((r) => r.method !== "GET")).toEqual([]);
    expect(after.logs.some((l) => l.msg.includes("the issue was transferred since this event"))).toBe(true);
    expect(await records()).toEqual([]);
  });

  it("discards a damaged record of transferred issues with a log line, and handles the issue's events", async () => {
    const gh = maintainerGitHub();
    await writeFile(join(dataDir, "transferred-issues.json"), '{"v":1,"lanes":["../../etc#1"]}');
    const queue = createWorkQueue();
    const app = await boot(pair.operator.store, queue);
    expect(app.logs.some((l) => l.msg.startsWith("transferred issues file is corrupt: discarded"))).toBe(
      true,
    );
    await app.deliver("issue_comment", hold(10, 91_010), "delivery-after-damage");
    await queue.idle();
    expect(gh.sent("POST", "/issues/10/labels").map((r) => r.body)).toEqual([
      { labels: ["nomad-patch: held"] },
    ]);
  });

  it("discards corrupt, foreign and oversized files at start, and replays a finished /hold without posting it twice", async () => {
    const gh = fakeGitHub({
      ...REPO,
      botLogin: BOT,
      config: `targets:\n  - id: ${TARGET}\n`,
      permissions: { maintainer: ADMIN },
    });
    const hold = commentCreated({ number: 7, body: "" }, "/hold", "maintainer", { id: 91_007 });
    const first = createWorkQueue();
    const before = await boot(pair.operator.store, first);
    await before.deliver("issue_comment", hold, "delivery-hold");
    await first.idle();
    const held = () => gh.botComments(7).filter((c) => parseMarker(c.body)?.state === "held");
    expect(held()).toHaveLength(1);
    expect(await records()).toEqual([]);

    // A stop cut the job short after it posted, before its record was removed: the record is back.
    // Beside it, what a crash, a bug or another program may leave in the directory.
    const queueDir = join(dataDir, "queue");
    const record = { v: 1, deliveryId: "delivery-hold", event: "issue_comment.created", payload: hold };
    await writeFile(join(queueDir, "000000000000001-000001.json"), JSON.stringify(record));
    await writeFile(join(queueDir, "000000000000002-000001.json"), "{ not json");
    await writeFile(join(queueDir, "000000000000003-000001.json"), JSON.stringify({ ...record, v: 99 }));
    await writeFile(join(queueDir, "000000000000004-000001.json"), "x".repeat(2 * 1024 * 1024));
    await writeFile(join(queueDir, "notes.txt"), "someone else's file");

    const second = createWorkQueue();
    const after = await boot(pair.operator.store, second);
    await second.idle();
    expect(held()).toHaveLength(1);
    expect(await readdir(queueDir)).toEqual(["deliveries"]);
    const discarded = after.logs.filter((l) => l.msg === "queued event discarded");
    expect(discarded.map((l) => (l as { reason?: string }).reason)).toEqual([
      "not a queued event of this version",
      "not a queued event of this version",
      "larger than 1048576 bytes",
      "not a queued event's name",
    ]);
  });

  it("replays an event whose job had posted its answers without posting them again: failed reviews, a denied approval", async () => {
    const target = await createProject(pair.operator.store);
    const other = await createProject(pair.operator.store);
    const gh = fakeGitHub({
      ...REPO,
      botLogin: BOT,
      config: configYaml(target.id),
      permissions: { reader: { permission: "read", role_name: "read" } },
    });
    // Two projects' keys resolve, but not to patch requests: neither can be reviewed, and one reply says so.
    const offered = commentCreated(
      { number: 8, body: "" },
      `Patch: ${target.id}\n\nPatch: ${other.id}`,
      "reader",
      { id: 91_008 },
    );
    const denied = commentCreated({ number: 9, body: "" }, "/apply", "reader", { id: 91_009 });
    const first = createWorkQueue();
    const before = await boot(pair.operator.store, first);
    await before.deliver("issue_comment", offered, "delivery-offered");
    await before.deliver("issue_comment", denied, "delivery-denied");
    await first.idle();
    const answers = () => [...gh.botComments(8), ...gh.botComments(9)].map((c) => parseMarker(c.body)?.state);
    expect(answers()).toEqual(["failed", "denied"]);

    // A stop cut both jobs short after they posted: their records are back.
    const queueDir = join(dataDir, "queue");
    const record = (deliveryId: string, payload: object) =>
      JSON.stringify({ v: 1, deliveryId, event: "issue_comment.created", payload });
    await writeFile(join(queueDir, "000000000000001-000001.json"), record("delivery-offered", offered));
    await writeFile(join(queueDir, "000000000000001-000002.json"), record("delivery-denied", denied));
    const writes = gh.requests.filter((r) => r.method === "POST" && r.path.endsWith("/comments")).length;

    const second = createWorkQueue();
    await boot(pair.operator.store, second);
    await second.idle();
    expect(answers()).toEqual(["failed", "denied"]);
    expect(gh.requests.filter((r) => r.method === "POST" && r.path.endsWith("/comments")).length).toBe(
      writes,
    );
    expect(await records()).toEqual([]);

    // A new event with the same answer is answered: only a replay looks for its answer first.
    await before.deliver("issue_comment", { ...denied, comment: { ...denied.comment, id: 91_010 } }, "again");
    await first.idle();
    expect(answers()).toEqual(["failed", "denied", "denied"]);
  });

  it("starts whatever else is in the queue directory, and removes a record whose event it would never run", async () => {
    const gh = fakeGitHub({ ...REPO, botLogin: BOT, config: `targets:\n  - id: ${TARGET}\n` });
    const queueDir = join(dataDir, "queue");
    await mkdir(join(queueDir, "000000000000001-000001.json"), { recursive: true });
    await mkdir(join(queueDir, "a-folder"));
    // A record no job comes of (a bot's comment): replayed, it must not stay to be replayed at every start.
    const byBot = commentCreated({ number: 10, body: "" }, "/hold", "some-bot[bot]", { type: "Bot" });
    const record = { v: 1, deliveryId: "delivery-bot", event: "issue_comment.created", payload: byBot };
    await writeFile(join(queueDir, "000000000000002-000001.json"), JSON.stringify(record));

    const queue = createWorkQueue();
    const app = await boot(pair.operator.store, queue);
    await queue.idle();
    expect(await records()).toEqual([]);
    expect(gh.requests.filter((r) => r.method !== "GET")).toEqual([]);
    expect(app.logs.filter((l) => l.msg === "queued event discarded")).toHaveLength(2);
  });

  it("keeps a queued event whose installation token cannot be had for the next start, and gives up after a bounded number of starts", async () => {
    const gh = maintainerGitHub();
    const queueDir = join(dataDir, "queue");
    await mkdir(queueDir, { recursive: true });
    const record = (deliveryId: string, payload: object) =>
      JSON.stringify({ v: 1, deliveryId, event: "issue_comment.created", installationId: 5, payload });
    await writeFile(join(queueDir, "000000000000001-000001.json"), record("delivery-kept", hold(11, 91_011)));
    const held = (issue: number) =>
      gh.botComments(issue).filter((c) => parseMarker(c.body)?.state === "held");
    // GitHub refuses the app's token (a clock skew, GitHub down, the key rotated): nothing can be replayed.
    const refused = (probot: Probot) => {
      probot.auth = () => Promise.reject(new Error("GitHub refused the app's JWT"));
    };

    const first = createWorkQueue();
    const down = await boot(pair.operator.store, first, recordLogs(), refused);
    await first.idle();
    expect(await records()).toEqual(["000000000000001-000001.json"]);
    const kept = down.logs.filter((l) => l.msg.startsWith("a queued event could not be replayed"));
    expect(kept.map((l) => l.level)).toEqual(["error"]);
    expect(kept[0]?.msg).toContain("kept for the next start");

    // The next start with a working token replays it: the /hold is posted once.
    const second = createWorkQueue();
    await boot(pair.operator.store, second);
    await second.idle();
    expect(held(11)).toHaveLength(1);
    expect(await records()).toEqual([]);

    // An event whose replay fails at every start is given up after a bounded number of starts, and said so.
    await writeFile(join(queueDir, "000000000000002-000001.json"), record("delivery-lost", hold(12, 91_012)));
    const messages: string[] = [];
    for (let start = 0; start < 10 && (await records()).length > 0; start++) {
      const queue = createWorkQueue();
      const app = await boot(pair.operator.store, queue, recordLogs(), refused);
      await queue.idle();
      messages.push(...app.logs.filter((l) => l.msg.startsWith("a queued event")).map((l) => l.msg));
    }
    expect(await records()).toEqual([]);
    expect(messages.filter((m) => m.includes("kept for the next start"))).toHaveLength(4);
    expect(messages.at(-1)).toContain("given up after 5 starts");
    expect(held(12)).toEqual([]);
  });

  it("cleans a `deliveries.new` left by a stop mid-rewrite, never writing through it, and still knows every delivery", async () => {
    const gh = maintainerGitHub();
    const queueDir = join(dataDir, "queue");
    const leftover = join(queueDir, "deliveries.new");
    const first = createWorkQueue();
    const before = await boot(pair.operator.store, first);
    await before.deliver("issue_comment", hold(21, 91_021), "delivery-21");
    await before.deliver("issue_comment", hold(22, 91_022), "delivery-22");
    await first.idle();
    const posts = () => gh.requests.filter((r) => r.method === "POST").length;
    const posted = posts();

    /** A new process; GitHub redelivers both: neither is handled again. */
    const restartAndRedeliver = async () => {
      const queue = createWorkQueue();
      const app = await boot(pair.operator.store, queue);
      await app.deliver("issue_comment", hold(21, 91_021), "delivery-21");
      await app.deliver("issue_comment", hold(22, 91_022), "delivery-22");
      await queue.idle();
      expect(posts()).toBe(posted);
      expect((await readdir(queueDir)).sort()).toEqual(["deliveries"]);
    };

    // The rewrite stopped half-way: the copy holds only part of the ids; `deliveries` is whole.
    await writeFile(leftover, "delivery-2");
    await restartAndRedeliver();

    // Something else in its place (a folder, a link out of the data directory) is removed, never written through.
    await mkdir(leftover);
    await writeFile(join(leftover, "inside"), "x");
    await restartAndRedeliver();
    const outside = join(dataDir, "not-the-queue.txt");
    await writeFile(outside, "someone else's file");
    await symlink(outside, leftover);
    await restartAndRedeliver();
    expect(await readFile(outside, "utf8")).toBe("someone else's file");

    // `deliveries` gone (removed by hand) and a whole copy left: the copy's ids are the ones remembered.
    await rename(join(queueDir, "deliveries"), leftover);
    await restartAndRedeliver();
  });

  it("keeps the disk queue within the queue's caps under a flood of 1,000 deliveries from ten people", async () => {
    const senders = Array.from({ length: 10 }, (_, i) => `maintainer${i}`);
    const gh = fakeGitHub({
      ...REPO,
      botLogin: BOT,
      config: `targets:\n  - id: ${TARGET}\n`,
      permissions: Object.fromEntries(senders.map((s) => [s, ADMIN])),
    });
    const queue = createWorkQueue({ maxPending: 50 });
    for (const login of senders) occupy(queue, login);
    const app = await boot(pair.operator.store, queue);
    const issues = Array.from({ length: 1000 }, (_, i) => 2_000 + i);
    await Promise.all(
      issues.map((issue, i) =>
        app.deliver(
          "issue_comment",
          commentCreated({ number: issue, body: "" }, "/hold", senders[i % 10] as string, { id: 80_000 + i }),
          `flood-${issue}`,
        ),
      ),
    );
    // 50 waiting in all, whoever sent them: 50 records, not 1,000.
    expect(await records()).toHaveLength(50);
    expect(gh.requests.filter((r) => r.method !== "GET")).toEqual([]);

    // A new process on the same directory finishes exactly those 50.
    const second = createWorkQueue();
    await boot(pair.operator.store, second);
    await second.idle();
    const done = issues.filter(
      (n) => gh.botComments(n).filter((c) => parseMarker(c.body)?.state === "held").length === 1,
    );
    expect(done).toHaveLength(50);
    expect(await records()).toEqual([]);
  });
});
