import { decodeEventStream, decodeEventStreamEntry, type IpldValue } from "../../../src/nomad/index.js";
import { findDeviceKeys } from "../../../src/service/find-device-keys.js";
import type { NodeLike } from "./node.js";

export interface StreamEntryView {
  readonly cid: string;
  readonly targetId: string;
  readonly eventId: string;
  readonly timestampUtc: string;
  readonly content: IpldValue;
}

/** The entries of `node`'s own local stream for `target` (the device's `.Local.` key), content decoded. */
export async function readStreamEntries(node: NodeLike, target: string): Promise<StreamEntryView[]> {
  const { store } = node;
  const { local } = await findDeviceKeys(store, target);
  // Kubo may answer a resolve of a name it publishes from a cache; a test wants the latest record.
  const streamCid = await store.resolveName(local.id, { nocache: true });
  if (!streamCid) throw new Error(`The local key ${local.id} does not resolve`);
  const stream = decodeEventStream(await store.dagGet(streamCid), streamCid.toString());
  return Promise.all(
    stream.entries.map(async (cid) => {
      const entry = decodeEventStreamEntry(await store.dagGet(cid), cid.toString());
      return {
        cid: cid.toString(),
        targetId: entry.targetId,
        eventId: entry.eventId,
        timestampUtc: entry.timestampUtc,
        content: (await store.dagGet(entry.content)) as IpldValue,
      };
    }),
  );
}
