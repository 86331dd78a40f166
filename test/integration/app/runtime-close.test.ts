import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nock from "nock";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { openAppRuntime } from "../../../src/app/app-runtime.js";
import { createApp } from "../../../src/app/index.js";
import { readEnvironment } from "../../../src/config/environment.js";
import { inboxTopic } from "../../../src/patch-request/inbox-message.js";
import { TEST_APP_PRIVATE_KEY } from "../../helpers/app-key.js";
import { type KuboNode, startKubo } from "../../helpers/kubo.js";
import { pubsubConfig } from "../pair/pair-room.js";
import { fakeGitHub } from "./github-fake.js";
import { BOT, testProbot } from "./harness.js";
import { configYaml, createProject } from "./nomad-data.js";
import { REPO } from "./payloads.js";

/** The topics the node is subscribed to (`ipfs pubsub ls`), as their multibase names. */
async function subscriptions(node: KuboNode): Promise<string[]> {
  const response = await fetch(`${node.apiUrl}/api/v0/pubsub/ls`, { method: "POST" });
  const { Strings } = (await response.json()) as { Strings: string[] | null };
  return Strings ?? [];
}

const topicName = (topic: string) => `u${Buffer.from(topic).toString("base64url")}`;

describe("closing the app's runtime", () => {
  let node: KuboNode;
  let dataDir = "";
  beforeAll(async () => {
    node = await startKubo({ config: pubsubConfig });
  });
  afterAll(async () => {
    await node?.stop();
  });
  beforeEach(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect(/127\.0\.0\.1|localhost/);
    dataDir = await mkdtemp(join(tmpdir(), "nomad-patch-runtime-close-"));
  });
  afterEach(async () => {
    vi.useRealTimers();
    nock.cleanAll();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("stops the inbox bridge's subscriptions and the watcher's timer it started, so an embedding program keeps none", async () => {
    const target = await createProject(node.store);
    fakeGitHub({
      ...REPO,
      botLogin: BOT,
      config: configYaml(target.id, "inbox:\n  openIssues: true\n  maxOpenIssues: 3"),
    });
    // Only the intervals are the test's: the watcher's rounds can be counted without waiting 15 s.
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    const environment = readEnvironment({
      NOMAD_PATCH_DATA_DIR: dataDir,
      KUBO_API_URL: node.apiUrl,
      NOMAD_PATCH_INBOX_REPOSITORIES: `${REPO.owner}/${REPO.repo}`,
    });
    const runtime = await openAppRuntime(environment, () => {});
    const probot = testProbot();
    await probot.load(createApp({ ...runtime.deps, botLogin: BOT, privateKey: TEST_APP_PRIVATE_KEY }));
    const topic = topicName(inboxTopic(target.id));
    await vi.waitFor(async () => expect(await subscriptions(node)).toContain(topic), {
      timeout: 20_000,
      interval: 200,
    });
    expect(vi.getTimerCount()).toBe(1);

    await runtime.close();
    expect(await subscriptions(node)).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
    // The node the app was given runs on, and the data directory is free for the next process.
    expect((await node.store.id()).peerId).toBe(node.peerId);
    const next = await openAppRuntime(environment, () => {});
    await next.close();
  });
});
