import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { sign } from "@octokit/webhooks-methods";
import nock from "nock";
import { afterEach, describe, expect, it, vi } from "vitest";
import { BUFFERED_BODIES, WEBHOOK_READ_DEADLINE_MS } from "../../../src/app/webhook-body-limit.js";
import { parseMarker } from "../../../src/render/marker.js";
import { fakeGitHub } from "./github-fake.js";
import { BOT, serveSignedWebhooks } from "./harness.js";
import { commentCreated, REPO } from "./payloads.js";
import { postStreamed } from "./post-streamed.js";
import { openSlowBodies, postTrickled } from "./post-trickled.js";

const SECRET = "a-webhook-secret";

describe("the GitHub App behind Probot's HTTP middleware", () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    const pending = nock.pendingMocks();
    nock.cleanAll();
    await close?.();
    expect(pending).toEqual([]);
  });

  async function start(env: Record<string, string> = {}) {
    nock.disableNetConnect();
    nock.enableNetConnect(/127\.0\.0\.1|localhost/);
    const served = await serveSignedWebhooks(SECRET, env);
    close = served.close;
    return served;
  }

  const post = (url: string, body: string, signature: string) =>
    fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-github-event": "issue_comment",
        "x-github-delivery": "signed-1",
        "x-hub-signature-256": signature,
      },
      body,
    });

  it("handles a correctly signed webhook and refuses a wrongly signed one", async () => {
    const gh = fakeGitHub({
      ...REPO,
      botLogin: BOT,
      config: "targets:\n  - id: k51qzi5uqu5dlvj2baxnqndepeb86cbk3ng7n3i46uzyxzyqj2xjonzllnv0v8\n",
      permissions: { maintainer: { permission: "admin", role_name: "admin" } },
    });
    const { queue, url } = await start();
    const body = JSON.stringify(commentCreated({ number: 30, body: "" }, "/hold", "maintainer", { id: 9 }));

    const forged = await post(url, body, await sign("not-the-secret", body));
    expect([400, 401]).toContain(forged.status);
    await queue.idle();
    expect(gh.requests).toEqual([]);

    const signed = await post(url, body, await sign(SECRET, body));
    expect(signed.status).toBe(200);
    await queue.idle();
    expect(gh.sent("POST", "/issues/30/labels").map((r) => r.body)).toEqual([
      { labels: ["nomad-patch: held"] },
    ]);
    const held = gh.botComments(30).at(-1);
    expect(parseMarker(held?.body)).toMatchObject({ kind: "status", state: "held" });
  });

  // @octokit/webhooks answers 202 "still processing" 9 s after its middleware starts, done or not. A body
  // that trickles in must never be acknowledged before the event's record is on disk: the guard in front
  // reads it whole first, and one not whole within its deadline (well under 9 s) is refused, not held.
  it("answers 408 to a body that is not whole within the read deadline, and keeps nothing of it", async () => {
    const gh = fakeGitHub({
      ...REPO,
      botLogin: BOT,
      config: "targets:\n  - id: k51qzi5uqu5dlvj2baxnqndepeb86cbk3ng7n3i46uzyxzyqj2xjonzllnv0v8\n",
      permissions: { maintainer: { permission: "admin", role_name: "admin" } },
    });
    const { queue, url, queueDir } = await start();
    const body = JSON.stringify(commentCreated({ number: 31, body: "" }, "/hold", "maintainer", { id: 10 }));
    const delivery = "trickled-1";
    // Whether the delivery is kept on disk: its record, or (its job already done) its id in `deliveries`.
    const kept = () =>
      readdirSync(queueDir).some((name) => readFileSync(join(queueDir, name), "utf8").includes(delivery));
    const answer = await postTrickled(
      url,
      {
        "content-type": "application/json",
        "x-github-event": "issue_comment",
        "x-github-delivery": delivery,
        "x-hub-signature-256": await sign(SECRET, body),
      },
      body,
      // The last 20 bytes one every 550 ms: the body would take 11 s to arrive.
      { slowBytes: 20, everyMs: 550, onAnswer: kept },
    );
    expect(answer.status).toBe(408);
    expect(answer.body).toContain(`within ${WEBHOOK_READ_DEADLINE_MS} ms`);
    // Answered before its last byte was sent, and nothing of it on disk then or later.
    expect(answer.lastByteAt).toBe(0);
    expect(answer.seenAtAnswer).toBe(false);
    await queue.idle();
    expect(kept()).toBe(false);
    expect(gh.requests).toEqual([]);
  });

  // A stranger who can reach the port opens 200 connections, each sending the start of a body and then
  // one byte at a time. Before, each was read (and its bytes buffered) until Node's 5-minute request
  // timeout; now each is answered within the deadline, and the bytes held at once stay under the budget.
  it("holds 200 slow bodies no longer than the deadline and answers a signed delivery meanwhile", async () => {
    const gh = fakeGitHub({
      ...REPO,
      botLogin: BOT,
      config: "targets:\n  - id: k51qzi5uqu5dlvj2baxnqndepeb86cbk3ng7n3i46uzyxzyqj2xjonzllnv0v8\n",
      permissions: { maintainer: { permission: "admin", role_name: "admin" } },
    });
    const { queue, url, queueDir } = await start({ NOMAD_PATCH_MAX_WEBHOOK_BYTES: String(64 * 1024) });
    const slow = openSlowBodies(url, 200, { declared: 64 * 1024, sentAtOnce: 512 });
    let slowAnswered = 0;
    for (const answer of slow) void answer.then(() => (slowAnswered += 1));
    const body = JSON.stringify(commentCreated({ number: 32, body: "" }, "/hold", "maintainer", { id: 11 }));
    const signed = await post(url, body, await sign(SECRET, body));
    // Answered while every slow body is still being read: they do not stand in its way.
    expect(signed.status).toBe(200);
    expect(slowAnswered).toBe(0);
    const answers = await Promise.all(slow);
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 408));
    expect(answers.every((a) => a.lastByteAt === 0)).toBe(true);
    await queue.idle();
    expect(gh.sent("POST", "/issues/32/labels").map((r) => r.body)).toEqual([
      { labels: ["nomad-patch: held"] },
    ]);
    // Only the signed delivery was kept.
    expect(
      readdirSync(queueDir).some((name) => readFileSync(join(queueDir, name), "utf8").includes("slow-")),
    ).toBe(false);
  });

  it("answers 503 to the slow bodies past the budget of bytes read at once, and reads none of them on", async () => {
    const maxBytes = 64 * 1024;
    const { url, bytesRead } = await start({ NOMAD_PATCH_MAX_WEBHOOK_BYTES: String(maxBytes) });
    // Each sends 8 KiB at once: the budget (BUFFERED_BODIES bodies of the largest size) holds 32 of them.
    const sentAtOnce = 8 * 1024;
    const answers = await Promise.all(openSlowBodies(url, 200, { declared: maxBytes, sentAtOnce }));
    const statuses = answers.map((a) => a.status);
    const held = (BUFFERED_BODIES * maxBytes) / sentAtOnce;
    expect(statuses.filter((s) => s === 408).length).toBeLessThanOrEqual(held);
    expect(statuses.filter((s) => s === 503).length).toBeGreaterThanOrEqual(200 - held);
    expect(statuses.every((s) => s === 408 || s === 503)).toBe(true);
    // What the server read: what the 200 sent at once and their trickles, nowhere near 200 bodies.
    expect(bytesRead()).toBeLessThan(200 * (sentAtOnce + 1024));
  });

  // One client sends four bodies of the largest size allowed, all but their last bytes at once, and then
  // trickles: before, the four held the whole budget for the read deadline, and every other delivery was
  // answered 503 meanwhile. Now one client holds at most its share (half), and GitHub's delivery, from
  // another address, is read, acknowledged and handled.
  it("one client's slow bodies hold at most its share of the budget: another address's signed delivery is handled meanwhile", async () => {
    const gh = fakeGitHub({
      ...REPO,
      botLogin: BOT,
      config: "targets:\n  - id: k51qzi5uqu5dlvj2baxnqndepeb86cbk3ng7n3i46uzyxzyqj2xjonzllnv0v8\n",
      permissions: { maintainer: { permission: "admin", role_name: "admin" } },
    });
    const maxBytes = 64 * 1024;
    const { queue, url, bytesRead } = await start({ NOMAD_PATCH_MAX_WEBHOOK_BYTES: String(maxBytes) });
    const sentAtOnce = maxBytes - 64;
    const slow = openSlowBodies(url, BUFFERED_BODIES, { declared: maxBytes, sentAtOnce, from: "127.0.0.1" });
    // Every slow body's first bytes are in (read, or refused) before the delivery is sent.
    await vi.waitFor(() => expect(bytesRead()).toBeGreaterThanOrEqual(BUFFERED_BODIES * sentAtOnce), {
      timeout: 5_000,
      interval: 20,
    });
    let slowAnswered = 0;
    for (const answer of slow) void answer.then(() => (slowAnswered += 1));
    const body = JSON.stringify(commentCreated({ number: 33, body: "" }, "/hold", "maintainer", { id: 12 }));
    const signed = await postTrickled(
      url,
      {
        "content-type": "application/json",
        "x-github-event": "issue_comment",
        "x-github-delivery": "from-elsewhere",
        "x-hub-signature-256": await sign(SECRET, body),
      },
      body,
      { slowBytes: 0, everyMs: 10, onAnswer: () => slowAnswered, from: "127.0.0.2" },
    );
    expect(signed.status).toBe(200);
    const answers = await Promise.all(slow);
    // Two were held (its share) until the deadline; the others were refused at once, asked to come back.
    expect(answers.map((a) => a.status).sort()).toEqual([408, 408, 503, 503]);
    await queue.idle();
    expect(gh.sent("POST", "/issues/33/labels").map((r) => r.body)).toEqual([
      { labels: ["nomad-patch: held"] },
    ]);
  });

  it("reads no body of a POST to another path", async () => {
    const { url } = await start();
    const other = new URL("/not-the-webhook-path", url).href;
    const [answer] = openSlowBodies(other, 1, { declared: 1024 * 1024, sentAtOnce: 1024 });
    // The server's next handler answers 404 at once, the body unread and unfinished.
    const { status, lastByteAt } = await answer!;
    expect(status).toBe(404);
    expect(lastByteAt).toBe(0);
  });

  // GitHub never sends more than 25 MB; a bigger body is refused before it is read whole.
  const HUGE = 30 * 1024 * 1024;

  it("answers 413 to 30 MB, chunked or with its Content-Length, and reads none of the latter", async () => {
    const { url, bytesRead, connections } = await start();
    const chunked = await postStreamed(url, { chunked: true, bytes: HUGE });
    expect(chunked).toMatchObject({ status: 413, body: expect.stringContaining("at most 26214400 bytes") });
    // Counted on the second request's own connection: the first one's may still be drained of what was
    // on its way when it was answered (up to a second, `refuse` in webhook-body-limit.ts).
    const second = connections();
    expect((await postStreamed(url, { chunked: false, bytes: HUGE })).status).toBe(413);
    expect(bytesRead(second)).toBeLessThan(4 * 1024 * 1024);
  });

  it("stops reading a chunked body soon after it passes the bound", async () => {
    const { url, bytesRead } = await start({ NOMAD_PATCH_MAX_WEBHOOK_BYTES: String(1024 * 1024) });
    expect((await postStreamed(url, { chunked: true, bytes: HUGE })).status).toBe(413);
    // The bound plus what was already on its way when the answer went out; never the 30 MB.
    expect(bytesRead()).toBeLessThan(10 * 1024 * 1024);
  });
});
