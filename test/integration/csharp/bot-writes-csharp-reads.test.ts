import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IpfsStore, ResolveOptions } from "../../../src/ipfs/store.js";
import { SOURCE_ADD_EVENT_ID } from "../../../src/nomad/index.js";
import { appendEntries } from "../../../src/service/append-entries.js";
import { SourceUnreachableError } from "../../../src/service/apply-errors.js";
import { type ApplyJournal, openFileJournal } from "../../../src/service/apply-journal.js";
import { applyPatch } from "../../../src/service/apply-patch.js";
import { reviewPatch } from "../../../src/service/review-patch.js";
import {
  generateKey,
  projectValue,
  publish,
  publishStream,
  putJson,
  valueEntry,
} from "../../helpers/csharp-device.js";
import type { KuboNode } from "../../helpers/kubo.js";
import { dagGetJsonAsCSharpDoes } from "../nomad/kubo-http.js";
import { proposeValues } from "../service/device-set.js";
import {
  type BotAndDevice,
  CSHARP_TEST_LIMITS,
  newtonsoftUtc,
  PROJECT_PREFIX,
  startBotAndDevice,
  stopBotAndDevice,
} from "./bot-and-device.js";
import { orderAsRepository, replayProject, resolveEventStreamEntries, ticksOf } from "./csharp-reader.js";

const limits = CSHARP_TEST_LIMITS;
const PREFIX = PROJECT_PREFIX;

/** The keys of a block as Newtonsoft reads them from `dag/get`, sorted. */
const fieldsOf = (block: unknown) => Object.keys(block as object).sort();

/** The store with one IPNS name that does not resolve (an expired record), everything else as it is. */
function nameLost(store: IpfsStore, name: string): IpfsStore {
  return new Proxy(store, {
    get(target, property) {
      if (property === "resolveName") {
        return (asked: string, options?: ResolveOptions) =>
          asked === name ? Promise.resolve(undefined) : target.resolveName(asked, options);
      }
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

describe("what the bot appends as one of the owner's devices, read back as a C# device reads it", () => {
  let pair: BotAndDevice["pair"];
  let device: KuboNode;
  let dataDir: string;
  const bot = () => pair.operator;

  beforeAll(async () => {
    ({ pair, device, dataDir } = await startBotAndDevice("csharp-reads"));
  });
  afterAll(() => stopBotAndDevice({ pair, device, dataDir }));

  async function approveAndApply(id: string, entries: Parameters<typeof proposeValues>[2]) {
    const patch = await proposeValues(pair.contributor, id, entries);
    const { review } = await reviewPatch({ store: bot().store }, { key: patch.key, limits, dataDir });
    expect(review.blockers ?? []).toEqual([]);
    const outcome = await applyPatch(
      { store: bot().store, journal: await openFileJournal(dataDir) },
      {
        key: patch.key,
        expectPatchCid: patch.cid.toString(),
        expectResultCid: review.predictedResultCid as string,
        limits,
        dataDir,
      },
    );
    expect(outcome.status).toBe("applied");
    const proposedContents = await Promise.all(
      patch.entryCids.map(async (cid) => {
        const entry = (await dagGetJsonAsCSharpDoes(pair.contributor.apiUrl, cid.toString())) as {
          Content: { "/": string };
        };
        return entry.Content["/"];
      }),
    );
    return { outcome, proposedContents };
  }

  /**
   * A WindowsAppCommunity project made on the owner's C# device, which paired the bot in: its stream holds
   * the name it set and the SourceAdd naming the bot's local key (OwlCore.Nomad.Kubo:src/KeyExchange.cs);
   * the bot's node holds the roaming key and its own local key with an empty stream; the roaming value is
   * the C# seed's, listing the creator's local key alone (WindowsAppCommunity.Sdk:src/Nomad/ProjectRepository.cs).
   */
  async function pairedProject(knownId: string) {
    const roamingName = `${PREFIX}.Roaming.${knownId}`;
    const localName = `${PREFIX}.Local.${knownId}`;
    const label = `Project ${knownId}`;
    const id = await generateKey(bot(), roamingName);
    const botLocalId = await generateKey(bot(), localName);
    const deviceLocalId = await generateKey(device, localName);
    const named = await valueEntry(device, {
      targetId: id,
      eventId: "UpdateNameAsync",
      value: "Operator Name",
      timestampUtc: "2025-06-02T08:30:00Z",
    });
    const pairedBot = await putJson(device, {
      TargetId: id,
      EventId: "NomadEventStreamSourceAddEvent",
      TimestampUtc: "2025-06-02T08:31:00Z",
      Content: { "/": await putJson(device, botLocalId) },
    });
    const deviceEntries = [named, pairedBot];
    await publishStream(device, localName, label, deviceEntries);
    await publishStream(bot(), localName, label, []);
    await publish(
      bot(),
      roamingName,
      await putJson(bot(), projectValue({ Sources: [deviceLocalId], Name: "Operator Name" })),
    );
    return { id, roamingName, localName, label, botLocalId, deviceLocalId, named, deviceEntries };
  }

  /** The owner's device loads the project (from its own local key) and replays it from the SDK's seed. */
  async function readAsDevice(id: string, deviceLocalId: string) {
    const handlerSources = [deviceLocalId];
    const emitted = await resolveEventStreamEntries(device.apiUrl, handlerSources);
    const ordered = orderAsRepository(emitted, id);
    const replayed = await replayProject(device.apiUrl, projectValue({ Sources: [deviceLocalId] }), ordered);
    return { handlerSources, emitted, ordered, replayed };
  }

  it("folds every device's entries in C#'s order, keeps the bot's earlier ones, and republishes Sources as they were", async () => {
    const { id, roamingName, localName, label, botLocalId, deviceLocalId, named, deviceEntries } =
      await pairedProject("csharp-reads");

    const first = await approveAndApply(id, [{ eventId: "AddFeatureAsync", value: "Dark mode" }]);

    // The owner keeps working on the device after the bot's apply; one of its entries is dated an hour
    // ahead (a clock that runs fast), which no C# device applies before its time.
    await new Promise((resolve) => setTimeout(resolve, 5));
    const renamed = await valueEntry(device, {
      targetId: id,
      eventId: "UpdateNameAsync",
      value: "Renamed",
      timestampUtc: newtonsoftUtc(),
    });
    const offline = await valueEntry(device, {
      targetId: id,
      eventId: "AddFeatureAsync",
      value: "Offline",
      timestampUtc: newtonsoftUtc(1),
    });
    const ahead = await valueEntry(device, {
      targetId: id,
      eventId: "AddFeatureAsync",
      value: "From the future",
      timestampUtc: newtonsoftUtc(3_600_000),
    });
    deviceEntries.push(renamed, offline, ahead);
    await publishStream(device, localName, label, deviceEntries);
    // and flushes as a C# device does (PublishRoamingAsync): its replay under the shared roaming key.
    const flushed = await readAsDevice(id, deviceLocalId);
    await publish(bot(), roamingName, await putJson(bot(), flushed.replayed));

    const second = await approveAndApply(id, [{ eventId: "AddFeatureAsync", value: "Sync" }]);

    // The device reads the object as 0.17 does, from its own local key (its config's Sources).
    const { handlerSources, emitted, ordered, replayed } = await readAsDevice(id, deviceLocalId);
    expect(handlerSources).toEqual([deviceLocalId, botLocalId]);
    expect(ordered.map((e) => [e.source === botLocalId ? "bot" : "device", e.cid])).toEqual([
      ["device", named],
      ["bot", first.outcome.entryCids?.[0]],
      ["device", renamed],
      ["device", offline],
      ["bot", second.outcome.entryCids?.[0]],
    ]);
    expect(replayed).toMatchObject({ Name: "Renamed", Features: ["Dark mode", "Offline", "Sync"] });

    // The roaming value the bot published is what that replay gives: Sources exactly as the C# seed
    // wrote them (the bot's key is not added), every other field the replay's.
    const roaming = await dagGetJsonAsCSharpDoes(
      device.apiUrl,
      (second.outcome.roamingCid as string).toString(),
    );
    expect(roaming).toEqual(replayed);
    const resolved = await fetch(
      `${device.apiUrl}/api/v0/name/resolve?arg=/ipns/${id}&recursive=true&nocache=true`,
      { method: "POST" },
    );
    expect(((await resolved.json()) as { Path: string }).Path).toBe(`/ipfs/${second.outcome.roamingCid}`);

    // The bot's stream: the label it was given, the first apply's entry kept, the second appended after it.
    const botStream = await dagGetJsonAsCSharpDoes(device.apiUrl, second.outcome.localStreamCid as string);
    expect(botStream).toEqual({
      Label: label,
      Entries: [first.outcome.entryCids?.[0], second.outcome.entryCids?.[0]].map((cid) => ({ "/": cid })),
    });

    // Each entry the bot wrote is an EventStreamEntry<DagCid> as Newtonsoft writes one: the four fields,
    // the roaming id as TargetId, the proposed content linked, a `…Z` timestamp with at most 7 digits and
    // no trailing zero, after every entry it was applied on top of, and not after now.
    const botEntries = ordered.filter((e) => e.source === botLocalId);
    for (const [i, applied] of [first, second].entries()) {
      const entry = botEntries[i];
      const block = await dagGetJsonAsCSharpDoes(device.apiUrl, entry?.cid as string);
      expect(fieldsOf(block)).toEqual(["Content", "EventId", "TargetId", "TimestampUtc"]);
      expect(entry).toMatchObject({
        TargetId: id,
        EventId: "AddFeatureAsync",
        Content: applied.proposedContents[0],
      });
      expect(entry?.TimestampUtc).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{0,6}[1-9])?Z$/);
    }
    const ticks = (cid: string) => ticksOf(emitted.find((e) => e.cid === cid)?.TimestampUtc as string);
    expect(ticks(first.outcome.entryCids?.[0] as string)).toBeGreaterThan(ticks(named));
    expect(ticks(second.outcome.entryCids?.[0] as string)).toBeGreaterThan(ticks(offline));
    expect(ticks(second.outcome.entryCids?.[0] as string)).toBeLessThan(ticks(ahead));
  });

  it("refuses to finish an apply while its own stream does not resolve, instead of publishing a stream without its earlier entries", async () => {
    const set = await pairedProject("own-stream-lost");
    const first = await approveAndApply(set.id, [{ eventId: "AddFeatureAsync", value: "Dark mode" }]);
    const patch = await proposeValues(pair.contributor, set.id, [
      { eventId: "AddFeatureAsync", value: "Sync" },
    ]);
    const { review } = await reviewPatch({ store: bot().store }, { key: patch.key, limits, dataDir });
    const approved = {
      key: patch.key,
      expectPatchCid: patch.cid.toString(),
      expectResultCid: review.predictedResultCid as string,
      limits,
      dataDir,
    };

    // The process dies right after publishing its stream, before the journal says so: it says `planned`.
    const crash = new Error("power cut");
    const journal = await openFileJournal(dataDir);
    const crashing: ApplyJournal = {
      ...journal,
      put: async (record) => {
        if (record.state === "local-published") throw crash;
        await journal.put(record);
      },
    };
    expect(await applyPatch({ store: bot().store, journal: crashing }, approved).catch((e) => e)).toBe(crash);
    expect((await journal.get(patch.cid.toString()))?.state).toBe("planned");
    const names = async () => ({
      roaming: (await bot().store.resolveName(set.id, { nocache: true }))?.toString(),
      bot: (await bot().store.resolveName(set.botLocalId, { nocache: true }))?.toString(),
    });
    const before = await names();

    // It comes back after more than a day away: its own record has expired, and until Kubo republishes
    // it, the bot's own stream does not resolve. The retry must not start a stream without its entries.
    const refused = await applyPatch(
      { store: nameLost(bot().store, set.botLocalId), journal: await openFileJournal(dataDir) },
      approved,
    ).catch((e) => e);
    expect(refused).toBeInstanceOf(SourceUnreachableError);
    expect((refused as Error).message).toContain(`${set.botLocalId} (this node's own local key)`);
    expect(await names()).toEqual(before);
    expect((await journal.get(patch.cid.toString()))?.state).toBe("planned");

    // Once it resolves again, the retry finishes the apply on top of the first one.
    const outcome = await applyPatch(
      { store: bot().store, journal: await openFileJournal(dataDir) },
      approved,
    );
    expect(outcome.status).toBe("applied");
    const botStream = await dagGetJsonAsCSharpDoes(device.apiUrl, outcome.localStreamCid);
    expect(botStream).toEqual({
      Label: set.label,
      Entries: [first.outcome.entryCids[0], outcome.entryCids[0]].map((cid) => ({ "/": cid })),
    });
    const { replayed } = await readAsDevice(set.id, set.deviceLocalId);
    expect(replayed).toMatchObject({ Name: "Operator Name", Features: ["Dark mode", "Sync"] });
    expect(await dagGetJsonAsCSharpDoes(device.apiUrl, outcome.roamingCid)).toEqual(replayed);
  });

  it("appends a pairing's SourceAdd only to its stream as published, and republishes nothing that misses a device", async () => {
    const set = await pairedProject("pairing-append");
    const first = await approveAndApply(set.id, [{ eventId: "AddFeatureAsync", value: "Dark mode" }]);
    const names = async () => ({
      roaming: (await bot().store.resolveName(set.id, { nocache: true }))?.toString(),
      bot: (await bot().store.resolveName(set.botLocalId, { nocache: true }))?.toString(),
    });
    const before = await names();
    // The new device published its empty stream before sending its id, as KeyExchange's receiver does.
    const newDeviceKey = `pairing-append-new-${Date.now()}`;
    const newDevice = await generateKey(device, newDeviceKey);
    await publishStream(device, newDeviceKey, set.label, []);
    const sourceAdd = [{ targetId: set.id, eventId: SOURCE_ADD_EVENT_ID, content: newDevice }];

    // Its own stream does not resolve: a stream holding the SourceAdd alone would drop the applied entry.
    const ownLost = await appendEntries(
      { store: nameLost(bot().store, set.botLocalId) },
      { target: set.id, entries: sourceAdd },
    ).catch((e) => e);
    expect(ownLost).toBeInstanceOf(SourceUnreachableError);
    expect(await names()).toEqual(before);

    // The owner's device cannot be read: the fold would lose its name, so nothing is published.
    const deviceLost = await appendEntries(
      { store: nameLost(bot().store, set.deviceLocalId) },
      { target: set.id, entries: sourceAdd },
    ).catch((e) => e);
    expect(deviceLost).toBeInstanceOf(SourceUnreachableError);
    expect((deviceLost as Error).message).toContain(set.deviceLocalId);
    expect(await names()).toEqual(before);

    const appended = await appendEntries({ store: bot().store }, { target: set.id, entries: sourceAdd });
    const botStream = await dagGetJsonAsCSharpDoes(device.apiUrl, appended.streamCid.toString());
    expect(botStream).toEqual({
      Label: set.label,
      Entries: [first.outcome.entryCids[0], appended.entryCids[0]?.toString()].map((cid) => ({ "/": cid })),
    });
    const handlerSources = [set.deviceLocalId];
    await resolveEventStreamEntries(device.apiUrl, handlerSources);
    expect(handlerSources).toEqual([set.deviceLocalId, set.botLocalId, newDevice]);
    expect(await dagGetJsonAsCSharpDoes(device.apiUrl, appended.roamingCid.toString())).toMatchObject({
      Name: "Operator Name",
      Features: ["Dark mode"],
      Sources: [set.deviceLocalId],
    });
  });
});
