import { generateKeyPairSync } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nock from "nock";
import { Probot, ProbotOctokit } from "probot";
import { afterEach, describe, expect, it } from "vitest";
import { createApp } from "../../../src/app/index.js";
import { createWatcher } from "../../../src/app/watch/watcher.js";
import { createWorkQueue } from "../../../src/app/work-queue.js";
import { readEnvironment } from "../../../src/config/environment.js";
import type { IpfsStore } from "../../../src/ipfs/store.js";
import { memoryJournal } from "../../../src/service/apply-journal.js";
import { TEST_APP_PRIVATE_KEY } from "../../helpers/app-key.js";
import { BOT } from "./harness.js";
import { recordLogs } from "./log-recorder.js";
import { commentCreated } from "./payloads.js";

const INSTALLATION = 42;
const TOKEN_CALL = `/app/installations/${INSTALLATION}/access_tokens`;
const CHECK = "check APP_ID / PRIVATE_KEY";

/**
 * The app as `npm start` runs it, with a GitHub App's credentials instead of the tests' token: every job
 * first asks GitHub for an installation token, and Octokit's retry and throttling plugins are on, as in
 * production (the retry's waits shortened to milliseconds). GitHub is nock on api.github.com. `/hold` needs GitHub only: IPFS is never touched.
 */
async function appWithCredentials(options: { botLogin?: string | undefined } = { botLogin: BOT }) {
  nock.disableNetConnect();
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const logs = recordLogs();
  const failures: unknown[] = [];
  const queue = createWorkQueue((error) => failures.push(error));
  const probot = new Probot({
    appId: 1,
    privateKey: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
    log: logs.logger,
    Octokit: ProbotOctokit.defaults((o: object) => ({
      ...o,
      retry: { retryAfterBaseValue: 1 },
      // Throttling stays on, as in production: its error hook must let a token failure through.
    })),
  });
  const dataDir = await mkdtemp(join(tmpdir(), "nomad-patch-credentials-"));
  const environment = readEnvironment({ NOMAD_PATCH_DATA_DIR: dataDir });
  const store = new Proxy({} as IpfsStore, {
    get: () => () => Promise.reject(new Error("IPFS must not be used by /hold")),
  });
  await probot.load(
    createApp({
      store,
      environment,
      journal: memoryJournal(),
      queue,
      botLogin: options.botLogin,
      watcher: createWatcher({ environment }),
      keepQueueOnDisk: false,
      privateKey: TEST_APP_PRIVATE_KEY,
    }),
  );
  let delivery = 0;
  return {
    logs: logs.lines,
    /** Waits for a log line the app writes in the background; the test's own timeout bounds the wait. */
    async logged(message: string) {
      for (;;) {
        const line = logs.lines.find((l) => l.msg.includes(message));
        if (line) return line;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    failures,
    async hold(issue: number) {
      const payload = commentCreated({ number: issue }, "/hold", "maintainer");
      payload.installation = { id: INSTALLATION };
      await probot.receive({
        id: `delivery-${++delivery}`,
        name: "issue_comment",
        payload,
      } as Parameters<Probot["receive"]>[0]);
      await queue.idle();
    },
    close: () => rm(dataDir, { recursive: true, force: true }),
  };
}

/** GitHub's token endpoint answering `reply` every time, counting the calls. */
function tokenEndpoint(reply: (scope: nock.Interceptor) => nock.Scope) {
  const counted = { calls: 0 };
  const scope = nock("https://api.github.com").persist();
  scope.on("request", () => {
    counted.calls++;
  });
  reply(scope.post(TOKEN_CALL));
  return counted;
}

describe("a GitHub App started with credentials GitHub refuses", () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    nock.cleanAll();
    nock.enableNetConnect();
    await close?.();
  });

  it("logs the token call, GitHub's status and message and what to check once, and fails each job at the first 401", async () => {
    const token = tokenEndpoint((interceptor) =>
      interceptor.reply(401, {
        message: "A JSON web token could not be decoded",
        documentation_url: "https://docs.github.com/rest",
      }),
    );
    const app = await appWithCredentials();
    close = app.close;

    await app.hold(30);
    await app.hold(31);

    // One call per job: the refusal is not asked again, nor is a failure comment tried without a token.
    expect(token.calls).toBe(2);
    const told = app.logs.filter((line) => line.msg.includes(CHECK));
    expect(told).toEqual([
      expect.objectContaining({
        level: "error",
        call: `POST ${TOKEN_CALL}`,
        status: 401,
        github: "A JSON web token could not be decoded",
      }),
    ]);
    const failed = app.logs.filter((line) => line.msg === "job failed");
    expect(failed.map((line) => [line.code, line.issue])).toEqual([
      ["GITHUB_TOKEN", 30],
      ["GITHUB_TOKEN", 31],
    ]);
    expect(app.logs.filter((line) => line.msg.includes("could not post the failure status"))).toEqual([]);
  });

  it("retries a 5xx token call 3 times, not 3 times per try of the call that needed it, then fails the job", async () => {
    const token = tokenEndpoint((interceptor) => interceptor.reply(502, { message: "Server Error" }));
    const app = await appWithCredentials();
    close = app.close;

    await app.hold(30);

    expect(token.calls).toBe(4);
    const told = app.logs.filter((line) => line.msg.startsWith("GitHub gave the app no installation token"));
    expect(told).toEqual([expect.objectContaining({ level: "error", status: 502, github: "Server Error" })]);
    expect(told[0]?.msg).toContain("could not be reached");
    expect(app.logs.filter((line) => line.msg === "job failed").map((line) => line.code)).toEqual([
      "GITHUB_TOKEN",
    ]);
  });

  it("retries a token call that cannot reach GitHub 3 times and says GitHub was not reached", async () => {
    const token = tokenEndpoint((interceptor) => interceptor.replyWithError("connect ECONNREFUSED"));
    const app = await appWithCredentials();
    close = app.close;

    await app.hold(30);

    expect(token.calls).toBe(4);
    const told = app.logs.filter((line) => line.msg.startsWith("GitHub gave the app no installation token"));
    expect(told).toEqual([expect.objectContaining({ level: "error", status: null })]);
    expect(String(told[0]?.github)).toContain("ECONNREFUSED");
  });

  it("says at start, before any webhook, that GitHub refuses the credentials (GET /app), and keeps running", async () => {
    nock("https://api.github.com")
      .get("/app")
      .reply(401, { message: "A JSON web token could not be decoded" });
    const app = await appWithCredentials({ botLogin: undefined });
    close = app.close;

    const told = await app.logged(CHECK);
    expect(told).toMatchObject({
      level: "error",
      call: "GET /app",
      status: 401,
      github: "A JSON web token could not be decoded",
    });
    expect(told.msg).toMatch(/^GitHub refused the app's credentials/);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it("says at start that the credentials were accepted, and only warns when GitHub cannot be reached", async () => {
    nock("https://api.github.com").get("/app").reply(200, { slug: "nomad-patch", id: 1 });
    const accepted = await appWithCredentials({ botLogin: undefined });
    expect(await accepted.logged("GitHub accepted the app's credentials")).toMatchObject({
      level: "info",
      login: "nomad-patch[bot]",
    });
    await accepted.close();

    nock("https://api.github.com")
      .persist()
      .get("/app")
      .replyWithError("getaddrinfo ENOTFOUND api.github.com");
    const offline = await appWithCredentials({ botLogin: undefined });
    close = offline.close;
    const warned = await offline.logged("could not check the app's credentials");
    expect(warned).toMatchObject({ level: "warn", call: "GET /app", status: null });
    expect(String(warned.github)).toContain("ENOTFOUND");
    expect(offline.logs.filter((line) => line.level === "error")).toEqual([]);
  });
});
