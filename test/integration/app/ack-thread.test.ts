import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sign } from "@octokit/webhooks-methods";
import nock from "nock";
import { afterEach, describe, expect, it } from "vitest";
import { openDiskQueue } from "../../../src/app/disk-queue.js";
import { parseMarker } from "../../../src/render/marker.js";
import { fakeGitHub } from "./github-fake.js";
import { BOT, serveSignedWebhooks } from "./harness.js";
import { recordLogs } from "./log-recorder.js";
import { commentCreated, REPO } from "./payloads.js";
import { postStreamed } from "./post-streamed.js";

/**
 * Webhooks acknowledged on a thread of their own (`src/app/ack-thread/`), as `npm start` serves them: the
 * answer must not wait for the main thread, whose event loop a cold review holds (target 6), and must
 * still come only once the delivery's record is on disk.
 */
const SECRET = "a-webhook-secret";
const TARGET = "k51qzi5uqu5dlvj2baxnqndepeb86cbk3ng7n3i46uzyxzyqj2xjonzllnv0v8";

interface Delivery {
  readonly headers: Record<string, string>;
  readonly body: string;
}

async function signedHold(issue: number, id: string, by = "maintainer"): Promise<Delivery> {
  const body = JSON.stringify(
    commentCreated({ number: issue, body: "" }, "/hold", by, { id: 50_000 + issue }),
  );
  return {
    headers: {
      "content-type": "application/json",
      "x-github-event": "issue_comment",
      "x-github-delivery": id,
      "x-hub-signature-256": await sign(SECRET, body),
    },
    body,
  };
}

/**
 * Sends the deliveries from a process of its own (as GitHub is another machine), all at once, and
 * writes their statuses to a file when every one is answered: this process may be blocked meanwhile.
 */
function sendApart(url: string, deliveries: readonly Delivery[], dir: string): string {
  const input = join(dir, "deliveries.json");
  const output = join(dir, "statuses.json");
  writeFileSync(input, JSON.stringify(deliveries));
  const code = `
    import { readFileSync, renameSync, writeFileSync } from "node:fs";
    const deliveries = JSON.parse(readFileSync(process.env.INPUT, "utf8"));
    const statuses = await Promise.all(deliveries.map((d) =>
      fetch(process.env.URL, { method: "POST", headers: d.headers, body: d.body }).then((r) => r.status, () => 0)));
    // Renamed into place: the test reads it the moment it appears.
    writeFileSync(process.env.OUTPUT + ".tmp", JSON.stringify(statuses));
    renameSync(process.env.OUTPUT + ".tmp", process.env.OUTPUT);`;
  spawn(process.execPath, ["--input-type=module", "-e", code], {
    env: { PATH: process.env.PATH, INPUT: input, OUTPUT: output, URL: url },
    stdio: "ignore",
  });
  return output;
}

/**
 * Holds this thread without giving its event loop a single turn (as a review's slice or a collection
 * does, only longer) until `ready` returns something, or `ms` passed.
 */
function blockUntil<T>(ready: () => T | undefined, ms: number): T | undefined {
  const nap = new Int32Array(new SharedArrayBuffer(4));
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const value = ready();
    if (value !== undefined) return value;
    Atomics.wait(nap, 0, 0, 20);
  }
  return undefined;
}

const readStatuses = (file: string) =>
  existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as number[]) : undefined;
const recordsIn = (dir: string) => readdirSync(dir).filter((name) => name.endsWith(".json"));

describe("webhooks acknowledged on a thread of their own", () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    nock.cleanAll();
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function serve(options: { maxUnsettled?: number; thread?: boolean } = {}) {
    nock.disableNetConnect();
    nock.enableNetConnect(/127\.0\.0\.1|localhost/);
    const served = await serveSignedWebhooks(SECRET, {}, { thread: options.thread ?? true, ...options });
    cleanups.push(served.close);
    const dir = await mkdtemp(join(tmpdir(), "nomad-patch-ack-thread-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    return { ...served, dir };
  }

  const maintainerRepo = () =>
    fakeGitHub({
      ...REPO,
      botLogin: BOT,
      config: `targets:\n  - id: ${TARGET}\n`,
      permissions: { maintainer: { permission: "admin", role_name: "admin" } },
    });

  it("answers deliveries while the main thread's event loop is held, each after its record is on disk, and the app runs them once it is free", async () => {
    const gh = maintainerRepo();
    const app = await serve();
    const deliveries = await Promise.all([1, 2, 3, 4, 5].map((n) => signedHold(200 + n, `held-loop-${n}`)));
    const statusFile = sendApart(app.url, deliveries, app.dir);
    // No turn of this loop until every answer came: Probot's middleware here could answer none of them.
    const statuses = blockUntil(() => readStatuses(statusFile), 30_000);
    const onDisk = recordsIn(app.queueDir);
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    expect(onDisk).toHaveLength(5);
    // What a restart would replay from them: the five events as they came.
    const kept = await openDiskQueue(
      app.queueDir.replace(/\/queue$/, ""),
      { maxRecords: 10, maxDeliveries: 10 },
      recordLogs().logger as never,
    );
    expect((await kept.load()).map((r) => r.event.deliveryId).sort()).toEqual(
      deliveries.map((d) => d.headers["x-github-delivery"]).sort(),
    );

    await until(() => app.queue.idle().then(() => recordsIn(app.queueDir).length === 0));
    for (const n of [1, 2, 3, 4, 5]) {
      expect(gh.sent("POST", `/issues/${200 + n}/labels`)).toHaveLength(1);
      expect(gh.botComments(200 + n).filter((c) => parseMarker(c.body)?.state === "held")).toHaveLength(1);
    }
    expect(recordsIn(app.queueDir)).toEqual([]);
    expect(app.crashes).toEqual([]);
  });

  it("on the main thread (Probot's middleware alone) answers nothing while its loop is held", async () => {
    maintainerRepo();
    const app = await serve({ thread: false });
    const statusFile = sendApart(app.url, [await signedHold(230, "held-main")], app.dir);
    expect(blockUntil(() => readStatuses(statusFile), 3000)).toBeUndefined();
    await until(async () => readStatuses(statusFile) !== undefined);
    await app.queue.idle();
  });

  it("refuses a flood the app has not taken yet beyond its bound, writing nothing for the refused", async () => {
    const gh = maintainerRepo();
    const app = await serve({ maxUnsettled: 3 });
    const deliveries = await Promise.all([1, 2, 3, 4, 5, 6].map((n) => signedHold(300 + n, `bounded-${n}`)));
    const statusFile = sendApart(app.url, deliveries, app.dir);
    const statuses = blockUntil(() => readStatuses(statusFile), 30_000) ?? [];
    const onDisk = recordsIn(app.queueDir);
    expect([...statuses].sort()).toEqual([200, 200, 200, 503, 503, 503]);
    expect(onDisk).toHaveLength(3);
    await until(() => app.queue.idle().then(() => recordsIn(app.queueDir).length === 0));
    const done = [1, 2, 3, 4, 5, 6].filter((n) => gh.sent("POST", `/issues/${300 + n}/labels`).length === 1);
    expect(done).toHaveLength(3);
    // Taken again, the bound has room: a refused one redelivered is answered and done.
    const refused = [1, 2, 3, 4, 5, 6].find((n) => !done.includes(n)) as number;
    const again = deliveries[refused - 1] as Delivery;
    expect((await fetch(app.url, { method: "POST", ...again })).status).toBe(200);
    await until(() => app.queue.idle().then(() => recordsIn(app.queueDir).length === 0));
    expect(gh.sent("POST", `/issues/${300 + refused}/labels`)).toHaveLength(1);
  });

  it("refuses what is not a signed event of GitHub's with Probot's statuses, and keeps and runs none of it", async () => {
    const gh = maintainerRepo();
    const app = await serve();
    const hold = await signedHold(400, "refused-1");
    const post = (headers: Record<string, string>, body = hold.body, url = app.url) =>
      fetch(url, { method: "POST", headers, body });
    const forged = await post({
      ...hold.headers,
      "x-hub-signature-256": await sign("not-the-secret", hold.body),
    });
    expect(forged.status).toBe(400);
    expect(await forged.json()).toEqual({ error: expect.stringContaining("signature does not match") });
    // The operator's likely mistake behind it (a WEBHOOK_SECRET that is not the app's) is said in the log.
    expect(app.threadLogs).toContainEqual(
      expect.objectContaining({
        level: "warn",
        msg: "webhook delivery refused",
        status: 400,
        hint: "if GitHub sent it, WEBHOOK_SECRET is not the app's webhook secret: set it to the one on the app's settings page (Webhook secret) and start the app again",
      }),
    );
    const { "x-github-delivery": _id, ...noId } = hold.headers;
    expect((await post(noId)).status).toBe(400);
    expect((await post({ ...hold.headers, "content-type": "text/plain" })).status).toBe(415);
    const notJson = "{not json";
    expect(
      (await post({ ...hold.headers, "x-hub-signature-256": await sign(SECRET, notJson) }, notJson)).status,
    ).toBe(400);
    // Signed, but not an issue the app can read: refused here, not failed later where nobody answers.
    const noIssue = JSON.stringify({ action: "created", sender: { login: "mallory" } });
    const malformed = await post(
      { ...hold.headers, "x-hub-signature-256": await sign(SECRET, noIssue) },
      noIssue,
    );
    expect(malformed.status).toBe(400);
    // An event the app does not handle is answered as Probot answers it, and nothing is kept.
    const push = JSON.stringify({ ref: "refs/heads/main" });
    const pushed = await post(
      { ...hold.headers, "x-github-event": "push", "x-hub-signature-256": await sign(SECRET, push) },
      push,
    );
    expect(pushed.status).toBe(200);
    // 30 MB, streamed or announced: refused at the bound.
    const HUGE = 30 * 1024 * 1024;
    expect((await postStreamed(app.url, { chunked: true, bytes: HUGE })).status).toBe(413);
    expect((await postStreamed(app.url, { chunked: false, bytes: HUGE })).status).toBe(413);
    await app.queue.idle();
    expect(recordsIn(app.queueDir)).toEqual([]);
    expect(gh.requests).toEqual([]);
    expect(app.crashes).toEqual([]);
  });

  it("a stranger's flood of forged deliveries: each refused, the log given a bounded number of lines", async () => {
    maintainerRepo();
    const app = await serve();
    const hold = await signedHold(410, "forged-flood");
    const forged = { ...hold.headers, "x-hub-signature-256": await sign("not-the-secret", hold.body) };
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++)
      statuses.push((await fetch(app.url, { method: "POST", headers: forged, body: hold.body })).status);
    expect(statuses).toEqual(Array.from({ length: 40 }, () => 400));
    const refused = app.threadLogs.filter((line) => line.msg === "webhook delivery refused");
    expect(refused).toHaveLength(10);
    expect(recordsIn(app.queueDir)).toEqual([]);
    expect(app.crashes).toEqual([]);
  });

  it("takes a delivery posted to / as at the webhook path, runs a redelivery once, and passes every other request on to the app's server", async () => {
    const gh = maintainerRepo();
    const app = await serve();
    const root = app.url.replace("/api/github/webhooks", "/");
    const hold = await signedHold(500, "root-1");
    const answers = [];
    for (const url of [root, app.url, app.url])
      answers.push((await fetch(url, { method: "POST", ...hold })).status);
    expect(answers).toEqual([200, 200, 200]);
    await until(() => app.queue.idle().then(() => recordsIn(app.queueDir).length === 0));
    expect(gh.sent("POST", "/issues/500/labels")).toHaveLength(1);
    // Probot's middleware answers a GET of its path; the harness's server answers the rest.
    const get = await fetch(app.url);
    expect(get.status).toBe(404);
    expect(await get.json()).toEqual({ error: "Unknown route: GET /api/github/webhooks" });
    expect((await fetch(root.replace(/\/$/, "/elsewhere"))).status).toBe(404);
  });

  it("tells the app when the thread stops without being asked, and stops listening", async () => {
    const app = await serve();
    const thread = app.thread as NonNullable<typeof app.thread>;
    await thread.worker.terminate();
    expect(app.crashes).toHaveLength(1);
    expect(app.crashes[0]?.message).toContain("webhook thread exited");
    await expect(fetch(app.url, { method: "POST", ...(await signedHold(600, "deaf-1")) })).rejects.toThrow();
  });

  it("closes: stops listening and ends its thread, reporting no crash", async () => {
    const app = await serve();
    const thread = app.thread as NonNullable<typeof app.thread>;
    const exited = new Promise<number>((resolve) => thread.worker.once("exit", resolve));
    await thread.close();
    expect(await exited).toBe(0);
    expect(app.crashes).toEqual([]);
    await expect(fetch(app.url)).rejects.toThrow();
  });
});

/** Polls a condition the app's background work makes true; gives up after a while (assertions then fail). */
async function until(condition: () => Promise<boolean>, attempts = 300): Promise<void> {
  for (let i = 0; i < attempts && !(await condition()); i++)
    await new Promise((resolve) => setTimeout(resolve, 50));
}
