import { CID } from "multiformats/cid";

/** The IPLD data model as @ipld/dag-cbor decodes it: what every Nomad block and state is made of. */
export type IpldValue =
  | null
  | boolean
  | number
  | string
  | Uint8Array
  | CID
  | readonly IpldValue[]
  | { readonly [key: string]: IpldValue };

export type IpldMap = { readonly [key: string]: IpldValue };

export function isIpldMap(value: unknown): value is IpldMap {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Uint8Array) &&
    CID.asCID(value) === null
  );
}

/**
 * Structural equality over the data model (links by CID, maps regardless of key order), used to tell
 * whether an entry changed a state. Cheaper and clearer than encoding both sides.
 */
export function ipldEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  const linkA = CID.asCID(a);
  const linkB = CID.asCID(b);
  if (linkA || linkB) return linkA !== null && linkB !== null && linkA.equals(linkB);
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    return a instanceof Uint8Array && b instanceof Uint8Array && bytesEqual(a, b);
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => ipldEqual(x, b[i]))
    );
  }
  const mapA = a as Record<string, unknown>;
  const mapB = b as Record<string, unknown>;
  const keysA = Object.keys(mapA);
  if (keysA.length !== Object.keys(mapB).length) return false;
  return keysA.every((key) => Object.hasOwn(mapB, key) && ipldEqual(mapA[key], mapB[key]));
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
