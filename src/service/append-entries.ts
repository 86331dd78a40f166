import type { CID } from "multiformats/cid";
import type { IpfsStore, PublishOptions } from "../ipfs/store.js";
import {
  decodeEventStream,
  decodeEventStreamEntry,
  type EventStream,
  encodeEventStream,
  encodeEventStreamEntry,
  formatTimestamp,
  type IpldValue,
  type IpnsName,
  parseIpnsName,
  type Ticks,
  ticksFromMilliseconds,
} from "../nomad/index.js";
import { findDeviceKeys } from "./find-device-keys.js";
import { type LoadedTarget, type LoadTargetInput, loadTarget } from "./load-target.js";

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
 * Append entries as one of the operator's devices (docs/format.md):
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
