import type { CID } from "multiformats/cid";
import type { IpfsStore, IpnsKey, PublishOptions } from "../ipfs/store.js";
import {
  crawlSources,
  createLimiter,
  type EncodedBlock,
  type EventStream,
  encodeBlock,
  encodeEventStream,
  encodeEventStreamEntry,
  encodeValueUpdateEvent,
  foldFromSeed,
  formatTimestamp,
  type IpldMap,
  type IpnsName,
  loadEntries,
  orderEntries,
  parseIpnsName,
  type Ticks,
  ticksFromMilliseconds,
} from "../nomad/index.js";
import { PatchRequestEventIds as E, patchRequestModule } from "../patch-request/patch-request-module.js";
import { defaultCrawlLimits } from "./load-target.js";
import { nomadFetchers } from "./nomad-fetchers.js";

/** One change to a patch request, as its own event stream records it (docs/design.md §3). */
export type PatchEvent =
  | { readonly kind: "target" | "title" | "description"; readonly value: string }
  | { readonly kind: "base"; readonly value: CID | null }
  | { readonly kind: "add-entry" | "remove-entry"; readonly value: CID };

export interface PatchRequestKeys {
  readonly local: IpnsKey;
  readonly roaming: IpnsKey;
}

export interface WrittenPatchEvents {
  readonly streamCid: CID;
  readonly roamingCid: CID;
  readonly state: IpldMap;
}

/**
 * Write patch-request events as one of the contributor's devices:
 * 1. per event: put the ValueUpdateEvent (strings as their own blocks, Base and entries as direct links)
 *    and its EventStreamEntry, timestamps strictly increasing;
 * 2. put the local stream with the new links appended and publish the local key;
 * 3. crawl the sources (this device, the roaming hint, and any they added), fold with the PatchRequest
 *    module from its seed, put the roaming value and publish the roaming key.
 * The module is not in the target registry (a patch request is never a target), so this folds it here.
 */
export async function writePatchEvents(
  store: IpfsStore,
  input: {
    readonly keys: PatchRequestKeys;
    readonly label: string;
    readonly previous?: { readonly stream: EventStream; readonly hint: readonly IpnsName[] };
    readonly events: readonly PatchEvent[];
    readonly publish?: PublishOptions;
    readonly now?: () => Ticks;
  },
): Promise<WrittenPatchEvents> {
  const clock = input.now ?? (() => ticksFromMilliseconds(Date.now()));
  const id = parseIpnsName(input.keys.roaming.id);
  const localId = parseIpnsName(input.keys.local.id);
  const publish = { lifetime: "24h", ...input.publish };

  const cids: CID[] = [];
  const blocks: EncodedBlock[] = [];
  let previous: Ticks | undefined;
  for (const event of input.events) {
    const content = await encodeBlock(await eventContent(event, blocks));
    const now = clock();
    previous = previous !== undefined && now <= previous ? previous + 1n : now;
    const entry = await encodeBlock(
      encodeEventStreamEntry({
        targetId: id,
        eventId: eventIdOf(event),
        timestampUtc: formatTimestamp(previous),
        content: content.cid,
      }),
    );
    blocks.push(content, entry);
    cids.push(entry.cid);
  }
  const stream: EventStream = {
    label: input.previous?.stream.label ?? input.label,
    entries: [...(input.previous?.stream.entries ?? []), ...cids],
  };
  // The events in one import instead of two pinned puts each; then the stream, put and pinned as before:
  // its recursive pin keeps the events, their values and the entries they add. Not the import's own pin:
  // that walks the whole DAG at once, into the base and the proposed content, which need not all be here
  // (hostile/entries.test.ts: content Kubo cannot parse fails it, where `dag put --pin` does not).
  await store.importBlocks(blocks);
  const streamCid = await store.dagPut(encodeEventStream(stream), { pin: true });
  await store.publishName(input.keys.local.name, streamCid, publish);

  const hint = input.previous?.hint ?? [localId];
  const limit = createLimiter(8);
  const crawl = await crawlSources([...new Set([localId, ...hint])], {
    fetchers: nomadFetchers(store, { knownStreams: new Map([[localId, streamCid]]) }),
    limits: defaultCrawlLimits,
    limit,
  });
  const latest = previous !== undefined && previous > clock() ? previous : clock();
  const { ordered } = orderEntries(crawl.entries, latest);
  const loaded = await loadEntries(ordered, patchRequestModule, (cid) => store.dagGet(cid), limit);
  const { state } = await foldFromSeed(patchRequestModule, { id, sources: hint }, loaded, {
    rootId: id,
    sources: crawl.sources,
  });
  const roamingCid = await store.dagPut(state, { pin: true });
  await store.publishName(input.keys.roaming.name, roamingCid, publish);
  return { streamCid, roamingCid, state };
}

function eventIdOf(event: PatchEvent): string {
  const ids = {
    target: E.updateTarget,
    title: E.updateTitle,
    description: E.updateDescription,
    base: E.updateBase,
    "add-entry": E.addEntry,
    "remove-entry": E.removeEntry,
  } as const;
  return ids[event.kind];
}

/**
 * Strings are linked value blocks (as the SDK writes names, added to `blocks`); Base and entries link the
 * block itself.
 */
async function eventContent(event: PatchEvent, blocks: EncodedBlock[]) {
  if (typeof event.value === "string") {
    const value = await encodeBlock(event.value);
    blocks.push(value);
    return encodeValueUpdateEvent({ key: null, value: value.cid, unset: false });
  }
  if (event.value === null) return encodeValueUpdateEvent({ key: null, value: null, unset: true });
  return encodeValueUpdateEvent({ key: null, value: event.value, unset: false });
}
