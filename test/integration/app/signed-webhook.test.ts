import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { sign } from "@octokit/webhooks-methods";
import nock from "nock";
import { createNodeMiddleware, Probot, ProbotOctokit } from "probot";
import { afterEach, describe, expect, it } from "vitest";
import { createApp } from "../../../src/app/index.js";
import { createWorkQueue } from "../../../src/app/work-queue.js";
import { readEnvironment } from "../../../src/config/environment.js";
import type { IpfsStore } from "../../../src/ipfs/store.js";
import { parseMarker } from "../../../src/render/marker.js";
import { memoryJournal } from "../../../src/service/apply-journal.js";
import { fakeGitHub } from "./github-fake.js";
import { BOT } from "./harness.js";
import { commentCreated, REPO } from "./payloads.js";

const SECRET = "a-webhook-secret";

describe("the GitHub App behind Probot's HTTP middleware", () => {
  let server: Server | undefined;
  afterEach(async () => {
    const pending = nock.pendingMocks();
    nock.cleanAll();
    await new Promise((resolve) => server?.close(resolve));
    expect(pending).toEqual([]);
  });

  async function start() {
    nock.disableNetConnect();
    nock.enableNetConnect(/127\.0\.0\.1|localhost/);
    const probot = new Probot({
      githubToken: "test",
      secret: SECRET,
      Octokit: ProbotOctokit.defaults((o: object) => ({
        ...o,
        retry: { enabled: false },
        throttle: { enabled: false },
      })),
      logLevel: "silent" as "fatal",
    });
    const queue = createWorkQueue();
    // A /hold needs no IPFS: a store that fails loudly proves the command never touched it.
    const store = new Proxy({} as IpfsStore, {
      get: () => () => Promise.reject(new Error("IPFS must not be used by /hold")),
    });
    const environment = readEnvironment({ NOMAD_PATCH_DATA_DIR: "/nonexistent" });
    const app = createApp({ store, environment, journal: memoryJournal(), queue, botLogin: BOT });
    const middleware = await createNodeMiddleware(app, { probot });
    server = createServer((req, res) => {
      void middleware(req, res, () => {
        res.writeHead(404).end();
      });
    });
    await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return { queue, url: `http://127.0.0.1:${port}/api/github/webhooks` };
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
