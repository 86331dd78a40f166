import type { CID } from "multiformats/cid";
import { UsageError } from "../errors.js";
import type { IpfsStore, IpnsKey, PublishOptions } from "../ipfs/store.js";
import {
  decodeEventStream,
  decodeEventStreamEntry,
  type EventStream,
  encodeEventStream,
  encodeEventStreamEntry,
  formatTimestamp,
  type IpldValue,
  type IpnsName,
  localKeyNameFor,
  moduleByName,
  type NomadModule,
  nomadKeyNames,
  parseIpnsName,
  type Ticks,
  ticksFromMilliseconds,
} from "../nomad/index.js";
import { type LoadedTarget, type LoadTargetInput, loadTarget } from "./load-target.js";

export interface DeviceKeys {
  readonly local: IpnsKey;
  readonly roaming: IpnsKey;
}

export interface CreatedObject {
  readonly keys: DeviceKeys;
  readonly streamCid: CID;
  readonly roamingCid: CID;
}

/**
 * Create a Nomad object with this node as its first device:
 * 1. generate `{prefix}.Local.{name}` and `{prefix}.Roaming.{name}` (Ed25519);
 * 2. put and publish an empty local stream;
 * 3. put and publish the module's seed, `Sources: [local id]`; pin both.
 */
export async function createNomadObject(
  deps: { readonly store: IpfsStore },
  input: { readonly module: NomadModule | string; readonly name?: string; readonly publish?: PublishOptions },
): Promise<CreatedObject> {
  const { store } = deps;
  const module = typeof input.module === "string" ? moduleByName(input.module) : input.module;
  const names = nomadKeyNames(module.keyPrefix, input.name);
  const local = await store.generateKey(names.local);
  const roaming = await store.generateKey(names.roaming);
  const streamCid = await store.dagPut(
    encodeEventStream({ label: module.streamLabel(input.name ?? ""), entries: [] }),
    { pin: true },
  );
  await store.publishName(local.name, streamCid, { lifetime: "24h", ...input.publish });
  const seed = module.seed({
    id: parseIpnsName(roaming.id),
    sources: [parseIpnsName(local.id)],
    name: input.name,
  });
  const roamingCid = await store.dagPut(seed, { pin: true });
  await store.publishName(roaming.name, roamingCid, { lifetime: "24h", ...input.publish });
  return { keys: { local, roaming }, streamCid, roamingCid };
}

/** A new entry: its content as data (put here) or as a block that already exists (a patch's content link). */
export type NewEntry = { readonly targetId: string; readonly eventId: string } & (
  | { readonly content: IpldValue }
  | { readonly contentCid: CID }
);

export interface AppendInput extends Omit<LoadTargetInput, "knownStreams" | "now"> {
  readonly entries: readonly NewEntry[];
  /** The clock, injectable for tests; timestamps are forced strictly increasing whatever it says. */
  readonly now?: () => Ticks;
  readonly publish?: PublishOptions;
}

export interface AppendResult {
  readonly entryCids: CID[];
  readonly timestamps: string[];
  readonly streamCid: CID;
  readonly roamingCid: CID;
  readonly loaded: LoadedTarget;
}

/**
 * Append entries as one of the operator's devices (nomad-format §2.2, §3.3):
 * 1. find this node's roaming and local keys for the target;
 * 2. read its own local stream and the timestamp of its last entry;
 * 3. per entry: put the content, then the entry (timestamps strictly increasing), pinned;
 * 4. put the stream with the new links and publish the local key;
 * 5. fold the target from all sources, put the roaming value, publish the roaming key.
 */
export async function appendEntries(
  deps: { readonly store: IpfsStore },
  input: AppendInput,
): Promise<AppendResult> {
  const { store } = deps;
  const clock = input.now ?? (() => ticksFromMilliseconds(Date.now()));
  const keys = await findDeviceKeys(store, input.target);
  const localId = parseIpnsName(keys.local.id);
  const { stream, lastTicks } = await readOwnStream(store, localId, input.resolve);

  const entryCids: CID[] = [];
  const timestamps: string[] = [];
  let previous = lastTicks;
  for (const entry of input.entries) {
    const content =
      "contentCid" in entry ? entry.contentCid : await store.dagPut(entry.content, { pin: true });
    if ("contentCid" in entry) await store.pin(content);
    const now = clock();
    const ticks = previous !== undefined && now <= previous ? previous + 1n : now;
    previous = ticks;
    const timestampUtc = formatTimestamp(ticks);
    const encoded = encodeEventStreamEntry({
      targetId: entry.targetId,
      eventId: entry.eventId,
      timestampUtc,
      content,
    });
    entryCids.push(await store.dagPut(encoded, { pin: true }));
    timestamps.push(timestampUtc);
  }

  const next: EventStream = {
    label: stream?.label ?? "",
    entries: [...(stream?.entries ?? []), ...entryCids],
  };
  const streamCid = await store.dagPut(encodeEventStream(next), { pin: true });
  await store.publishName(keys.local.name, streamCid, { lifetime: "24h", ...input.publish });

  const loaded = await loadTarget(deps, {
    ...input,
    now: previous !== undefined && previous > clock() ? previous : clock(),
    knownStreams: new Map([[localId, streamCid]]),
  });
  const roamingCid = await store.dagPut(loaded.state, { pin: true });
  await store.publishName(keys.roaming.name, roamingCid, { lifetime: "24h", ...input.publish });
  return { entryCids, timestamps, streamCid, roamingCid, loaded };
}

/** This node's keys for a target: the roaming key with that id and its `.Local.` partner. */
export async function findDeviceKeys(store: IpfsStore, target: string): Promise<DeviceKeys> {
  const targetId = parseIpnsName(target, "target");
  const keys = await store.listKeys();
  const roaming = keys.find((k) => safeName(k.id) === targetId);
  if (!roaming)
    throw new UsageError(`This node does not hold the roaming key ${targetId}, so it cannot write to it`);
  const localName = localKeyNameFor(roaming.name);
  const local = localName ? keys.find((k) => k.name === localName) : undefined;
  if (!local) {
    throw new UsageError(
      `This node holds the roaming key ${roaming.name} but no local key ${localName ?? "(no .Roaming. in its name)"}`,
    );
  }
  return { local, roaming };
}

async function readOwnStream(store: IpfsStore, localId: IpnsName, resolve: LoadTargetInput["resolve"]) {
  const cid = await store.resolveName(localId, { nocache: true, ...resolve });
  if (!cid) return { stream: undefined, lastTicks: undefined };
  const stream = decodeEventStream(await store.dagGet(cid), cid.toString());
  const last = stream.entries.at(-1);
  const lastTicks = last
    ? decodeEventStreamEntry(await store.dagGet(last), last.toString()).ticks
    : undefined;
  return { stream, lastTicks };
}

function safeName(id: string): string | undefined {
  try {
    return parseIpnsName(id);
  } catch {
    return undefined;
  }
}
