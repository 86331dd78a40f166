import type { CID } from "multiformats/cid";
import { DecodeError, InternalError } from "../../errors.js";
import { type IpldMap, type IpldValue, ipldEqual } from "../ipld.js";
import type { EventStreamEntry } from "../records/event-stream-entry.js";
import { decodeValueUpdateEvent, type ValueUpdateEvent } from "../records/value-update-event.js";
import { describe, expectMap } from "../shape.js";
import type { LoadedEntry } from "./types.js";

/**
 * Helpers for modules whose entries carry a `ValueUpdateEvent`: reading the event and the small value
 * blocks its `Key` and `Value` link to (loaded beforehand, see `linksToLoad`).
 */
export function valueUpdateOf(entry: LoadedEntry): ValueUpdateEvent {
  // The location (the content's CID as text) only goes into an error, and building it for every entry
  // of a fold was a tenth of the fold's time: decode first, and name the block only when that fails.
  // Decoding is pure, so the second attempt throws the same error, with the location.
  try {
    return decodeValueUpdateEvent(entry.content, "");
  } catch {
    return decodeValueUpdateEvent(entry.content, entry.entry.content.toString());
  }
}

/** Both links of a ValueUpdateEvent, for `NomadModule.linksToLoad`. */
export function valueUpdateLinks(_entry: EventStreamEntry, content: IpldValue): CID[] {
  const event = decodeValueUpdateEvent(content, "content");
  return [event.key, event.value].filter((cid): cid is CID => cid !== null);
}

function linkedBlock(entry: LoadedEntry, cid: CID): IpldValue {
  const block = entry.linked.get(cid.toString());
  if (block === undefined)
    throw new InternalError(`Block ${cid} of entry ${entry.cid} was not loaded before folding`);
  return block;
}

/** The block `Value` (or `Key`) links to; a missing link is an error where the C# code guards against null. */
export function requiredBlock(entry: LoadedEntry, which: "Key" | "Value"): { cid: CID; block: IpldValue } {
  const event = valueUpdateOf(entry);
  const cid = which === "Key" ? event.key : event.value;
  if (!cid)
    throw new DecodeError(
      `${entry.entry.eventId} needs a ${which}, got null`,
      `${entry.entry.content}/${which}`,
    );
  return { cid, block: linkedBlock(entry, cid) };
}

export function requiredString(entry: LoadedEntry, which: "Key" | "Value"): string {
  const { cid, block } = requiredBlock(entry, which);
  if (typeof block !== "string")
    throw new DecodeError(`Expected a string value block, got ${describe(block)}`, cid.toString());
  return block;
}

export function requiredBool(entry: LoadedEntry, which: "Key" | "Value"): boolean {
  const { cid, block } = requiredBlock(entry, which);
  if (typeof block !== "boolean")
    throw new DecodeError(`Expected a true/false value block, got ${describe(block)}`, cid.toString());
  return block;
}

export function requiredRecord(
  entry: LoadedEntry,
  which: "Key" | "Value",
  what: string,
): { cid: CID; record: IpldMap } {
  const { cid, block } = requiredBlock(entry, which);
  return { cid, record: expectMap(block, cid.toString(), what) };
}

/** `[.. list.Except([item])]`: LINQ `Except` also drops duplicates among the items that stay. */
export function except(list: readonly IpldValue[], item: IpldValue): IpldValue[] {
  const kept: IpldValue[] = [];
  for (const candidate of list) {
    if (ipldEqual(candidate, item) || kept.some((k) => ipldEqual(k, candidate))) continue;
    kept.push(candidate);
  }
  return kept;
}

/** `list.Where(x => x != item)`: every equal item goes, duplicates of others stay. */
export function without(list: readonly IpldValue[], item: IpldValue): IpldValue[] {
  return list.filter((candidate) => !ipldEqual(candidate, item));
}

export function listField(state: IpldMap, key: string): readonly IpldValue[] {
  const value = state[key];
  if (!Array.isArray(value))
    throw new DecodeError(`Expected an array in the state, got ${describe(value)}`, key);
  return value;
}
