import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PolicyRefusal } from "../../../src/errors.js";
import type { PubsubMessage } from "../../../src/ipfs/store.js";
import { SOURCE_ADD_EVENT_ID } from "../../../src/nomad/index.js";
import { generatePairCode, type PairCode } from "../../../src/nomad/pairing/pair-code.js";
import { roomCipher } from "../../../src/nomad/pairing/room-cipher.js";
import { appendEntries } from "../../../src/service/append-entries.js";
import { openFileJournal } from "../../../src/service/apply-journal.js";
import { applyPatch } from "../../../src/service/apply-patch.js";
import { readKnownSources } from "../../../src/service/known-sources.js";
import { loadTarget } from "../../../src/service/load-target.js";
import { PairingTimeoutError } from "../../../src/service/pair/pair-errors.js";
import type { RoomTiming } from "../../../src/service/pair/peer-room-session.js";
import { receivePairing } from "../../../src/service/pair/receive-pairing.js";
import { sendPairing } from "../../../src/service/pair/send-pairing.js";
import { reviewPatch } from "../../../src/service/review-patch.js";
import type { KuboNode } from "../../helpers/kubo.js";
import {
  createStorageTarget,
  proposePatch,
  readStreamEntries,
  type StorageTarget,
  testPublish,
} from "../../helpers/nomad-builders/index.js";
import { runCsharpHolder } from "./csharp-holder.js";
import { pairTimeoutMs, scratchDir, startPubsubNodes } from "./pair-room.js";

const resolve = { timeoutMs: 15_000 };
const limits = { maxEntries: 100, maxBytes: 8 * 1024 * 1024, resolveTimeoutMs: 15_000 };

describe("pairing a Storage folder between two nomad-patch nodes", () => {
  let holder: KuboNode;
  let newcomer: KuboNode;
  let eavesdropper: KuboNode;
  let holderDir: string;
  let newcomerDir: string;
  let folder: StorageTarget;

  beforeAll(async () => {
    [holder, newcomer, eavesdropper] = await startPubsubNodes();
    [holderDir, newcomerDir] = await Promise.all([scratchDir("holder"), scratchDir("newcomer")]);
    folder = await createStorageTarget(holder, { name: "Docs", files: { "readme.txt": "hello\n" } });
  });
  afterAll(async () => {
    await Promise.all([holder?.stop(), newcomer?.stop(), eavesdropper?.stop()]);
    for (const dir of [holderDir, newcomerDir]) if (dir) await rm(dir, { recursive: true, force: true });
  });

  /**
   * The holder sends a folder (the one made above unless named) while the newcomer receives it, both with
   * `code`, each with its room's timing when given.
   */
  const pairBoth = (
    code: PairCode,
    other: {
      readonly target?: StorageTarget;
      readonly name?: string;
      readonly holderTiming?: RoomTiming;
      readonly newcomerTiming?: RoomTiming;
    } = {},
  ) =>
    Promise.all([
      sendPairing(
        { store: holder.store },
        {
          target: (other.target ?? folder).id,
          code,
          dataDir: holderDir,
          timeoutMs: pairTimeoutMs,
          resolve,
          publish: testPublish,
          ...(other.holderTiming ? { timing: other.holderTiming } : {}),
        },
      ),
      receivePairing(
        { store: newcomer.store },
        {
          code,
          module: "storage",
          name: other.name ?? "Docs",
          dataDir: newcomerDir,
          timeoutMs: pairTimeoutMs,
          resolve,
          publish: testPublish,
          ...(other.newcomerTiming ? { timing: other.newcomerTiming } : {}),
        },
      ),
    ]);

  it("hands the folder over; a node without the password sees only ciphertext", async () => {
    const code = generatePairCode();
    const overheard: PubsubMessage[] = [];
    const tap = await eavesdropper.store.pubsubSubscribe(code.room, (m) => overheard.push(m));

    const [sent, received] = await pairBoth(code);
    await tap.close();

    // The newcomer holds the roaming key under the C# name and has its own local key of the same name.
    expect(received.targetId).toBe(folder.id);
    expect(received.roamingKeyName).toBe(folder.keyNames.roaming);
    expect(received.localKeyName).toBe(folder.keyNames.local);
    expect(received.confirmed).toBe(true);
    const newcomerKeys = await newcomer.store.listKeys();
    expect(newcomerKeys.find((k) => k.name === folder.keyNames.roaming)?.id).toBe(folder.id);

    // The holder recorded it as C# does: one SourceAdd whose content is the id as a string block.
    expect(sent).toMatchObject({ newSource: received.localId, sourceAdded: true });
    const sourceAdds = (await readStreamEntries(holder, folder.id)).filter(
      (e) => e.eventId === SOURCE_ADD_EVENT_ID,
    );
    expect(sourceAdds.map((e) => [e.targetId, e.content])).toEqual([[folder.id, received.localId]]);
    expect(await readKnownSources(holderDir, folder.id)).toEqual([received.localId]);
    expect(await readKnownSources(newcomerDir, folder.id)).toEqual([folder.localId]);

    // The eavesdropper saw the exchange, and none of it in the clear.
    expect(overheard.length).toBeGreaterThan(0);
    const exported = Buffer.from(await holder.store.exportKey(folder.keyNames.roaming));
    const secrets = [exported, Buffer.from(folder.keyNames.roaming), Buffer.from(received.localId)];
    const wrong = roomCipher("not-the-password", code.room);
    for (const message of overheard) {
      const bytes = Buffer.from(message.data);
      // A wrong password fails the padding check, or (about 1 time in 256) yields garbage: never a secret.
      const guessed = Buffer.from(wrong.decrypt(message.data) ?? []);
      for (const secret of secrets) {
        expect(bytes.includes(secret)).toBe(false);
        expect(guessed.includes(secret)).toBe(false);
      }
    }
    const right = roomCipher(code.password, code.room);
    const readable = overheard.map((m) => right.decrypt(m.data)).filter((p) => p !== undefined);
    expect(readable.some((p) => Buffer.from(p).equals(exported))).toBe(true);
  });

  it("the newcomer applies a patch and the holder folds it; the holder's change folds on the newcomer", async () => {
    const contributorDir = join(newcomerDir, "edited");
    await mkdir(contributorDir, { recursive: true });
    await writeFile(join(contributorDir, "readme.txt"), "hello\n");
    await writeFile(join(contributorDir, "added.txt"), "from a patch\n");
    const patch = await proposePatch(eavesdropper, {
      target: folder.id,
      title: "Add a file",
      fromFolder: contributorDir,
    });
    const { review } = await reviewPatch({ store: newcomer.store }, { key: patch.key, limits });
    expect(review.target.canApply).toBe(true);
    const journal = await openFileJournal(newcomerDir);
    const outcome = await applyPatch(
      { store: newcomer.store, journal },
      {
        key: patch.key,
        expectPatchCid: review.patch.cid,
        expectResultCid: review.predictedResultCid!,
        limits,
      },
    );
    expect(outcome.status).toBe("applied");

    const onHolder = await loadTarget({ store: holder.store }, { target: folder.id, resolve });
    const names = (onHolder.state.Files as { StorableItemName: string }[]).map((f) => f.StorableItemName);
    expect(names.sort()).toEqual(["added.txt", "readme.txt"]);

    const extra = await holder.store.addFile(new TextEncoder().encode("by the holder\n"), { pin: true });
    await appendEntries(
      { store: holder.store },
      {
        target: folder.id,
        publish: testPublish,
        resolve,
        entries: [
          {
            targetId: folder.id,
            eventId: "CreateFileInFolderEvent",
            content: {
              eventId: "CreateFileInFolderEvent",
              storableItemId: `${folder.id}/holder.txt`,
              workingFolderId: folder.id,
              storableItemName: "holder.txt",
              overwrite: false,
            },
          },
          {
            targetId: `${folder.id}/holder.txt`,
            eventId: "FileUpdateEvent",
            content: {
              StorableItemId: `${folder.id}/holder.txt`,
              NewContentId: extra,
              EventId: "FileUpdateEvent",
            },
          },
        ],
      },
    );
    const onNewcomer = await loadTarget({ store: newcomer.store }, { target: folder.id, resolve });
    const seen = (onNewcomer.state.Files as { StorableItemName: string }[]).map((f) => f.StorableItemName);
    expect(seen.sort()).toEqual(["added.txt", "holder.txt", "readme.txt"]);
  });

  it("pairing the same device again adds no second source", async () => {
    const keysBefore = await newcomer.store.listKeys();
    const streamBefore = await readStreamEntries(holder, folder.id);
    const code = generatePairCode();
    const [sent, received] = await pairBoth(code);
    expect(received.importedRoamingKey).toBe(false);
    expect(sent).toMatchObject({ newSource: received.localId, sourceAdded: false });
    expect(await readStreamEntries(holder, folder.id)).toEqual(streamBefore);
    expect(await newcomer.store.listKeys()).toEqual(keysBefore);
    expect(await readKnownSources(holderDir, folder.id)).toEqual([received.localId]);
  });

  // The other object's holder is C#-shaped: the test is the newcomer's refusal, and a holder of our own with a
  // short timeout (to end once the newcomer refused) also bounded its wait for the newcomer to join, which
  // a loaded machine outlasted (the holder then gave up before the key and the newcomer timed out instead).
  it("refuses another object's key under a name the newcomer already uses, changing nothing", async () => {
    const other = await createStorageTarget(eavesdropper, { name: "Docs" });
    const keysBefore = await newcomer.store.listKeys();
    const code = generatePairCode();
    const otherHolder = await runCsharpHolder(eavesdropper, code, {
      roamingKeyName: other.keyNames.roaming,
      localKeyName: other.keyNames.local,
      silentMs: 0,
    });
    try {
      const received = await receivePairing(
        { store: newcomer.store },
        { code, module: "storage", name: "Docs", dataDir: newcomerDir, timeoutMs: pairTimeoutMs },
      ).catch((e) => e);
      expect(received).toBeInstanceOf(PolicyRefusal);
      expect(received.message).toContain(`holds another key under ${folder.keyNames.roaming}`);
      expect(otherHolder.keySent()).toBe(true);
      expect(received.message).toContain(other.id);
      expect(await newcomer.store.listKeys()).toEqual(keysBefore);
    } finally {
      await otherHolder.close();
    }
  });

  // A room counts a message only from a peer it heard within the expiry (OwlCore.Kubo:src/PeerRoom.cs), and
  // the roaming key is sent once (OwlCore.Nomad.Kubo:src/KeyExchange.cs). A holder whose heartbeats ran late
  // (a busy process: the check before the key folds the whole object) had been dropped from the newcomer's
  // room when its key arrived, and the key was ignored: the newcomer waited out its timeout. Here the
  // holder's heartbeats are 4 s apart against the newcomer's 2 s expiry, so it is always dropped before its
  // key goes out.
  it("hands the key over from a holder whose heartbeats run late: the key goes out right after a heartbeat", async () => {
    const late = await createStorageTarget(holder, { name: "Late", files: { "a.txt": "a\n" } });
    const [sent, received] = await pairBoth(generatePairCode(), {
      target: late,
      name: "Late",
      holderTiming: { heartbeatIntervalMs: 4_000, expiryMs: 3_000 },
      newcomerTiming: { heartbeatIntervalMs: 500, expiryMs: 2_000 },
    });
    expect(received.targetId).toBe(late.id);
    expect((await newcomer.store.listKeys()).find((k) => k.name === late.keyNames.roaming)?.id).toBe(late.id);
    expect(sent).toMatchObject({ newSource: received.localId, sourceAdded: true });
  }, 90_000);

  // A C# holder sends the roaming key once (OwlCore.Nomad.Kubo:src/KeyExchange.cs `SendRoamingKeyAsync`),
  // with nothing to put a heartbeat right before it: when it is busy between the join and the key for longer
  // than the newcomer's expiry (its heartbeat is a thread-pool timer; the key is exported by a child
  // process), the newcomer has dropped it from its room (OwlCore.Kubo:src/PeerRoom.cs) by the time the key
  // arrives. The newcomer is bound to that holder, heard under the roaming key's name with the password.
  const receiveQuietly = (code: PairCode, name: string, timeoutMs = pairTimeoutMs) =>
    receivePairing(
      { store: newcomer.store },
      { code, module: "storage", name, dataDir: newcomerDir, timeoutMs, resolve, publish: testPublish },
    );

  it("takes the key a C# holder sends once, after a silence longer than the expiry with no heartbeat before it", async () => {
    const quiet = await createStorageTarget(holder, { name: "Quiet", files: { "q.txt": "q\n" } });
    const code = generatePairCode();
    const csharp = await runCsharpHolder(holder, code, {
      roamingKeyName: quiet.keyNames.roaming,
      localKeyName: quiet.keyNames.local,
      silentMs: 4_000,
    });
    try {
      const received = await receiveQuietly(code, "Quiet");
      expect(csharp.keySent()).toBe(true);
      expect(received.targetId).toBe(quiet.id);
      expect(received.importedRoamingKey).toBe(true);
      expect((await newcomer.store.listKeys()).find((k) => k.name === quiet.keyNames.roaming)?.id).toBe(
        quiet.id,
      );
      // The holder took the newcomer's local key id, the first message it read under the local key's name.
      expect(await csharp.localKeyId).toBe(received.localId);
      expect(received.confirmed).toBe(true);
    } finally {
      await csharp.close();
    }
  }, 90_000);

  it("a C# holder that goes quiet and never sends the key: the newcomer says it heard the holder, then silence", async () => {
    const silent = await createStorageTarget(holder, { name: "Silent", files: { "s.txt": "s\n" } });
    const keysBefore = await newcomer.store.listKeys();
    const code = generatePairCode();
    const csharp = await runCsharpHolder(holder, code, {
      roamingKeyName: silent.keyNames.roaming,
      localKeyName: silent.keyNames.local,
      silentMs: 60_000,
      keyAfterSilence: false,
    });
    try {
      const error = await receiveQuietly(code, "Silent", 6_000).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PairingTimeoutError);
      const { message, hint } = error as PairingTimeoutError;
      expect(message).toContain(`waiting for the roaming key from peer ${csharp.peerId}`);
      expect(message).toMatch(
        new RegExp(
          `peer ${csharp.peerId} was in room ${code.room} and went quiet: nothing from it for the last \\d+(\\.\\d)? s`,
        ),
      );
      expect(message).not.toContain("sent nothing this side can read");
      expect(message).toContain("Nothing was changed on this node");
      expect(hint).toContain("the other side's own output");
      expect(await newcomer.store.listKeys()).toEqual(keysBefore);
    } finally {
      await csharp.close();
    }
  }, 60_000);
});
