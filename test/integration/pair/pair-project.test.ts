import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parsePairCode } from "../../../src/nomad/pairing/pair-code.js";
import { appendEntries } from "../../../src/service/append-entries.js";
import { openFileJournal } from "../../../src/service/apply-journal.js";
import { applyPatch } from "../../../src/service/apply-patch.js";
import { createNomadObject } from "../../../src/service/create-nomad-object.js";
import { readKnownSources } from "../../../src/service/known-sources.js";
import { loadTarget } from "../../../src/service/load-target.js";
import { PairingTimeoutError } from "../../../src/service/pair/pair-errors.js";
import { openPeerRoom } from "../../../src/service/pair/peer-room-session.js";
import { receivePairing } from "../../../src/service/pair/receive-pairing.js";
import { sendPairing } from "../../../src/service/pair/send-pairing.js";
import { reviewPatch } from "../../../src/service/review-patch.js";
import type { KuboNode } from "../../helpers/kubo.js";
import { proposePatch, readStreamEntries, testPublish } from "../../helpers/nomad-builders/index.js";
import { pairTimeoutMs, scratchDir, startPubsubNodes } from "./pair-room.js";

const resolve = { timeoutMs: 15_000 };
const limits = { maxEntries: 100, maxBytes: 8 * 1024 * 1024, resolveTimeoutMs: 15_000 };

describe("pairing a WindowsAppCommunity project, with a wrong code and a repeated pairing", () => {
  let holder: KuboNode;
  let newcomer: KuboNode;
  let contributor: KuboNode;
  let holderDir: string;
  let newcomerDir: string;
  let project: Awaited<ReturnType<typeof createNomadObject>>;

  beforeAll(async () => {
    [holder, newcomer, contributor] = await startPubsubNodes();
    [holderDir, newcomerDir] = await Promise.all([scratchDir("holder"), scratchDir("newcomer")]);
    project = await createNomadObject(
      { store: holder.store },
      { module: "wac-project", name: "my-app", publish: testPublish },
    );
  });
  afterAll(async () => {
    await Promise.all([holder?.stop(), newcomer?.stop(), contributor?.stop()]);
    for (const dir of [holderDir, newcomerDir]) if (dir) await rm(dir, { recursive: true, force: true });
  });

  const send = (code: string, timeoutMs = pairTimeoutMs) =>
    sendPairing(
      { store: holder.store },
      {
        target: project.keys.roaming.id,
        code: parsePairCode(code),
        dataDir: holderDir,
        timeoutMs,
        resolve,
        publish: testPublish,
      },
    );
  const receive = (code: string, timeoutMs = pairTimeoutMs) =>
    receivePairing(
      { store: newcomer.store },
      {
        code: parsePairCode(code),
        module: "wac-project",
        name: "my-app",
        dataDir: newcomerDir,
        timeoutMs,
        resolve,
        publish: testPublish,
      },
    );

  it("a wrong password times out on both sides with a clear message and changes nothing", async () => {
    const keysBefore = await newcomer.store.listKeys();
    const streamBefore = await readStreamEntries(holder, project.keys.roaming.id);
    const [sent, received] = await Promise.all([
      send("wr0n-gcodeholder", 3_000).catch((e) => e),
      // The holder checks the target before it opens the room: the newcomer waits past that.
      receive("wr0n-gcodenewcomer", 10_000).catch((e) => e),
    ]);
    for (const error of [sent, received]) expect(error).toBeInstanceOf(PairingTimeoutError);
    // The newcomer heartbeats only after the holder joins, so only the newcomer sees undecryptable messages.
    expect(received.message).toContain("could not be decrypted: the other device uses a different password");
    // The holder cannot tell why the newcomer is silent, but that it is there and silent, and who knows why.
    expect(sent.message).toContain(
      "a node connected to this one is in room wr0n but sent nothing this side can read: `pair receive` waits without a word when its password or its key names differ from this side's",
    );
    expect(sent.hint).toContain("the other side's own message says which");
    expect(sent.message).toContain("Nothing was sent or changed");
    expect(received.message).toContain("Nothing was changed on this node");
    expect(await newcomer.store.listKeys()).toEqual(keysBefore);
    expect(await readStreamEntries(holder, project.keys.roaming.id)).toEqual(streamBefore);
  });

  it("key names that differ between the devices time out naming both names and the flags that set them", async () => {
    const keysBefore = await newcomer.store.listKeys();
    const code = parsePairCode("n4me-mismatchpassword");
    const [sent, received] = await Promise.all([
      send("n4me-mismatchpassword", 3_000).catch((e) => e),
      receivePairing(
        { store: newcomer.store },
        { code, module: "wac-project", name: "My-App", dataDir: newcomerDir, timeoutMs: 3_000, resolve },
      ).catch((e) => e),
    ]);
    for (const error of [sent, received]) expect(error).toBeInstanceOf(PairingTimeoutError);
    const holderPeer = (await holder.store.id()).peerId;
    expect(received.message).toContain(
      `the other device (peer ${holderPeer}) is in room n4me as "WindowsAppCommunity.Sdk.Project.Roaming.my-app", this one as "WindowsAppCommunity.Sdk.Project.Roaming.My-App": both devices must use the same key names`,
    );
    expect(received.message).toContain("Nothing was changed on this node");
    expect(received.hint).toContain("--module and --name exactly as `pair send` printed them");
    expect(sent.message).toContain("a node connected to this one is in room n4me but sent nothing");
    expect(await newcomer.store.listKeys()).toEqual(keysBefore);
  });

  it("a device alone in the room is told to connect the nodes, with its own peer id", async () => {
    const error = await send("l0ne-nobodyelsehere", 3_000).catch((e) => e);
    expect(error).toBeInstanceOf(PairingTimeoutError);
    const { peerId } = await holder.store.id();
    expect(error.message).toContain(`no node connected to this one (peer ${peerId}) is in room l0ne`);
    expect(error.message).toContain("Nothing was sent or changed");
    expect(error.hint).toContain("start the other side with the same code, and connect the two nodes");
    expect(error.hint).toContain(`ipfs swarm connect /p2p/${peerId}`);
    // One code span per command: a span nested in another reads as two broken ones.
    expect(error.hint).toContain(
      "on the other one, `ipfs swarm connect <an address of this node, from ipfs id>`",
    );
  });

  it("pairs with a C#-style code; the newcomer applies a patch the holder folds, and the other way round", async () => {
    const [sent, received] = await Promise.all([send("a1b23f9c"), receive("a1b23f9c")]);
    expect(sent.sourceAdded).toBe(true);
    expect(received.targetId).toBe(project.keys.roaming.id);
    const target = received.targetId;

    const published = await contributor.store.resolveName(target, { nocache: true });
    const value = await contributor.store.dagPut("My Renamed App");
    const patch = await proposePatch(contributor, {
      target,
      title: "Rename",
      base: published ?? null,
      entries: [{ eventId: "UpdateNameAsync", content: { Key: null, Value: value, Unset: false } }],
    });
    const { review } = await reviewPatch({ store: newcomer.store }, { key: patch.key, limits });
    const outcome = await applyPatch(
      { store: newcomer.store, journal: await openFileJournal(newcomerDir) },
      {
        key: patch.key,
        expectPatchCid: review.patch.cid,
        expectResultCid: review.predictedResultCid!,
        limits,
      },
    );
    expect(outcome.status).toBe("applied");
    expect((await loadTarget({ store: holder.store }, { target, resolve })).state.Name).toBe(
      "My Renamed App",
    );

    const description = await holder.store.dagPut("Told by the holder");
    await appendEntries(
      { store: holder.store },
      {
        target,
        resolve,
        publish: testPublish,
        entries: [
          {
            targetId: target,
            eventId: "UpdateDescriptionAsync",
            content: { Key: null, Value: description, Unset: false },
          },
        ],
      },
    );
    const onNewcomer = await loadTarget({ store: newcomer.store }, { target, resolve });
    expect(onNewcomer.state).toMatchObject({ Name: "My Renamed App", Description: "Told by the holder" });
  });

  it("a device that pairs again with a known local key adds no second source", async () => {
    // The newcomer's node already holds the keys, so `receive` refuses; an old device replaying the
    // exchange by hand (or a C# app) would send its known local key id: the holder appends nothing.
    const target = project.keys.roaming.id;
    const newcomerLocal = (await newcomer.store.listKeys()).find((k) => k.name === project.keys.local.name)!;
    const streamBefore = await readStreamEntries(holder, target);
    const code = parsePairCode("room-replayedpassword");
    const replay = async () => {
      const room = await openPeerRoom(newcomer.store, { code });
      try {
        room.setHeartbeat(project.keys.roaming.name);
        await room.waitForJoin(pairTimeoutMs, "the holder");
        room.startHeartbeat();
        await room.nextMessage(
          (data) => (data.byteLength === 68 ? data : undefined),
          pairTimeoutMs,
          "the key",
        );
        room.setHeartbeat(project.keys.local.name);
        room.startHeartbeat();
        const back = await room.waitForJoin(pairTimeoutMs, "the holder");
        await room.repeatUntilLeft(back, new TextEncoder().encode(newcomerLocal.id), pairTimeoutMs);
      } finally {
        await room.close();
      }
    };
    const [sent] = await Promise.all([send("room-replayedpassword"), replay()]);
    expect(sent).toMatchObject({ newSource: newcomerLocal.id, sourceAdded: false });
    expect(await readStreamEntries(holder, target)).toEqual(streamBefore);
    expect(await readKnownSources(holderDir, target)).toEqual([newcomerLocal.id]);
  });
});
