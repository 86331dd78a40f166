import { encodeBlock } from "../../../src/nomad/block.js";
import type { IpldValue } from "../../../src/nomad/ipld.js";
import type { LoadedEntry } from "../../../src/nomad/modules/types.js";
import { parseTimestamp } from "../../../src/nomad/timestamp.js";

/**
 * Builds loaded entries the way the loader hands them to a fold: content decoded, linked value blocks
 * fetched. Value blocks get their real DAG-CBOR CIDs so role links compare as they would on IPFS.
 */
let clock = parseTimestamp("2025-01-01T00:00:00Z");

export async function entry(
  targetId: string,
  eventId: string,
  content: IpldValue,
  linked: readonly IpldValue[] = [],
  timestampUtc?: string,
): Promise<LoadedEntry> {
  clock += 10_000_000n;
  const ticks = timestampUtc ? parseTimestamp(timestampUtc) : clock;
  const contentBlock = await encodeBlock(content);
  const entryBlock = await encodeBlock({ targetId, eventId, ticks: ticks.toString(), c: contentBlock.cid });
  const links = await Promise.all(
    linked.map(async (value) => [(await encodeBlock(value)).cid.toString(), value] as const),
  );
  return {
    cid: entryBlock.cid,
    entry: {
      targetId,
      eventId,
      timestampUtc: timestampUtc ?? "",
      ticks,
      timestampForm: "utc",
      content: contentBlock.cid,
    },
    content,
    linked: new Map(links),
  };
}

/** A ValueUpdateEvent entry whose Key and Value blocks are loaded. */
export async function valueEntry(
  targetId: string,
  eventId: string,
  value: IpldValue | undefined,
  options: { key?: IpldValue; unset?: boolean } = {},
): Promise<LoadedEntry> {
  const valueCid = value === undefined ? null : (await encodeBlock(value)).cid;
  const keyCid = options.key === undefined ? null : (await encodeBlock(options.key)).cid;
  const linked = [
    ...(value === undefined ? [] : [value]),
    ...(options.key === undefined ? [] : [options.key]),
  ];
  return entry(targetId, eventId, { Key: keyCid, Value: valueCid, Unset: options.unset ?? false }, linked);
}
