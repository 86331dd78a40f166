import type { CID } from "multiformats/cid";
import { expectBool, expectLinkOrNull, expectMap } from "../shape.js";

/**
 * The content of every value-module entry (OwlCore.Nomad.Kubo `ValueUpdateEvent`): `key` and `value` link
 * to small value blocks (a string, a bool, a record); `unset` means remove or clear.
 */
export interface ValueUpdateEvent {
  readonly key: CID | null;
  readonly value: CID | null;
  readonly unset: boolean;
}

export function decodeValueUpdateEvent(value: unknown, where: string): ValueUpdateEvent {
  const map = expectMap(value, where, "a ValueUpdateEvent");
  return {
    key: expectLinkOrNull(map, "Key", where),
    value: expectLinkOrNull(map, "Value", where),
    unset: expectBool(map, "Unset", where),
  };
}

/** Nulls are written out, as Newtonsoft does by default. */
export function encodeValueUpdateEvent(event: ValueUpdateEvent): {
  Key: CID | null;
  Value: CID | null;
  Unset: boolean;
} {
  return { Key: event.key, Value: event.value, Unset: event.unset };
}
