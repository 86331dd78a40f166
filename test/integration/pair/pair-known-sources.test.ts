import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isIpldMap } from "../../../src/nomad/index.js";
import { parsePairCode } from "../../../src/nomad/pairing/pair-code.js";
import { appendEntries } from "../../../src/service/append-entries.js";
import { createNomadObject } from "../../../src/service/create-nomad-object.js";
import { readKnownSources } from "../../../src/service/known-sources.js";
import { receivePairing } from "../../../src/service/pair/receive-pairing.js";
import { sendPairing } from "../../../src/service/pair/send-pairing.js";
import type { KuboNode } from "../../helpers/kubo.js";
import { testPublish } from "../../helpers/nomad-builders/index.js";
import { pairTimeoutMs, scratchDir, startPubsubNodes } from "./pair-room.js";

const resolve = { timeoutMs: 15_000 };

describe("a pairing's republish folds the devices this node learned by pairing", () => {
  let owner: KuboNode;
  let bot: KuboNode;
  let third: KuboNode;
  const dirs: string[] = [];

  beforeAll(async () => {
    [owner, bot, third] = await startPubsubNodes();
    dirs.push(...(await Promise.all(["owner", "bot", "third"].map(scratchDir))));
  });
  afterAll(async () => {
    await Promise.all([owner?.stop(), bot?.stop(), third?.stop()]);
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  const pair = (from: KuboNode, fromDir: string, to: KuboNode, toDir: string, target: string, code: string) =>
    Promise.all([
      sendPairing(
        { store: from.store },
        {
          target,
          code: parsePairCode(code),
          dataDir: fromDir,
          timeoutMs: pairTimeoutMs,
          resolve,
          publish: testPublish,
        },
      ),
      receivePairing(
        { store: to.store },
        {
          code: parsePairCode(code),
          module: "wac-project",
          name: "handed-on",
          dataDir: toDir,
          timeoutMs: pairTimeoutMs,
          resolve,
          publish: testPublish,
        },
      ),
    ]);

  it("keeps the owner's changes when the roaming value no longer lists the owner's device", async () => {
    const [ownerDir, botDir, thirdDir] = dirs as [string, string, string];
    const project = await createNomadObject(
      { store: owner.store },
      { module: "wac-project", name: "handed-on", publish: testPublish },
    );
    const target = project.keys.roaming.id;
    const name = await owner.store.dagPut("The Owner's Name");
    await appendEntries(
      { store: owner.store },
      {
        target,
        resolve,
        publish: testPublish,
        entries: [
          { targetId: target, eventId: "UpdateNameAsync", content: { Key: null, Value: name, Unset: false } },
        ],
      },
    );
    // The bot is paired in while the roaming value lists the owner's device: the bot records it.
    await pair(owner, ownerDir, bot, botDir, target, "c0ffee42");
    expect(await readKnownSources(botDir, target)).toContain(project.keys.local.id);

    // The owner's device then publishes the roaming value with `Sources: []`, as the WindowsAppCommunity
    // CLI's seed does (WacsdkNomadSettings.cs): it names no device, and the bot's stream adds none.
    const current = await owner.store.dagGet((await owner.store.resolveName(target, { nocache: true }))!);
    if (!isIpldMap(current)) throw new Error("the roaming value is not a map");
    const emptied = await owner.store.dagPut({ ...current, Sources: [] }, { pin: true });
    await owner.store.publishName(project.keys.roaming.name, emptied, testPublish);

    // The bot hands the project on: the value it republishes still holds the owner's name.
    const [sent] = await pair(bot, botDir, third, thirdDir, target, "d00dfeed");
    expect(sent.sourceAdded).toBe(true);
    const republished = await bot.store.dagGet((await bot.store.resolveName(target, { nocache: true }))!);
    expect(sent.roamingCid).toBeDefined();
    expect(republished).toMatchObject({ Name: "The Owner's Name", Sources: [] });
  });
});
