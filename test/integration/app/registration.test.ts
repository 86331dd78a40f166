import { createHmac, generateKeyPairSync } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startKubo } from "../../helpers/kubo.js";
import { startApp } from "./app-process.js";

/**
 * The README's registration path: `npm start` without credentials (setup mode) registers the app on GitHub
 * from app.yml, and GitHub then sends every webhook to the URL that registration gave it.
 */
describe("registering the app in setup mode", () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it("registers a webhook URL on the host it was registered from, and the app answers webhooks there", async () => {
    const setupDir = await tempDir(cleanups);
    const setup = await startApp(
      { NOMAD_PATCH_DATA_DIR: setupDir, NOMAD_PATCH_KUBO_SWARM_PORT: "0" },
      cleanups,
    );
    await setup.waitFor(/Listening on/);
    const page = await (await fetch(`${setup.url}/probot`)).text();
    const manifest = JSON.parse(/name="manifest" id="manifest" value='([^']*)'/.exec(page)?.[1] ?? "{}") as {
      hook_attributes?: { url?: string };
      default_events?: string[];
    };
    expect(manifest.default_events).toEqual(["issues", "issue_comment"]);
    const hookUrl = new URL(manifest.hook_attributes?.url ?? "https://missing.invalid/");
    expect(hookUrl.origin).toBe(setup.url);
    setup.child.kill("SIGINT");
    await setup.exitCode;

    // Started again with the credentials that registration wrote, the app takes a webhook at that URL's path.
    const node = await startKubo();
    cleanups.push(() => node.stop());
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const secret = "a-webhook-secret";
    const app = await startApp(
      {
        NOMAD_PATCH_DATA_DIR: await tempDir(cleanups),
        KUBO_API_URL: node.apiUrl,
        APP_ID: "1",
        PRIVATE_KEY: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
        WEBHOOK_SECRET: secret,
        NOMAD_PATCH_MAX_WEBHOOK_BYTES: String(64 * 1024),
      },
      cleanups,
    );
    await app.waitFor(/Listening on/);
    const body = JSON.stringify({ zen: "Keep it logically awesome.", hook_id: 1 });
    const signature = `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
    const post = (headers: Record<string, string>) =>
      fetch(`${app.url}${hookUrl.pathname}`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-github-event": "ping",
          "x-github-delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958",
          ...headers,
        },
        body,
      });
    expect((await post({ "x-hub-signature-256": signature })).status).toBe(200);
    // It is the webhook endpoint itself: the signature is checked there as at /api/github/webhooks.
    expect((await post({ "x-hub-signature-256": `sha256=${"0".repeat(64)}` })).status).toBe(400);
    // A stranger's oversized body at / is refused unread, as at the webhook path.
    const huge = await fetch(`${app.url}${hookUrl.pathname}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-github-event": "ping" },
      body: "x".repeat(64 * 1024 + 1),
    });
    expect(huge.status).toBe(413);
  });
});

async function tempDir(cleanups: Array<() => Promise<void>>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "nomad-patch-app-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}
