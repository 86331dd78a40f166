import type { CID } from "multiformats/cid";
import type { IpfsStore } from "../ipfs/store.js";
import {
  encodeEventStreamEntry,
  formatTimestamp,
  type IpldValue,
  type Ticks,
  ticksFromMilliseconds,
} from "../nomad/index.js";

/** One entry to propose, in the target's module: content as data (put here) or a block that exists. */
export type EntryDraft = { readonly targetId: string; readonly eventId: string } & (
  | { readonly content: IpldValue }
  | { readonly contentCid: CID }
);

/**
 * Put proposed entries on the contributor's node, as ordinary EventStreamEntry blocks (docs/design.md §3): content
 * first, then the entry, both pinned so the node keeps serving them until the bot has fetched them.
 * They go into no stream: the patch request links them. Timestamps are the authoring time, strictly
 * increasing so the order is the authoring order; apply writes fresh ones.
 */
export async function putProposedEntries(
  store: IpfsStore,
  drafts: readonly EntryDraft[],
  now: () => Ticks = () => ticksFromMilliseconds(Date.now()),
): Promise<CID[]> {
  const cids: CID[] = [];
  let previous: Ticks | undefined;
  for (const draft of drafts) {
    const content =
      "contentCid" in draft ? draft.contentCid : await store.dagPut(draft.content, { pin: true });
    const clock = now();
    const ticks = previous !== undefined && clock <= previous ? previous + 1n : clock;
    previous = ticks;
    const entry = encodeEventStreamEntry({
      targetId: draft.targetId,
      eventId: draft.eventId,
      timestampUtc: formatTimestamp(ticks),
      content,
    });
    cids.push(await store.dagPut(entry, { pin: true }));
  }
  return cids;
}
