import { DecodeError } from "../../errors.js";
import { type IpnsName, parseIpnsName } from "../ipns-name.js";
import { describe, expectMap, field } from "../shape.js";

/**
 * The `Sources` every roaming value carries: local IPNS names as strings. Only a hint (it can be stale or
 * empty), so a missing list reads as empty; a list of the wrong shape is still an error.
 */
export function decodeRoamingSources(value: unknown, where: string): IpnsName[] {
  const map = expectMap(value, where, "a roaming value");
  const sources = map.Sources;
  if (sources === undefined || sources === null) return [];
  if (!Array.isArray(sources))
    throw new DecodeError(
      `Expected an array of IPNS names, got ${describe(sources)}`,
      field(where, "Sources"),
    );
  return sources.map((item, i) => {
    const at = `${field(where, "Sources")}[${i}]`;
    if (typeof item !== "string")
      throw new DecodeError(`Expected an IPNS name string, got ${describe(item)}`, at);
    return parseIpnsName(item, at);
  });
}
