import type { CID } from "multiformats/cid";
import type { IpfsStore } from "../ipfs/store.js";
import {
  type EncodedBlock,
  encodeBlock,
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
 * Put proposed entries on the contributor's node, as ordinary EventStreamEntry blocks (docs/design.md §3):
 * content and entries encoded here and written in one `dag/import`. They go into no stream: the patch
 * request links them (its AddEntry events), and its stream, pinned recursively as it is written, keeps
 * them on the node until the bot has fetched them. Timestamps are the authoring time, strictly
 * increasing so the order is the authoring order; apply writes fresh ones.
 */
export async function putProposedEntries(
  store: IpfsStore,
  drafts: readonly EntryDraft[],
  now: () => Ticks = () => ticksFromMilliseconds(Date.now()),
): Promise<CID[]> {
  const cids: CID[] = [];
  const blocks: EncodedBlock[] = [];
  let previous: Ticks | undefined;
  for (const draft of drafts) {
    let content: CID;
    if ("contentCid" in draft) content = draft.contentCid;
    else {
      const block = await encodeBlock(draft.content);
      blocks.push(block);
      content = block.cid;
    }
    const clock = now();
    const ticks = previous !== undefined && clock <= previous ? previous + 1n : clock;
    previous = ticks;
    const entry = await encodeBlock(
      encodeEventStreamEntry({
        targetId: draft.targetId,
        eventId: draft.eventId,
        timestampUtc: formatTimestamp(ticks),
        content,
      }),
    );
    blocks.push(entry);
    cids.push(entry.cid);
  }
  // One request instead of two pinned puts per entry.
  await store.importBlocks(blocks);
  return cids;
}
