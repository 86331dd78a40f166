import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PubsubMessage } from "../../../src/ipfs/store.js";
import { SOURCE_ADD_EVENT_ID } from "../../../src/nomad/index.js";
import { generatePairCode, type PairCode } from "../../../src/nomad/pairing/pair-code.js";
import { roomCipher } from "../../../src/nomad/pairing/room-cipher.js";
import { SourceUnreachableError } from "../../../src/service/apply-errors.js";
import { addKnownSources, readKnownSources } from "../../../src/service/known-sources.js";
import { loadTarget } from "../../../src/service/load-target.js";
import { PairingTimeoutError } from "../../../src/service/pair/pair-errors.js";
import { receivePairing } from "../../../src/service/pair/receive-pairing.js";
import { sendPairing } from "../../../src/service/pair/send-pairing.js";
import { generateKey, publishStream } from "../../helpers/csharp-device.js";
import { connect, type KuboNode, startKubo } from "../../helpers/kubo.js";
import { readStreamEntries, testPublish } from "../../helpers/nomad-builders/index.js";
import {
  bringDeviceBack,
  foldedProject,
  keyState,
  projectOnTwoDevices,
  takeDeviceOffline,
} from "../service/device-set.js";
import { pairTimeoutMs, scratchDir, startPubsubNodes } from "./pair-room.js";

const resolve = { timeoutMs: 15_000 };

describe("a pairing refused because a device is offline hands nothing over", () => {
  let holder: KuboNode;
  let newcomer: KuboNode;
  let away: KuboNode;
  let holderDir: string;
  let newcomerDir: string;

  beforeAll(async () => {
    [[holder, newcomer], away] = await Promise.all([startPubsubNodes(), startKubo()]);
    await connect(holder, away);
    [holderDir, newcomerDir] = await Promise.all([scratchDir("holder"), scratchDir("newcomer")]);
  });
  afterAll(async () => {
    await Promise.all([holder?.stop(), newcomer?.stop(), away?.stop()]);
    for (const dir of [holderDir, newcomerDir]) if (dir) await rm(dir, { recursive: true, force: true });
  });

  const pair = (target: string, code: PairCode, receiverTimeoutMs: number) =>
    Promise.all([
      sendPairing(
        { store: holder.store },
        { target, code, dataDir: holderDir, timeoutMs: pairTimeoutMs, resolve, publish: testPublish },
      ).catch((e: unknown) => e),
      receivePairing(
        { store: newcomer.store },
        {
          code,
          module: "wac-project",
          name: "offline-pairing",
          dataDir: newcomerDir,
          timeoutMs: receiverTimeoutMs,
          resolve,
          publish: testPublish,
        },
      ).catch((e: unknown) => e),
    ]);

  it("refuses before the roaming key leaves the node, and a retry once the device is back pairs", async () => {
    const names = ["Kept on the other device"];
    const set = await projectOnTwoDevices(holder, away, {
      knownId: "offline-pairing",
      names,
      published: (keys) => foldedProject(names, [keys.device]),
    });
    await takeDeviceOffline(away, set, holder);
    const before = await keyState(holder.store, set);
    const newcomerKeys = await newcomer.store.listKeys();
    const streamBefore = await readStreamEntries(holder, set.id);

    const code = generatePairCode();
    const overheard: PubsubMessage[] = [];
    const tap = await newcomer.store.pubsubSubscribe(code.room, (m) => overheard.push(m));
    const [refused, waited] = await pair(set.id, code, 5_000);
    await tap.close();

    expect(refused).toBeInstanceOf(SourceUnreachableError);
    expect((refused as Error).message).toContain(set.device.localId);
    expect(waited).toBeInstanceOf(PairingTimeoutError);
    // Nothing left the holder: no message in the room is the roaming key, the newcomer imported nothing.
    const exported = Buffer.from(
      await holder.store.exportKey(`WindowsAppCommunity.Sdk.Project.Roaming.offline-pairing`),
    );
    const right = roomCipher(code.password, code.room);
    for (const message of overheard)
      expect(Buffer.from(right.decrypt(message.data) ?? []).equals(exported)).toBe(false);
    expect(await newcomer.store.listKeys()).toEqual(newcomerKeys);
    // And nothing was published or recorded on the holder.
    expect(await keyState(holder.store, set)).toEqual(before);
    expect(await readStreamEntries(holder, set.id)).toEqual(streamBefore);
    expect(await readKnownSources(holderDir, set.id)).toEqual([]);

    away = await bringDeviceBack(away, set, holder);
    const [sent, received] = await pair(set.id, generatePairCode(), pairTimeoutMs);
    if (sent instanceof Error) throw sent;
    if (received instanceof Error) throw received;
    expect(sent).toMatchObject({ sourceAdded: true, newSource: (received as { localId: string }).localId });
    const sourceAdds = (await readStreamEntries(holder, set.id)).filter(
      (e) => e.eventId === SOURCE_ADD_EVENT_ID,
    );
    expect(sourceAdds.map((e) => e.content)).toEqual([(received as { localId: string }).localId]);
    const onNewcomer = await loadTarget({ store: newcomer.store }, { target: set.id, resolve });
    expect(onNewcomer.state).toMatchObject({ Name: "Kept on the other device" });
  });

  it("a device recorded here by a pairing that failed after the hand-over is still appended by the next one", async () => {
    const names = ["Half paired"];
    const set = await projectOnTwoDevices(holder, away, {
      knownId: "half-paired",
      names,
      published: (keys) => foldedProject(names, [keys.device]),
    });
    // The newcomer's local key and empty stream exist and the holder recorded it as a known source, as a
    // pairing that recorded the id before its append failed left them: no SourceAdd names it anywhere.
    const localName = "WindowsAppCommunity.Sdk.Project.Local.half-paired";
    const newcomerLocal = await generateKey(newcomer, localName);
    await publishStream(newcomer, localName, "Project half-paired", []);
    await addKnownSources(holderDir, set.id, [newcomerLocal]);

    const code = generatePairCode();
    const [sent, received] = await Promise.all([
      sendPairing(
        { store: holder.store },
        { target: set.id, code, dataDir: holderDir, timeoutMs: pairTimeoutMs, resolve, publish: testPublish },
      ),
      receivePairing(
        { store: newcomer.store },
        {
          code,
          module: "wac-project",
          name: "half-paired",
          dataDir: newcomerDir,
          timeoutMs: pairTimeoutMs,
          resolve,
          publish: testPublish,
        },
      ),
    ]);
    expect(received.localId).toBe(newcomerLocal);
    expect(sent).toMatchObject({ newSource: newcomerLocal, sourceAdded: true });
    const sourceAdds = (await readStreamEntries(holder, set.id)).filter(
      (e) => e.eventId === SOURCE_ADD_EVENT_ID,
    );
    expect(sourceAdds.map((e) => e.content)).toEqual([newcomerLocal]);
    expect(await readKnownSources(holderDir, set.id)).toEqual([newcomerLocal]);
  });
});
