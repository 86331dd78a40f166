import type { CID } from "multiformats/cid";
import type { KuboStore } from "../../src/ipfs/kubo-store.js";
import {
  type EncodedBlock,
  encodeBlock,
  encodeEventStream,
  encodeEventStreamEntry,
  encodeValueUpdateEvent,
  formatTimestamp,
  parseIpnsName,
  ticksFromMilliseconds,
  wacProjectModule,
} from "../../src/nomad/index.js";
import { createNomadObject } from "../../src/service/create-nomad-object.js";
import { loadTarget } from "../../src/service/load-target.js";
import { withLocalBlocks } from "./local-blocks.js";

export interface WrittenTarget {
  readonly id: string;
  readonly roamingCid: CID;
  readonly blocks: number;
}

/** Bench nodes are a private loopback pair: publish even when the DHT has nobody else to tell. */
export const benchPublish = { allowOffline: true, lifetime: "24h" } as const;

/** One history entry: mostly field updates, every tenth a feature appended, as a busy project looks. */
export function historyEvent(i: number): { eventId: string; value: string } {
  return i % 10 === 0
    ? { eventId: "AddFeatureAsync", value: `feature ${i}` }
    : { eventId: "UpdateDescriptionAsync", value: `description revision ${i}` };
}

/**
 * A WindowsAppCommunity project whose one device holds `entries` entries, written fast: every
 * value, content and entry block is encoded here and stored in one CAR import instead of one
 * `appendEntries` per entry, then the stream is published once and the fold published as the
 * roaming value — the same blocks and names the C# SDK would leave.
 */
export async function writeProjectHistory(
  store: KuboStore,
  spec: { readonly name: string; readonly entries: number },
): Promise<WrittenTarget> {
  const created = await createNomadObject(
    { store },
    { module: wacProjectModule, name: spec.name, publish: benchPublish },
  );
  const target = created.keys.roaming.id;
  const start = ticksFromMilliseconds(Date.UTC(2024, 0, 1));
  const blocks: EncodedBlock[] = [];
  const entryCids: CID[] = [];
  for (let i = 0; i < spec.entries; i++) {
    const { eventId, value } = historyEvent(i);
    const valueBlock = await encodeBlock(value);
    const content = await encodeBlock(
      encodeValueUpdateEvent({ key: null, value: valueBlock.cid, unset: false }),
    );
    const timestampUtc = formatTimestamp(start + BigInt(i) * 10_000_000n);
    const entry = await encodeBlock(
      encodeEventStreamEntry({ targetId: target, eventId, timestampUtc, content: content.cid }),
    );
    blocks.push(valueBlock, content, entry);
    entryCids.push(entry.cid);
  }
  const stream = await encodeBlock(
    encodeEventStream({ label: wacProjectModule.streamLabel(spec.name), entries: entryCids }),
  );
  blocks.push(stream);
  // One CAR import instead of one request per block: the set-up is not what is measured.
  // 30,000 blocks in one request: on a loaded machine the default bound of one call (30 s) is not enough.
  await store.importBlocks(blocks, { timeoutMs: 300_000 });
  await store.publishName(created.keys.local.name, stream.cid, benchPublish);
  const loaded = await loadTarget(
    { store: withLocalBlocks(store, blocks) },
    {
      target,
      knownStreams: new Map([[parseIpnsName(created.keys.local.id), stream.cid]]),
      concurrency: 32,
    },
  );
  const roamingCid = await store.dagPut(loaded.state);
  await store.publishName(created.keys.roaming.name, roamingCid, benchPublish);
  return { id: target, roamingCid, blocks: blocks.length + 2 };
}
