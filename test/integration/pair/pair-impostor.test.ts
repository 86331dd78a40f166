import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { PolicyRefusal } from "../../../src/errors.js";
import { SOURCE_ADD_EVENT_ID } from "../../../src/nomad/index.js";
import { generatePairCode, type PairCode } from "../../../src/nomad/pairing/pair-code.js";
import { roomCipher } from "../../../src/nomad/pairing/room-cipher.js";
import { readKnownSources } from "../../../src/service/known-sources.js";
import { PairingTimeoutError, SecondPeerInRoomError } from "../../../src/service/pair/pair-errors.js";
import { receivePairing } from "../../../src/service/pair/receive-pairing.js";
import { sendPairing } from "../../../src/service/pair/send-pairing.js";
import { generateKey } from "../../helpers/csharp-device.js";
import type { KuboNode } from "../../helpers/kubo.js";
import {
  createStorageTarget,
  readStreamEntries,
  type StorageTarget,
  testPublish,
} from "../../helpers/nomad-builders/index.js";
import { runCsharpHolder } from "./csharp-holder.js";
import { pairTimeoutMs, scratchDir, startPubsubNodes } from "./pair-room.js";
import { joinRoomAsStranger, type RoomStranger } from "./room-stranger.js";

const resolve = { timeoutMs: 15_000 };
const settle = () => new Promise((done) => setTimeout(done, 1_000));

/**
 * Three nodes: the holder of a folder, the new device (honest, running `pair receive`), and a stranger who
 * has the password, or only records and replays the room. Whatever the stranger does, only the device the
 * pairing took the key to may be added as a source, and nothing is handed over while a second peer answers.
 */
describe("a stranger in the pairing room", () => {
  let holder: KuboNode;
  let newcomer: KuboNode;
  let strangerNode: KuboNode;
  let holderDir: string;
  let newcomerDir: string;
  let folder: StorageTarget;
  let holderPeer: string;
  let newcomerPeer: string;
  let stranger: RoomStranger | undefined;

  beforeAll(async () => {
    [holder, newcomer, strangerNode] = await startPubsubNodes();
    [holderDir, newcomerDir] = await Promise.all([scratchDir("holder"), scratchDir("newcomer")]);
    folder = await createStorageTarget(holder, { name: "Docs", files: { "readme.txt": "hello\n" } });
    [holderPeer, newcomerPeer] = await Promise.all([
      holder.store.id().then((i) => i.peerId),
      newcomer.store.id().then((i) => i.peerId),
    ]);
  });
  afterEach(async () => {
    await stranger?.close();
    stranger = undefined;
  });
  afterAll(async () => {
    await Promise.all([holder?.stop(), newcomer?.stop(), strangerNode?.stop()]);
    for (const dir of [holderDir, newcomerDir]) if (dir) await rm(dir, { recursive: true, force: true });
  });

  const send = (code: PairCode, extra: { peer?: string; timeoutMs?: number } = {}) =>
    sendPairing(
      { store: holder.store },
      {
        target: folder.id,
        code,
        dataDir: holderDir,
        timeoutMs: extra.timeoutMs ?? pairTimeoutMs,
        resolve,
        publish: testPublish,
        ...(extra.peer === undefined ? {} : { peer: extra.peer }),
      },
    );
  const receive = (code: PairCode, extra: { from?: string; target?: string; timeoutMs?: number } = {}) =>
    receivePairing(
      { store: newcomer.store },
      {
        code,
        module: "storage",
        name: "Docs",
        dataDir: newcomerDir,
        timeoutMs: extra.timeoutMs ?? pairTimeoutMs,
        resolve,
        publish: testPublish,
        ...(extra.from === undefined ? {} : { from: extra.from }),
        ...(extra.target === undefined ? {} : { target: extra.target }),
      },
    );

  /** What could leave the holder: the roaming key, as the room carries it. */
  const roamingKey = async () => Buffer.from(await holder.store.exportKey(folder.keyNames.roaming));
  const keyWasSent = async (code: PairCode, recorded: readonly Uint8Array[]) => {
    const key = await roamingKey();
    const cipher = roomCipher(code.password, code.room);
    return recorded.some((m) => Buffer.from(cipher.decrypt(m) ?? []).equals(key));
  };
  const sourceAdds = async () =>
    (await readStreamEntries(holder, folder.id)).filter((e) => e.eventId === SOURCE_ADD_EVENT_ID);
  const snapshot = async () => ({
    newcomerKeys: await newcomer.store.listKeys(),
    holderStream: await readStreamEntries(holder, folder.id),
    known: await readKnownSources(holderDir, folder.id),
  });

  it("joins first with the password while `peer` names the new device: once that device is there, the holder refuses naming both, sending nothing", async () => {
    const code = generatePairCode();
    const before = await snapshot();
    stranger = await joinRoomAsStranger(strangerNode, code);
    const sending = send(code, { peer: newcomerPeer }).catch((e: unknown) => e);
    // The stranger answers the holder's first heartbeat at once; the new device comes later.
    stranger.repeat(await stranger.heard((t) => t === folder.keyNames.roaming));
    await settle();
    const [refused, received] = await Promise.all([
      sending,
      receive(code, { timeoutMs: 5_000 }).catch((e: unknown) => e),
    ]);

    expect(refused).toBeInstanceOf(SecondPeerInRoomError);
    expect((refused as Error).message).toContain(stranger.peerId);
    expect((refused as Error).message).toContain(newcomerPeer);
    expect((refused as Error).message).toContain("Nothing was sent or changed");
    expect((refused as SecondPeerInRoomError).hint).toContain("new code");
    expect((refused as SecondPeerInRoomError).exitCode).toBe(3);
    expect(received).toBeInstanceOf(Error);
    expect(await keyWasSent(code, stranger.recorded)).toBe(false);
    expect(await snapshot()).toEqual(before);
  });

  it("answers with the password right after the new device joined, before the key: the holder refuses, sending nothing", async () => {
    const code = generatePairCode();
    const before = await snapshot();
    stranger = await joinRoomAsStranger(strangerNode, code);
    const sending = send(code).catch((e: unknown) => e);
    const receiving = receive(code, { timeoutMs: 5_000 }).catch((e: unknown) => e);
    // The new device heartbeats the roaming key's name once the holder is there; the stranger follows.
    stranger.repeat(
      await stranger.heard((t, from) => t === folder.keyNames.roaming && from === newcomerPeer),
    );
    const [refused, received] = await Promise.all([sending, receiving]);

    expect(refused).toBeInstanceOf(SecondPeerInRoomError);
    expect((refused as Error).message).toContain(`${newcomerPeer}, ${stranger.peerId}`);
    expect(received).toBeInstanceOf(Error);
    expect(await keyWasSent(code, stranger.recorded)).toBe(false);
    expect(await snapshot()).toEqual(before);
  });
  it("`peer` names the new device: a stranger alone in the room, flooding it (400 messages), is refused and counted, and gets nothing", async () => {
    const code = generatePairCode();
    const before = await snapshot();
    stranger = await joinRoomAsStranger(strangerNode, code);
    const sending = send(code, { peer: newcomerPeer, timeoutMs: 5_000 }).catch((e: unknown) => e);
    stranger.repeat(await stranger.heard((t) => t === folder.keyNames.roaming));
    const fake = stranger.encrypt(await generateKey(strangerNode, `flood-${code.room}`));
    const big = randomBytes(4096 + 16);
    // Kubo ignores a peer's message whose sequence number is not above its last (concurrent publishes):
    // those are dropped before the room, as they would be on the way.
    for (let i = 0; i < 400; i++) await stranger.publishRaw(i % 10 === 0 ? big : fake).catch(() => {});
    const error = await sending;

    expect(error).toBeInstanceOf(PairingTimeoutError);
    expect((error as Error).message).toContain(`the new device (peer ${newcomerPeer})`);
    expect((error as Error).message).toMatch(
      new RegExp(`refused \\d+ message\\(s\\) from 1 other peer\\(s\\) \\(${stranger.peerId}\\)`),
    );
    expect((error as Error).message).toMatch(/\d+ message\(s\) over 4096 bytes were dropped unread/);
    expect(await keyWasSent(code, stranger.recorded)).toBe(false);
    expect(await snapshot()).toEqual(before);
  });

  it("`from` names the holder: a stranger's roaming key is refused and nothing is imported", async () => {
    const code = generatePairCode();
    const before = await snapshot();
    stranger = await joinRoomAsStranger(strangerNode, code);
    const otherKey = await generateKey(strangerNode, `other-object-${code.room}`);
    expect(otherKey).not.toBe(folder.id);
    const offered = await strangerNode.store.exportKey(`other-object-${code.room}`);
    stranger.repeat(folder.keyNames.roaming);
    const receiving = receive(code, { from: holderPeer, timeoutMs: 5_000 }).catch((e: unknown) => e);
    // Kubo refuses a publish that overtakes the previous one ("validation ignored"); the next tick sends again.
    const offering = setInterval(
      () => void stranger?.publishRaw(stranger.encryptBytes(offered)).catch(() => {}),
      200,
    );
    const error = await receiving.finally(() => clearInterval(offering));

    expect(error).toBeInstanceOf(PairingTimeoutError);
    expect((error as Error).message).toContain(`the device that holds the object (peer ${holderPeer})`);
    expect((error as Error).message).toContain(stranger.peerId);
    expect(await snapshot()).toEqual(before);
  });

  it("`target` names the object: another object's key is refused before anything is imported", async () => {
    const code = generatePairCode();
    const before = await snapshot();
    stranger = await joinRoomAsStranger(strangerNode, code);
    const otherKey = await generateKey(strangerNode, `target-${code.room}`);
    const offered = await strangerNode.store.exportKey(`target-${code.room}`);
    stranger.repeat(folder.keyNames.roaming);
    const receiving = receive(code, { target: folder.id, timeoutMs: 5_000 }).catch((e: unknown) => e);
    // Kubo refuses a publish that overtakes the previous one ("validation ignored"); the next tick sends again.
    const offering = setInterval(
      () => void stranger?.publishRaw(stranger.encryptBytes(offered)).catch(() => {}),
      200,
    );
    const error = await receiving.finally(() => clearInterval(offering));

    expect(error).toBeInstanceOf(PolicyRefusal);
    expect((error as Error).message).toContain(otherKey);
    expect((error as Error).message).toContain(folder.id);
    expect((error as Error).message).toContain("nothing was changed");
    expect(await snapshot()).toEqual(before);
  });

  it("replays what it recorded (it has no password): the holder, bound to the new device, still refuses; nothing is handed over", async () => {
    const code = generatePairCode();
    const before = await snapshot();
    stranger = await joinRoomAsStranger(strangerNode, generatePairCode()); // a wrong password: it reads nothing
    const echoing = await strangerNode.store.pubsubSubscribe(code.room, (message) => {
      if (message.from !== stranger?.peerId)
        void strangerNode.store.pubsubPublish(code.room, message.data).catch(() => {});
    });
    try {
      const waiting = receive(code, { timeoutMs: 5_000 }).catch((e: unknown) => e);
      await settle();
      const refused = await send(code, { peer: newcomerPeer }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(SecondPeerInRoomError);
      expect((refused as Error).message).toContain(stranger.peerId);
      expect(await waiting).toBeInstanceOf(Error);
    } finally {
      await echoing.close();
    }
    expect(await snapshot()).toEqual(before);
  });

  it("answers in the middle, after the key, with its own local key: only the device that took the key is added", async () => {
    const code = generatePairCode();
    stranger = await joinRoomAsStranger(strangerNode, code);
    const strangerLocal = await generateKey(strangerNode, `stranger-local-${code.room}`);
    // Once the new device announces its local key's name, the stranger heartbeats it too and offers its own
    // key id, quicker than the new device can (it waits for the holder's heartbeat first).
    void stranger
      .heard((t) => t === folder.keyNames.local)
      .then((name) => {
        stranger?.repeat(name, 50);
        stranger?.repeat(strangerLocal, 50);
      });
    const [sent, received] = await Promise.all([send(code), receive(code)]);

    expect(sent.newSource).toBe(received.localId);
    expect(sent.refused.messages).toBeGreaterThan(0);
    expect(sent.refused.peers).toEqual([stranger.peerId]);
    expect((await sourceAdds()).map((e) => e.content)).toEqual([received.localId]);
    expect(await readKnownSources(holderDir, folder.id)).not.toContain(strangerLocal);
  });

  it("with `peer`, `from` and `target` given, the two devices pair", async () => {
    const code = generatePairCode();
    const [sent, received] = await Promise.all([
      send(code, { peer: newcomerPeer }),
      receive(code, { from: holderPeer, target: folder.id }),
    ]);
    expect(sent.newSource).toBe(received.localId);
    expect(received.targetId).toBe(folder.id);
    expect(sent.refused).toEqual({ messages: 0, peers: [] });
    expect(received.confirmed).toBe(true);
  });

  // The newcomer takes the key from a holder that went quiet (a busy C# holder sends it once, after a
  // silence longer than the expiry): only from the peer it is bound to, heard in the room under the roaming
  // key's name with the password. While the holder is quiet, a stranger offers its own key.
  const strangerOffersWhileHolderIsQuiet = async (
    code: PairCode,
    offer: (offered: Uint8Array) => Uint8Array[],
  ) => {
    const offeredId = await generateKey(strangerNode, `quiet-${code.room}`);
    const offered = await strangerNode.store.exportKey(`quiet-${code.room}`);
    const csharp = await runCsharpHolder(holder, code, {
      roamingKeyName: folder.keyNames.roaming,
      localKeyName: folder.keyNames.local,
      silentMs: 4_000,
    });
    let offering: NodeJS.Timeout | undefined;
    try {
      const receiving = receive(code);
      await csharp.joined;
      const joinedAt = Date.now();
      // From the holder's last heartbeat until its key: the newcomer drops it from the room after 2 s.
      let offeredWhileDropped = 0;
      offering = setInterval(() => {
        if (csharp.keySent()) return clearInterval(offering);
        for (const data of offer(offered))
          void stranger
            ?.publishRaw(data)
            .then(() => {
              if (Date.now() - joinedAt > 2_500 && !csharp.keySent()) offeredWhileDropped++;
            })
            .catch(() => {});
      }, 200);
      const received = await receiving;
      // The stranger's key went out while the holder was out of the newcomer's room, and was not taken.
      expect(offeredWhileDropped).toBeGreaterThan(0);
      return { received, offeredId, localKeyId: await csharp.localKeyId };
    } finally {
      clearInterval(offering);
      await csharp.close();
    }
  };

  it("never heard in the room, with the password, it sends its key while the holder is quiet: refused; the holder's key is taken", async () => {
    const code = generatePairCode();
    stranger = await joinRoomAsStranger(strangerNode, code);
    const { received, offeredId, localKeyId } = await strangerOffersWhileHolderIsQuiet(code, (offered) => [
      stranger!.encryptBytes(offered),
    ]);
    expect(received.targetId).toBe(folder.id);
    expect(localKeyId).toBe(received.localId);
    const keys = await newcomer.store.listKeys();
    expect(keys.find((k) => k.name === folder.keyNames.roaming)?.id).toBe(folder.id);
    expect(keys.map((k) => k.id)).not.toContain(offeredId);
  }, 90_000);

  it("heard with another password, it sends its key under both while the holder is quiet: refused; the holder's key is taken", async () => {
    const code = generatePairCode();
    // Its heartbeats (the roaming key's name) are readable only under its own password.
    stranger = await joinRoomAsStranger(strangerNode, {
      room: code.room,
      password: generatePairCode().password,
    });
    stranger.repeat(folder.keyNames.roaming);
    const right = roomCipher(code.password, code.room);
    const { received, offeredId } = await strangerOffersWhileHolderIsQuiet(code, (offered) => [
      stranger!.encryptBytes(offered),
      right.encrypt(offered),
    ]);
    expect(received.targetId).toBe(folder.id);
    const keys = await newcomer.store.listKeys();
    expect(keys.find((k) => k.name === folder.keyNames.roaming)?.id).toBe(folder.id);
    expect(keys.map((k) => k.id)).not.toContain(offeredId);
  }, 90_000);
});
