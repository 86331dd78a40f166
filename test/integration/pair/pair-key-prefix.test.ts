import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseIpnsName, SOURCE_ADD_EVENT_ID, storageModule } from "../../../src/nomad/index.js";
import { parsePairCode } from "../../../src/nomad/pairing/pair-code.js";
import { receivePairing } from "../../../src/service/pair/receive-pairing.js";
import { sendPairing } from "../../../src/service/pair/send-pairing.js";
import { generateKey, publish, publishStream } from "../../helpers/csharp-device.js";
import type { KuboNode } from "../../helpers/kubo.js";
import { readStreamEntries, testPublish } from "../../helpers/nomad-builders/index.js";
import { pairTimeoutMs, scratchDir, startPubsubNodes } from "./pair-room.js";

const resolve = { timeoutMs: 15_000 };

describe("pairing with a C# app that sets its own KeyNamePrefix", () => {
  let holder: KuboNode;
  let newcomer: KuboNode;
  let third: KuboNode;
  let holderDir: string;
  let newcomerDir: string;

  beforeAll(async () => {
    [holder, newcomer, third] = await startPubsubNodes();
    [holderDir, newcomerDir] = await Promise.all([scratchDir("holder"), scratchDir("newcomer")]);
  });
  afterAll(async () => {
    await Promise.all([holder?.stop(), newcomer?.stop(), third?.stop()]);
    for (const dir of [holderDir, newcomerDir]) if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("imports and creates the keys under the app's names, and the holder adds the new device", async () => {
    // The folder of OwlCore.Nomad.Storage.Kubo:tests/KuboNomadFolderTests.Pair.cs: a RoamingFolderRepository
    // with KeyNamePrefix = "Nomad.Storage" names its keys `{KeyNamePrefix}.Roaming.{folderName}` and
    // `{KeyNamePrefix}.Local.{folderName}` (RoamingFolderRepository.cs, GetNewKeyNames), written here by raw RPC.
    const roamingName = "Nomad.Storage.Roaming.PairingTestAsync";
    const localName = "Nomad.Storage.Local.PairingTestAsync";
    const id = await generateKey(holder, roamingName);
    const holderLocal = await generateKey(holder, localName);
    await publishStream(holder, localName, "PairingTestAsync", []);
    const seed = storageModule.seed({
      id: parseIpnsName(id),
      sources: [parseIpnsName(holderLocal)],
      name: "PairingTestAsync",
    });
    await publish(holder, roamingName, (await holder.store.dagPut(seed, { pin: true })).toString());

    const code = parsePairCode("5e1f2a9c");
    let shown: { roamingKeyName: string; module: string; targetId: string; peerId: string } | undefined;
    const [sent, received] = await Promise.all([
      sendPairing(
        { store: holder.store },
        {
          target: id,
          code,
          dataDir: holderDir,
          timeoutMs: pairTimeoutMs,
          resolve,
          publish: testPublish,
          onWaiting: (names) => (shown = names),
        },
      ),
      receivePairing(
        { store: newcomer.store },
        {
          code,
          module: "storage",
          name: "PairingTestAsync",
          keyNamePrefix: "Nomad.Storage",
          dataDir: newcomerDir,
          timeoutMs: pairTimeoutMs,
          resolve,
          publish: testPublish,
        },
      ),
    ]);
    expect(shown).toEqual({
      roamingKeyName: roamingName,
      module: "storage",
      targetId: id,
      peerId: (await holder.store.id()).peerId,
    });

    // The newcomer holds the object under exactly the app's names.
    expect(received).toMatchObject({ targetId: id, roamingKeyName: roamingName, localKeyName: localName });
    const keys = await newcomer.store.listKeys();
    expect(keys.find((k) => k.name === roamingName)?.id).toBe(id);
    expect(keys.find((k) => k.name === localName)?.id).toBe(received.localId);
    expect(keys.some((k) => k.name.startsWith("Nomad.Kubo.Storage."))).toBe(false);

    // The holder appended the new device as a source.
    expect(sent).toMatchObject({ newSource: received.localId, sourceAdded: true });
    const sourceAdds = (await readStreamEntries(holder, id)).filter((e) => e.eventId === SOURCE_ADD_EVENT_ID);
    expect(sourceAdds.map((e) => e.content)).toEqual([received.localId]);
  });
});
