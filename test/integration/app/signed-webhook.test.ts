import { sign } from "@octokit/webhooks-methods";
import nock from "nock";
import { afterEach, describe, expect, it } from "vitest";
import { parseMarker } from "../../../src/render/marker.js";
import { fakeGitHub } from "./github-fake.js";
import { BOT, serveSignedWebhooks } from "./harness.js";
import { commentCreated, REPO } from "./payloads.js";

const SECRET = "a-webhook-secret";

describe("the GitHub App behind Probot's HTTP middleware", () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    const pending = nock.pendingMocks();
    nock.cleanAll();
    await close?.();
    expect(pending).toEqual([]);
  });

  async function start() {
    nock.disableNetConnect();
    nock.enableNetConnect(/127\.0\.0\.1|localhost/);
    const served = await serveSignedWebhooks(SECRET);
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
});
