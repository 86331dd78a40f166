import { DecodeError } from "../../errors.js";
import { type IpnsName, parseIpnsName } from "../ipns-name.js";
import { describe } from "../shape.js";

/**
 * Reserved EventIds: consumed by the crawler (matched exactly, as C# does), never passed to a module.
 * Whether a patch may carry one is policy's question: see `isReservedEventId` in src/policy/reserved.ts.
 */
export const SOURCE_ADD_EVENT_ID = "NomadEventStreamSourceAddEvent";
export const SOURCE_REMOVE_EVENT_ID = "NomadEventStreamSourceRemoveEvent";
export const RESERVED_EVENT_IDS: readonly string[] = [SOURCE_ADD_EVENT_ID, SOURCE_REMOVE_EVENT_ID];

/** A source event's content block is one bare string: the IPNS name of a local event stream. */
export function decodeSourceEventContent(value: unknown, where: string): IpnsName {
  if (typeof value !== "string") {
    throw new DecodeError(
      `Expected a source event's content to be one IPNS name string, got ${describe(value)}`,
      where,
    );
  }
  return parseIpnsName(value, where);
}
