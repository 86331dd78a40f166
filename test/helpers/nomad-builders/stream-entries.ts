import {
  decodeEventStream,
  decodeEventStreamEntry,
  type IpldValue,
  parseIpnsName,
} from "../../../src/nomad/index.js";
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
  const id = parseIpnsName(target, "target");
  const keys = await store.listKeys();
  const roaming = keys.find((k) => k.id === id);
  const local = roaming && keys.find((k) => k.name === roaming.name.replace(".Roaming", ".Local"));
  if (!local) throw new Error(`The node holds no device keys for ${id}`);
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
