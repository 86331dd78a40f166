import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CID } from "multiformats/cid";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IpfsTimeoutError } from "../../../src/ipfs/errors.js";
import { appendEntries } from "../../../src/service/append-entries.js";
import { SourceUnreachableError } from "../../../src/service/apply-errors.js";
import { openFileJournal } from "../../../src/service/apply-journal.js";
import { applyPatch } from "../../../src/service/apply-patch.js";
import { reviewPatch } from "../../../src/service/review-patch.js";
import { publishStream, valueEntry } from "../../helpers/csharp-device.js";
import { connect, type KuboNode, startKubo, startKuboPair } from "../../helpers/kubo.js";
import { withFault } from "../faults/fault-store.js";
import {
  bringDeviceBack,
  type DeviceSet,
  foldedProject,
  keyState,
  projectOnTwoDevices,
  proposeValues,
  takeDeviceOffline,
} from "./device-set.js";

const limits = { maxEntries: 100, maxBytes: 8 * 1024 * 1024, resolveTimeoutMs: 15_000 };

/** The node's recursive pins: what garbage collection will never take. */
async function recursivePins(node: KuboNode): Promise<string[]> {
  const pins: string[] = [];
  for await (const pin of node.store.rpc.pin.ls({ type: "recursive" })) pins.push(pin.cid.toString());
  return pins.sort();
}

/**
 * A refused write must leave the operator's repository as it found it: a pin taken before the refusal is
 * never taken back by anything, so a stream of refused attempts (a hostile patch, a pairing while a device
 * is away) would grow the repository for good. Nothing is pinned before the decision to publish.
 */
describe("a refused write pins nothing", () => {
  let pair: Awaited<ReturnType<typeof startKuboPair>>;
  let dataDir: string;
  let counter = 0;
  const bot = () => pair.operator;

  beforeAll(async () => {
    pair = await startKuboPair();
    dataDir = await mkdtemp(join(tmpdir(), "nomad-patch-refused-pins-"));
  });
  afterAll(async () => {
    await pair?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  /** A project on the bot's node and a C# device's node, which `body` may take offline and bring back. */
  async function withDevice(name: string, body: (set: DeviceSet, away: { node: KuboNode }) => Promise<void>) {
    const names = ["Operator Name"];
    const away = { node: await startKubo() };
    await connect(bot(), away.node);
    try {
      const set = await projectOnTwoDevices(bot(), away.node, {
        knownId: `${name}-${++counter}`,
        names,
        published: (keys) => foldedProject(names, [keys.device]),
      });
      await body(set, away);
    } finally {
      await away.node.stop();
    }
  }

  it("appending as a device while a device is away pins nothing; once it is back the stream is pinned", async () => {
    await withDevice("pins-append", async (set, away) => {
      await takeDeviceOffline(away.node, set, bot());
      const before = await recursivePins(bot());
      const keys = await keyState(bot().store, set);
      // An entry with a value of its own, put by the append, as a pairing's SourceAdd is.
      const attempt = (value: string) =>
        appendEntries(
          { store: bot().store },
          {
            target: set.id,
            entries: [{ targetId: set.id, eventId: "AddFeatureAsync", content: { Value: value } }],
          },
        );
      for (const value of ["one", "two", "three"])
        await expect(attempt(value)).rejects.toBeInstanceOf(SourceUnreachableError);
      expect(await recursivePins(bot())).toEqual(before);
      expect(await keyState(bot().store, set)).toEqual(keys);

      away.node = await bringDeviceBack(away.node, set, bot());
      const appended = await attempt("four");
      const after = await recursivePins(bot());
      expect(after).toContain(appended.streamCid.toString());
      expect(after).toContain(appended.roamingCid.toString());
    });
  });

  it("an apply refused after its stream was staged (a device lost meanwhile) pins nothing and records failed", async () => {
    await withDevice("pins-apply", async (set, away) => {
      const patch = await proposeValues(pair.contributor, set.id, [
        { eventId: "AddFeatureAsync", value: "Dark mode" },
      ]);
      const { review } = await reviewPatch({ store: bot().store }, { key: patch.key, limits, dataDir });
      const result = review.predictedResultCid as string;
      const before = await recursivePins(bot());
      const journal = await openFileJournal(dataDir);
      // The device goes away once the approved review was checked and the stream is being written.
      const store = withFault(bot().store, { method: "importBlocks", nth: 1 }, () =>
        takeDeviceOffline(away.node, set, bot()),
      );
      const input = { key: patch.key, expectPatchCid: patch.cid.toString(), expectResultCid: result, limits };
      await expect(applyPatch({ store, journal }, { ...input, dataDir })).rejects.toBeInstanceOf(
        SourceUnreachableError,
      );
      expect((await journal.get(patch.cid.toString()))?.state).toBe("failed");
      expect(await recursivePins(bot())).toEqual(before);

      away.node = await bringDeviceBack(away.node, set, bot());
      const outcome = await applyPatch({ store: bot().store, journal }, { ...input, dataDir });
      expect(outcome.status).toBe("applied");
      expect(await recursivePins(bot())).toContain(outcome.localStreamCid);
    });
  });
  it("a resumed apply whose roaming publish failed, retried after a device changed, leaves no pin of the value it never published", async () => {
    await withDevice("pins-roaming", async (set, away) => {
      const patch = await proposeValues(pair.contributor, set.id, [
        { eventId: "AddFeatureAsync", value: "Offline mode" },
      ]);
      const { review } = await reviewPatch({ store: bot().store }, { key: patch.key, limits, dataDir });
      const journal = await openFileJournal(dataDir);
      const input = {
        key: patch.key,
        expectPatchCid: patch.cid.toString(),
        expectResultCid: review.predictedResultCid as string,
        limits,
        dataDir,
      };
      // The roaming value is folded and put, and its publish fails: the stream is out, the value is not.
      const failing = withFault(
        bot().store,
        {
          method: "publishName",
          nth: 1,
          when: (name) => name === set.device.keyName.replace(".Local.", ".Roaming."),
        },
        async () => {
          throw new IpfsTimeoutError("name publish", 3000);
        },
      );
      await expect(applyPatch({ store: failing, journal }, input)).rejects.toBeInstanceOf(IpfsTimeoutError);
      expect((await journal.get(patch.cid.toString()))?.state).toBe("local-published");
      const notPublished = review.predictedResultCid as string;
      expect(await bot().store.resolveName(set.id, { nocache: true })).not.toEqual(CID.parse(notPublished));

      // Meanwhile the operator's device renames the project: the retry folds and publishes another value.
      const stream = (await bot().store.dagGet(CID.parse(set.device.streamCid))) as {
        Label: string;
        Entries: CID[];
      };
      const renamed = await valueEntry(away.node, {
        targetId: set.id,
        eventId: "UpdateNameAsync",
        value: "Renamed Meanwhile",
        timestampUtc: "2025-06-02T09:00:00Z",
      });
      await publishStream(away.node, set.device.keyName, stream.Label, [
        ...stream.Entries.map((c) => c.toString()),
        renamed,
      ]);

      const outcome = await applyPatch({ store: bot().store, journal }, input);
      expect(outcome.status).toBe("applied");
      expect(outcome.roamingCid).not.toBe(notPublished);
      const pins = await recursivePins(bot());
      expect(pins).toContain(outcome.roamingCid);
      expect(pins).not.toContain(notPublished);
    });
  });
});
