import type { IpfsStore } from "../../../src/ipfs/store.js";
import type { IpldValue } from "../../../src/nomad/index.js";
import {
  type ApiNode,
  generateKey,
  projectValue,
  publish,
  publishStream,
  putJson,
  valueEntry,
} from "../../helpers/csharp-device.js";
import { connect, type KuboNode } from "../../helpers/kubo.js";
import { proposePatch } from "../../helpers/nomad-builders/index.js";

const PREFIX = "WindowsAppCommunity.Sdk.Project";

export interface DeviceSet {
  /** The project's roaming key id. */
  readonly id: string;
  /** The operator's C# device: its local key (on its own node) and what it wrote. */
  readonly device: { readonly localId: string; readonly keyName: string; readonly streamCid: string };
  /** The bot's own local key (on the bot's node, beside the roaming key). */
  readonly botLocalId: string;
  readonly roamingCid: string;
}

/**
 * A WindowsAppCommunity project as C# leaves it after pairing the bot in: the operator's device (a node
 * of its own) holds its local key and a stream with `names` written as `UpdateNameAsync`; the bot's node
 * holds the roaming key (received by pairing), its own local key with an empty stream, and publishes the
 * roaming value `published` (given both local keys). Everything through raw RPC calls in the C# shape.
 */
export async function projectOnTwoDevices(
  bot: ApiNode,
  device: ApiNode,
  spec: {
    readonly knownId: string;
    readonly names: readonly string[];
    readonly published: (keys: { device: string; bot: string }) => Record<string, unknown>;
  },
): Promise<DeviceSet> {
  const roamingName = `${PREFIX}.Roaming.${spec.knownId}`;
  const localName = `${PREFIX}.Local.${spec.knownId}`;
  const id = await generateKey(bot, roamingName);
  const botLocalId = await generateKey(bot, localName);
  const deviceLocalId = await generateKey(device, localName);
  const label = `Project ${spec.knownId}`;
  const entries: string[] = [];
  for (const [i, name] of spec.names.entries()) {
    const timestampUtc = `2025-06-02T08:30:0${i}Z`;
    entries.push(
      await valueEntry(device, { targetId: id, eventId: "UpdateNameAsync", value: name, timestampUtc }),
    );
  }
  const streamCid = await publishStream(device, localName, label, entries);
  await publishStream(bot, localName, label, []);
  const roamingCid = await putJson(bot, spec.published({ device: deviceLocalId, bot: botLocalId }));
  await publish(bot, roamingName, roamingCid);
  return { id, device: { localId: deviceLocalId, keyName: localName, streamCid }, botLocalId, roamingCid };
}

/** The roaming value a C# device publishes for the device's names (the last one wins). */
export function foldedProject(names: readonly string[], sources: readonly string[]) {
  return projectValue({ Sources: sources, Name: names.at(-1) ?? "" });
}

/** A contributor's patch of ValueUpdateEvent entries (values in their own blocks), against `target`. */
export async function proposeValues(
  contributor: KuboNode,
  target: string,
  entries: readonly { readonly eventId: string; readonly value: IpldValue }[],
) {
  return proposePatch(contributor, {
    target,
    title: "Add a feature",
    description: "Please",
    entries: await Promise.all(
      entries.map(async (e) => ({
        eventId: e.eventId,
        content: { Key: null, Value: await contributor.store.dagPut(e.value), Unset: false },
      })),
    ),
  });
}

/**
 * The device goes away for longer than its record lives: its last record gets a one-second lifetime, it
 * stops, and the bot's node waits until the name no longer resolves (the record expired). Kubo raises
 * the record's sequence number only when the value changes, and between equal sequence numbers the
 * later expiry wins, so the short-lived record is made the newest by publishing another value first.
 */
export async function takeDeviceOffline(device: KuboNode, set: DeviceSet, bot: KuboNode): Promise<void> {
  const other = await putJson(device, { Label: "going offline", Entries: [] });
  await publish(device, set.device.keyName, other, "1s");
  await publish(device, set.device.keyName, set.device.streamCid, "1s");
  await device.kill();
  for (let attempt = 0; attempt < 100; attempt++) {
    const resolved = await bot.store.resolveName(set.device.localId, { nocache: true, timeoutMs: 5_000 });
    if (resolved === undefined) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`The device's key ${set.device.localId} still resolves after its record expired`);
}

/** The device comes back: its node restarts, reconnects and republishes its stream (as Kubo's republisher does). */
export async function bringDeviceBack(device: KuboNode, set: DeviceSet, bot: KuboNode): Promise<KuboNode> {
  const back = await device.restart();
  await connect(bot, back);
  await publish(back, set.device.keyName, set.device.streamCid);
  return back;
}

/** What every key involved points at, to show that a refused apply wrote nothing. */
export async function keyState(
  store: IpfsStore,
  set: DeviceSet,
): Promise<Record<string, string | undefined>> {
  const read = async (name: string) => (await store.resolveName(name, { nocache: true }))?.toString();
  return {
    roaming: await read(set.id),
    bot: await read(set.botLocalId),
    device: await read(set.device.localId),
  };
}
