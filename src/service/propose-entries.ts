import type { CID } from "multiformats/cid";
import type { IpfsStore } from "../ipfs/store.js";
import {
  decodeEventStreamEntry,
  type EncodedBlock,
  type EventStreamEntry,
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

/** Proposed entries encoded but not yet written: what a check before writing reads. */
export interface EncodedEntries {
  /** The entries, in authoring order, as any reader decodes them. */
  readonly entries: readonly { readonly cid: CID; readonly entry: EventStreamEntry }[];
  /** Content blocks made here, by CID string (content named by `contentCid` is on the node already). */
  readonly contents: ReadonlyMap<string, IpldValue>;
  /** Every block to write: content, then entries. */
  readonly blocks: readonly EncodedBlock[];
}

/**
 * Proposed entries as ordinary EventStreamEntry blocks (docs/design.md §3), encoded without any I/O.
 * Timestamps are the authoring time, strictly increasing so the order is the authoring order; apply
 * writes fresh ones.
 */
export async function encodeProposedEntries(
  drafts: readonly EntryDraft[],
  now: () => Ticks = () => ticksFromMilliseconds(Date.now()),
): Promise<EncodedEntries> {
  const entries: { cid: CID; entry: EventStreamEntry }[] = [];
  const contents = new Map<string, IpldValue>();
  const blocks: EncodedBlock[] = [];
  let previous: Ticks | undefined;
  for (const draft of drafts) {
    let content: CID;
    if ("contentCid" in draft) content = draft.contentCid;
    else {
      const block = await encodeBlock(draft.content);
      blocks.push(block);
      contents.set(block.cid.toString(), draft.content);
      content = block.cid;
    }
    const clock = now();
    const ticks = previous !== undefined && clock <= previous ? previous + 1n : clock;
    previous = ticks;
    const value = encodeEventStreamEntry({
      targetId: draft.targetId,
      eventId: draft.eventId,
      timestampUtc: formatTimestamp(ticks),
      content,
    });
    const block = await encodeBlock(value);
    blocks.push(block);
    entries.push({ cid: block.cid, entry: decodeEventStreamEntry(value, block.cid.toString()) });
  }
  return { entries, contents, blocks };
}

/**
 * Put proposed entries on the contributor's node, in one `dag/import`. They go into no stream: the patch
 * request links them (its AddEntry events), and its stream, pinned recursively as it is written, keeps
 * them on the node until the bot has fetched them.
 */
export async function putProposedEntries(
  store: IpfsStore,
  drafts: readonly EntryDraft[] | EncodedEntries,
  now?: () => Ticks,
): Promise<CID[]> {
  const encoded = "blocks" in drafts ? drafts : await encodeProposedEntries(drafts, now);
  // One request instead of two pinned puts per entry.
  await store.importBlocks(encoded.blocks);
  return encoded.entries.map((e) => e.cid);
}
