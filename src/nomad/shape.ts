import { CID } from "multiformats/cid";
import { DecodeError } from "../errors.js";
import { type IpldMap, type IpldValue, isIpldMap } from "./ipld.js";

/**
 * Small shape checks shared by the record decoders. Each names what it expected, what came, and where
 * (`<block cid>/<field path>`), so a bad block in someone's stream is reported precisely.
 */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "nothing";
  if (CID.asCID(value)) return `a link (${String(value)})`;
  if (value instanceof Uint8Array) return `${value.length} bytes`;
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === "object") return "a map";
  if (typeof value === "string")
    return `the string ${JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value)}`;
  return `${typeof value} ${String(value)}`;
}

export function field(where: string, name: string): string {
  return where.endsWith("/") ? `${where}${name}` : `${where}/${name}`;
}

export function expectMap(value: unknown, where: string, what: string): IpldMap {
  if (!isIpldMap(value)) throw new DecodeError(`Expected ${what} (a map), got ${describe(value)}`, where);
  return value;
}

export function expectString(map: IpldMap, key: string, where: string): string {
  const value = map[key];
  if (typeof value !== "string")
    throw new DecodeError(`Expected a string, got ${describe(value)}`, field(where, key));
  return value;
}

export function expectNonBlankString(map: IpldMap, key: string, where: string): string {
  const value = expectString(map, key, where);
  if (value.trim() === "")
    throw new DecodeError("Expected a non-blank string, got a blank one", field(where, key));
  return value;
}

export function expectBool(map: IpldMap, key: string, where: string): boolean {
  const value = map[key];
  if (typeof value !== "boolean")
    throw new DecodeError(`Expected true or false, got ${describe(value)}`, field(where, key));
  return value;
}

export function expectLink(map: IpldMap, key: string, where: string): CID {
  const link = asLink(map[key]);
  if (!link)
    throw new DecodeError(`Expected a link {"/": cid}, got ${describe(map[key])}`, field(where, key));
  return link;
}

export function expectLinkOrNull(map: IpldMap, key: string, where: string): CID | null {
  // Newtonsoft reads a missing property as null, so absence is accepted like an explicit null.
  const value = map[key];
  if (value === null || value === undefined) return null;
  return expectLink(map, key, where);
}

export function expectArray(map: IpldMap, key: string, where: string): readonly IpldValue[] {
  const value = map[key];
  if (!Array.isArray(value))
    throw new DecodeError(`Expected an array, got ${describe(value)}`, field(where, key));
  return value;
}

export function expectStringArray(map: IpldMap, key: string, where: string): string[] {
  return expectArray(map, key, where).map((item, i) => {
    if (typeof item !== "string")
      throw new DecodeError(`Expected a string, got ${describe(item)}`, `${field(where, key)}[${i}]`);
    return item;
  });
}

export function asLink(value: unknown): CID | null {
  return CID.asCID(value) ?? null;
}
