import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { sign } from "@octokit/webhooks-methods";
import nock from "nock";
import { afterEach, describe, expect, it } from "vitest";
import { parseMarker } from "../../../src/render/marker.js";
import { fakeGitHub } from "./github-fake.js";
import { BOT, serveSignedWebhooks } from "./harness.js";
import { commentCreated, REPO } from "./payloads.js";
import { postStreamed } from "./post-streamed.js";
import { postTrickled } from "./post-trickled.js";

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
  // that takes longer than that to arrive must not be acknowledged before the event's record is on disk.
  it("acknowledges a body that trickles in over more than 9 s only once its record is on disk", async () => {
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
    const startedAt = Date.now();
    const answer = await postTrickled(
      url,
      {
        "content-type": "application/json",
        "x-github-event": "issue_comment",
        "x-github-delivery": delivery,
        "x-hub-signature-256": await sign(SECRET, body),
      },
      body,
      // The last 20 bytes one every 550 ms: the body takes 11 s to arrive.
      { slowBytes: 20, everyMs: 550, onAnswer: kept },
    );
    // Not answered before the body was whole, nor with the middleware's 202: the handler's own 200.
    expect(answer.status).toBe(200);
    expect(answer.body).toContain("ok");
    expect(answer.seenAtAnswer).toBe(true);
    expect(answer.lastByteAt - startedAt).toBeGreaterThan(10_000);
    expect(answer.answeredAt).toBeGreaterThanOrEqual(answer.lastByteAt);
    await queue.idle();
    expect(gh.sent("POST", "/issues/31/labels").map((r) => r.body)).toEqual([
      { labels: ["nomad-patch: held"] },
    ]);
  });

  // GitHub never sends more than 25 MB; a bigger body is refused before it is read whole.
  const HUGE = 30 * 1024 * 1024;

  it("answers 413 to 30 MB, chunked or with its Content-Length, and reads none of the latter", async () => {
    const { url, bytesRead } = await start();
    const chunked = await postStreamed(url, { chunked: true, bytes: HUGE });
    expect(chunked).toMatchObject({ status: 413, body: expect.stringContaining("at most 26214400 bytes") });
    const before = bytesRead();
    expect((await postStreamed(url, { chunked: false, bytes: HUGE })).status).toBe(413);
    expect(bytesRead() - before).toBeLessThan(4 * 1024 * 1024);
  });

  it("stops reading a chunked body soon after it passes the bound", async () => {
    const { url, bytesRead } = await start({ NOMAD_PATCH_MAX_WEBHOOK_BYTES: String(1024 * 1024) });
    expect((await postStreamed(url, { chunked: true, bytes: HUGE })).status).toBe(413);
    // The bound plus what was already on its way when the answer went out; never the 30 MB.
    expect(bytesRead()).toBeLessThan(10 * 1024 * 1024);
  });
});
