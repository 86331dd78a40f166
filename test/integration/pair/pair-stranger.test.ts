import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generatePairCode } from "../../../src/nomad/pairing/pair-code.js";
import { PairingTimeoutError } from "../../../src/service/pair/pair-errors.js";
import { receivePairing } from "../../../src/service/pair/receive-pairing.js";
import type { KuboNode } from "../../helpers/kubo.js";
import { scratchDir, startPubsubNodes } from "./pair-room.js";

describe("a stranger who knows the room (its name is public) but not the password", () => {
  let stranger: KuboNode;
  let newcomer: KuboNode;
  let third: KuboNode;
  let dataDir: string;

  beforeAll(async () => {
    [stranger, newcomer, third] = await startPubsubNodes();
    dataDir = await scratchDir("stranger");
  });
  afterAll(async () => {
    await Promise.all([stranger?.stop(), newcomer?.stop(), third?.stop()]);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("floods the room with 1,000 messages, large ones among them: the large are dropped unread, nothing changes", async () => {
    const code = generatePairCode();
    const keysBefore = await newcomer.store.listKeys();
    const waiting = receivePairing(
      { store: newcomer.store },
      {
        code,
        module: "storage",
        name: "Docs",
        dataDir,
        timeoutMs: 20_000,
      },
    ).catch((e: unknown) => e);
    // Give the newcomer's subscription time to reach the stranger's node.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const big = randomBytes(4096 + 16); // over MAX_ROOM_MESSAGE_BYTES
    for (let i = 0; i < 1_000; i++)
      await stranger.store.pubsubPublish(code.room, i % 10 === 0 ? big : randomBytes(64));
    const error = await waiting;
    expect(error).toBeInstanceOf(PairingTimeoutError);
    expect((error as Error).message).toMatch(/\d+ message\(s\) over 4096 bytes were dropped unread/);
    expect((error as Error).message).toContain("Nothing was changed on this node");
    expect(await newcomer.store.listKeys()).toEqual(keysBefore);
  });
});
