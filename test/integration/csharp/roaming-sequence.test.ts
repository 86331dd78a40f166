import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openFileJournal } from "../../../src/service/apply-journal.js";
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
import { orderAsRepository, replayProject, resolveEventStreamEntries } from "./csharp-reader.js";

const limits = CSHARP_TEST_LIMITS;
const PREFIX = PROJECT_PREFIX;

/** What a node's `name/resolve` answers, asking the network (`nocache`, as the C# CLI does). */
async function resolvedOn(node: KuboNode, name: string): Promise<string> {
  const response = await fetch(
    `${node.apiUrl}/api/v0/name/resolve?arg=/ipns/${name}&recursive=true&nocache=true`,
    { method: "POST" },
  );
  return ((await response.json()) as { Path: string }).Path.replace(/^\/ipfs\//, "");
}

/**
 * The roaming key is held by several writers: the owner's C# device, which made the object, and the bot,
 * which received the key by pairing. Each node's Kubo numbers its own records (the last one it published,
 * plus one), and among records of one name the highest sequence wins, then the later expiry. A C# device
 * publishes with Kubo's own numbering (OwlCore.Nomad.Kubo:src/Extensions/NomadKuboEventStreamHandlerExtensions.cs
 * `PublishRoamingAsync` → net-ipfs-http-client NameApi.PublishAsync, no sequence), after every change.
 */
describe("the roaming value's IPNS record among the owner's writers", () => {
  let pair: BotAndDevice["pair"];
  let device: KuboNode;
  let dataDir: string;
  const bot = () => pair.operator;

  beforeAll(async () => {
    ({ pair, device, dataDir } = await startBotAndDevice("roaming-sequence", { connectContributor: true }));
  });
  afterAll(() => stopBotAndDevice({ pair, device, dataDir }));

  /**
   * A project the owner's C# device made, which paired the bot in: the bot imported the roaming key and
   * republished what it resolved (KeyExchange.cs `ReceiveRoamingKeyAsync`), made its local key, and the
   * device added that key as a source. `deviceRenames` is the device changing the name and flushing as C#
   * does: its stream, then its own replay under the roaming key.
   */
  async function pairedByDevice(name: string) {
    const roamingName = `${PREFIX}.Roaming.${name}`;
    const localName = `${PREFIX}.Local.${name}`;
    const label = `Project ${name}`;
    // The device makes the project and publishes it.
    const id = await generateKey(device, roamingName);
    const deviceLocalId = await generateKey(device, localName);
    const deviceEntries = [
      await valueEntry(device, {
        targetId: id,
        eventId: "UpdateNameAsync",
        value: "First",
        timestampUtc: "2025-06-02T08:30:00Z",
      }),
    ];
    await publishStream(device, localName, label, deviceEntries);
    await publish(
      device,
      roamingName,
      await putJson(device, projectValue({ Sources: [deviceLocalId], Name: "First" })),
    );

    // It pairs the bot: the bot imports the roaming key and republishes what it resolves (KeyExchange.cs
    // `ReceiveRoamingKeyAsync`), makes its local key, and the device adds that key as a source.
    await bot().store.importKey(roamingName, await device.store.exportKey(roamingName));
    const botLocalId = await generateKey(bot(), localName);
    await publishStream(bot(), localName, label, []);
    const received = await bot().store.resolveName(id, { nocache: true });
    await bot().store.publishName(roamingName, received as NonNullable<typeof received>, { lifetime: "24h" });
    deviceEntries.push(
      await putJson(device, {
        TargetId: id,
        EventId: "NomadEventStreamSourceAddEvent",
        TimestampUtc: "2025-06-02T08:31:00Z",
        Content: { "/": await putJson(device, botLocalId) },
      }),
    );

    /** The device changes the name and flushes: its stream, then its replay under the roaming key. */
    const deviceRenames = async (name: string) => {
      deviceEntries.push(
        await valueEntry(device, {
          targetId: id,
          eventId: "UpdateNameAsync",
          value: name,
          timestampUtc: newtonsoftUtc(),
        }),
      );
      await publishStream(device, localName, label, deviceEntries);
      const handlerSources = [deviceLocalId];
      const ordered = orderAsRepository(await resolveEventStreamEntries(device.apiUrl, handlerSources), id);
      const replayed = await replayProject(
        device.apiUrl,
        projectValue({ Sources: [deviceLocalId] }),
        ordered,
      );
      const cid = await putJson(device, replayed);
      await publish(device, roamingName, cid);
      return { cid, replayed };
    };
    return { id, roamingName, deviceRenames };
  }

  it("the bot's apply wins over a device that published more often, and the device's next publish wins again", async () => {
    const { id, deviceRenames } = await pairedByDevice("sequence");
    // The owner keeps working on the device, which publishes after each change: its records' sequence
    // numbers run ahead of the one record the bot's node published.
    await deviceRenames("Second");
    await deviceRenames("Third");
    await deviceRenames("Fourth");

    const patch = await proposeValues(pair.contributor, id, [
      { eventId: "AddFeatureAsync", value: "Dark mode" },
    ]);
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
    // What every reader now finds under the roaming key is the value the apply published: the device's
    // own node, and a node that holds no key (a website reading the project).
    expect(await resolvedOn(device, id)).toBe(outcome.roamingCid);
    expect(await resolvedOn(pair.contributor, id)).toBe(outcome.roamingCid);

    // The device's next change, published the C# way after the apply, is what readers find next.
    await new Promise((resolve) => setTimeout(resolve, 10));
    const next = await deviceRenames("Fifth");
    expect(next.replayed).toMatchObject({ Name: "Fifth", Features: ["Dark mode"] });
    expect(await resolvedOn(pair.contributor, id)).toBe(next.cid);
    expect(await resolvedOn(bot(), id)).toBe(next.cid);
  });

  it("a device that publishes while the bot applies is not dropped from the roaming value", async () => {
    const { id, roamingName, deviceRenames } = await pairedByDevice("race");
    const patch = await proposeValues(pair.contributor, id, [{ eventId: "AddFeatureAsync", value: "Sync" }]);
    const { review } = await reviewPatch({ store: bot().store }, { key: patch.key, limits, dataDir });
    expect(review.blockers ?? []).toEqual([]);

    // The owner renames the project on the device after the bot has folded the sources for its roaming
    // value and before it publishes it: the device publishes its stream, then its own replay (which holds
    // the bot's entry: the bot's stream went out first).
    let raced: Awaited<ReturnType<typeof deviceRenames>> | undefined;
    const racing = new Proxy(bot().store, {
      get(target, property) {
        if (property === "publishName") {
          return async (...args: Parameters<typeof target.publishName>) => {
            if (args[0] === roamingName && raced === undefined)
              raced = await deviceRenames("Renamed meanwhile");
            return target.publishName(...args);
          };
        }
        const value = Reflect.get(target, property, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const outcome = await applyPatch(
      { store: racing, journal: await openFileJournal(dataDir) },
      {
        key: patch.key,
        expectPatchCid: patch.cid.toString(),
        expectResultCid: review.predictedResultCid as string,
        limits,
        dataDir,
      },
    );
    expect(outcome.status).toBe("applied");
    expect(raced?.replayed).toMatchObject({ Name: "Renamed meanwhile", Features: ["Sync"] });

    // What readers find holds both: the bot's feature and the device's new name.
    const published = await resolvedOn(pair.contributor, id);
    expect(published).toBe(outcome.roamingCid);
    expect(await dagGetJsonAsCSharpDoes(pair.contributor.apiUrl, published)).toEqual(raced?.replayed);
  });
});
