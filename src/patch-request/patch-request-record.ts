import type { CID } from "multiformats/cid";
import { DecodeError } from "../errors.js";
import { type IpnsName, parseIpnsName } from "../nomad/ipns-name.js";
import {
  asLink,
  expectArray,
  expectLinkOrNull,
  expectMap,
  expectString,
  expectStringArray,
  field,
} from "../nomad/shape.js";

/**
 * A patch request's roaming value (docs/design.md §3): what the bot reads behind a posted key.
 * DAG-CBOR with PascalCase names and nulls written out, like every Nomad block.
 */
export interface PatchRequestRecord {
  /** The patch request's own roaming key id. */
  readonly id: IpnsName;
  /** The target object's roaming key id. */
  readonly target: IpnsName;
  /** The target roaming value the author saw, or null. */
  readonly base: CID | null;
  readonly title: string;
  readonly description: string;
  /** The proposed EventStreamEntry blocks, in authoring order. */
  readonly entries: readonly CID[];
  /** The contributor's local keys (a hint). */
  readonly sources: readonly string[];
}

/** Decodes and checks a roaming value; `where` names the block (its CID) in error messages. */
export function decodePatchRequest(value: unknown, where: string): PatchRequestRecord {
  const map = expectMap(value, where, "a PatchRequest roaming value");
  const entries = expectArray(map, "Entries", where).map((item, i) => {
    const link = asLink(item);
    if (!link) throw new DecodeError("Expected a link to an EventStreamEntry", field(where, `Entries[${i}]`));
    return link;
  });
  return {
    id: parseIpnsName(expectString(map, "Id", where), field(where, "Id")),
    target: parseIpnsName(expectString(map, "Target", where), field(where, "Target")),
    base: expectLinkOrNull(map, "Base", where),
    title: expectString(map, "Title", where),
    description: expectString(map, "Description", where),
    entries,
    sources: expectStringArray(map, "Sources", where),
  };
}

/** The C# data model of the roaming value. */
export function encodePatchRequest(record: PatchRequestRecord) {
  return {
    Id: record.id,
    Target: record.target,
    Base: record.base,
    Title: record.title,
    Description: record.description,
    Entries: [...record.entries],
    Sources: [...record.sources],
  };
}
