import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generatePairCode } from "../../../src/nomad/pairing/pair-code.js";
import { receivePairing } from "../../../src/service/pair/receive-pairing.js";
import { sendPairing } from "../../../src/service/pair/send-pairing.js";
import type { KuboNode } from "../../helpers/kubo.js";
import { createStorageTarget, testPublish } from "../../helpers/nomad-builders/index.js";
import { pairTimeoutMs, scratchDir, startPubsubNodes } from "./pair-room.js";

const resolve = { timeoutMs: 15_000 };

/**
 * A room counts a message only from a peer it heard within the expiry (OwlCore.Kubo:src/PeerRoom.cs), and the
 * roaming key is sent once (OwlCore.Nomad.Kubo:src/KeyExchange.cs). A holder whose heartbeats ran late (a busy
 * process: the check before the key folds the whole object) had been dropped from the new device's room when
 * its key arrived, and the key was ignored: the new device waited out its timeout. Here the holder's heartbeats
 * are 4 s apart against the new device's 2 s expiry, so it is always dropped before its key goes out.
 */
describe("pairing with a holder whose heartbeats run late", () => {
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

  it("still hands the key over: the key goes out right after a heartbeat", async () => {
    const folder = await createStorageTarget(holder, { name: "Late", files: { "a.txt": "a\n" } });
    const code = generatePairCode();
    const [sent, received] = await Promise.all([
      sendPairing(
        { store: holder.store },
        {
          target: folder.id,
          code,
          dataDir: holderDir,
          timeoutMs: pairTimeoutMs,
          resolve,
          publish: testPublish,
          timing: { heartbeatIntervalMs: 4_000, expiryMs: 3_000 },
        },
      ),
      receivePairing(
        { store: newcomer.store },
        {
          code,
          module: "storage",
          name: "Late",
          dataDir: newcomerDir,
          timeoutMs: pairTimeoutMs,
          resolve,
          publish: testPublish,
          timing: { heartbeatIntervalMs: 500, expiryMs: 2_000 },
        },
      ),
    ]);
    expect(received.targetId).toBe(folder.id);
    expect((await newcomer.store.listKeys()).find((k) => k.name === folder.keyNames.roaming)?.id).toBe(
      folder.id,
    );
    expect(sent).toMatchObject({ newSource: received.localId, sourceAdded: true });
  }, 90_000);
});
