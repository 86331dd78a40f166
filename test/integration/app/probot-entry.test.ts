import { generateKeyPairSync } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sign } from "@octokit/webhooks-methods";
import { createNodeMiddleware, createProbot } from "probot";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import nomadPatchApp from "../../../src/app/probot-app.js";
import { type KuboNode, startKubo } from "../../helpers/kubo.js";
import { daemonPid, isAlive, root, startApp } from "./app-process.js";
import { issueOpened } from "./payloads.js";

const SECRET = "a-webhook-secret";
const probotBin = join(root, "node_modules/probot/bin/probot.js");
const appEntry = join(root, "lib/app/probot-app.js");

/** A webhook as GitHub sends it: an issue opened with no patch key in it (the app has nothing to do). */
async function postIssueOpened(url: string, secret = SECRET): Promise<number> {
  const body = JSON.stringify(issueOpened({ number: 1, body: "No patch key here." }));
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": "issues",
      "x-github-delivery": `delivery-${Math.random()}`,
      "x-hub-signature-256": await sign(secret, body),
    },
    body,
  });
  return response.status;
}

function credentials(): Record<string, string> {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    APP_ID: "1",
    PRIVATE_KEY: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
    WEBHOOK_SECRET: SECRET,
  };
}

/** `nomad-patch/app` run the three ways Probot apps are run (docs/library.md, "The GitHub App"). */
describe("the Probot entry, nomad-patch/app", () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  async function tempDir(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), "nomad-patch-entry-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    return dir;
  }
  // The operator's node named in KUBO_API_URL, one for the file: each test has a data directory (and so a
  // journal) of its own, and none needs an empty repository.
  let shared: Promise<KuboNode> | undefined;
  afterAll(async () => {
    await (await shared?.catch(() => undefined))?.stop();
  });
  function kubo(): Promise<KuboNode> {
    shared ??= startKubo();
    return shared;
  }

  it("is built (the test command builds it first)", () => {
    expect(existsSync(appEntry), `${appEntry} is missing: run \`npm run build\``).toBe(true);
  });

  it("`probot run` starts it against the Kubo node of KUBO_API_URL, and it answers a signed webhook", async () => {
    const [node, dataDir] = await Promise.all([kubo(), tempDir()]);
    const app = await startApp(
      { ...credentials(), KUBO_API_URL: node.apiUrl, NOMAD_PATCH_DATA_DIR: dataDir },
      cleanups,
      [process.execPath, probotBin, "run", appEntry],
    );
    await app.waitFor(/Listening on/);
    expect(app.output()).toContain(`using the Kubo node at ${node.apiUrl} (peer ${node.peerId})`);
    expect(app.output()).toContain("nomad-patch loaded");
    // Its journal is the node's, in the data directory of the environment.
    expect(existsSync(join(dataDir, "journal", node.peerId))).toBe(true);
    const webhooks = `${app.url}/api/github/webhooks`;
    expect(await postIssueOpened(webhooks)).toBe(200);
    expect([400, 401]).toContain(await postIssueOpened(webhooks, "not-the-secret"));
  });

  it("`probot run` with a managed Kubo stops that Kubo when the process is stopped", async () => {
    const dataDir = await tempDir();
    const app = await startApp(
      { ...credentials(), NOMAD_PATCH_DATA_DIR: dataDir, NOMAD_PATCH_KUBO_SWARM_PORT: "0" },
      cleanups,
      [process.execPath, probotBin, "run", appEntry],
    );
    await app.waitFor(/Listening on/);
    expect(app.output()).toMatch(/started a managed Kubo/);
    const kuboPid = await daemonPid(join(dataDir, "kubo"));
    expect(await postIssueOpened(`${app.url}/api/github/webhooks`)).toBe(200);
    app.child.kill("SIGTERM");
    await app.exitCode;
    expect(app.child.signalCode).toBe("SIGTERM");
    expect(isAlive(kuboPid)).toBe(false);
  });

  it("runs in an existing server through Probot's createNodeMiddleware", async () => {
    const [node, dataDir] = await Promise.all([kubo(), tempDir()]);
    const saved = { ...process.env };
    cleanups.push(async () => {
      process.env = saved;
    });
    const { APP_ID, PRIVATE_KEY } = credentials();
    // Probot is handed the key, and the app reads it where Probot would: it signs its comments with it.
    Object.assign(process.env, { KUBO_API_URL: node.apiUrl, NOMAD_PATCH_DATA_DIR: dataDir, PRIVATE_KEY });
    const probot = createProbot({
      overrides: { appId: APP_ID, privateKey: PRIVATE_KEY, secret: SECRET, logLevel: "silent" as "fatal" },
    });
    const middleware = await createNodeMiddleware(nomadPatchApp, { probot });
    const server = createServer((request, response) => {
      void middleware(request, response, () => {
        response.writeHead(404).end("not the app's");
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    );
    const { port } = server.address() as AddressInfo;
    expect(existsSync(join(dataDir, "journal", node.peerId))).toBe(true);
    expect(await postIssueOpened(`http://127.0.0.1:${port}/api/github/webhooks`)).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/elsewhere`)).status).toBe(404);
  });
});
