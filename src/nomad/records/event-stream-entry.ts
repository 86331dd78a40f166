import type { CID } from "multiformats/cid";
import { expectLink, expectMap, expectNonBlankString, field } from "../shape.js";
import { parseTimestampDetailed, type Ticks, type TimestampForm } from "../timestamp.js";

/** One immutable event: which object (`targetId`), what kind (`eventId`), when, and a link to its content. */
export interface EventStreamEntry {
  readonly targetId: string;
  readonly eventId: string;
  /** The timestamp text exactly as stored, so re-encoding reproduces the block. */
  readonly timestampUtc: string;
  /** The same instant in 100 ns ticks, for ordering. */
  readonly ticks: Ticks;
  /** `utc` unless the writer used an offset or no zone (normalised; worth a warning). */
  readonly timestampForm: TimestampForm;
  readonly content: CID;
}

export function decodeEventStreamEntry(value: unknown, where: string): EventStreamEntry {
  const map = expectMap(value, where, "an EventStreamEntry");
  // The C# resolver guards these three as non-blank; a blank one stops its replay.
  const targetId = expectNonBlankString(map, "TargetId", where);
  const eventId = expectNonBlankString(map, "EventId", where);
  const timestampUtc = map.TimestampUtc;
  const { ticks, form } = parseTimestampDetailed(timestampUtc, field(where, "TimestampUtc"));
  const content = expectLink(map, "Content", where);
  return { targetId, eventId, timestampUtc: timestampUtc as string, ticks, timestampForm: form, content };
}

/** The C# data model of `EventStreamEntry<DagCid>`. */
export function encodeEventStreamEntry(
  entry: Pick<EventStreamEntry, "targetId" | "eventId" | "timestampUtc" | "content">,
) {
  return {
    TargetId: entry.targetId,
    EventId: entry.eventId,
    TimestampUtc: entry.timestampUtc,
    Content: entry.content,
  };
}
