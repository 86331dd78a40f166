import type { CID } from "multiformats/cid";
import { DecodeError } from "../../errors.js";
import { asLink, describe, expectArray, expectMap, expectString, field } from "../shape.js";

/** What a device's local IPNS key points at: its own actions, in append order. */
export interface EventStream {
  readonly label: string;
  readonly entries: readonly CID[];
}

export function decodeEventStream(value: unknown, where: string): EventStream {
  const map = expectMap(value, where, "an EventStream");
  const label = expectString(map, "Label", where);
  const entries = expectArray(map, "Entries", where).map((item, i) => {
    const link = asLink(item);
    if (!link)
      throw new DecodeError(
        `Expected a link to an EventStreamEntry, got ${describe(item)}`,
        `${field(where, "Entries")}[${i}]`,
      );
    return link;
  });
  return { label, entries };
}

/** The C# data model of `EventStream<DagCid>`: PascalCase, entries as links. */
export function encodeEventStream(stream: EventStream): { Label: string; Entries: CID[] } {
  return { Label: stream.label, Entries: [...stream.entries] };
}
