import { isIpnsName } from "../nomad/ipns-name.js";
import { SOURCE_ADD_EVENT_ID, SOURCE_REMOVE_EVENT_ID } from "../nomad/records/source-events.js";

/** Longer than either source EventId with room for the spaces `trim` forgives. */
const MAX_SOURCE_EVENT_ID = 100;

/** What a source event in a patch would do to the target's devices, were it ever applied. */
export interface DeviceChange {
  readonly kind: "add" | "remove";
  /** The device's local key, as the entry names it. */
  readonly key: string;
}

/**
 * A source-add entry makes the key its content names a source of the target: a device whose every entry
 * is replayed, with full write access (OwlCore.Nomad.Kubo src/Extensions/NomadKuboEventStreamHandlerExtensions.cs
 * adds the content, read as the source's name, to the handler's Sources); a source-remove entry takes one
 * away. Either is refused in a patch, and the review says which key it names. Undefined for any other
 * entry, or content that names no key.
 */
export function deviceChangeOf(eventId: string, content: unknown): DeviceChange | undefined {
  // Only a short label can be a source event: a huge hostile one is not folded for each of its entries.
  if (eventId.length > MAX_SOURCE_EVENT_ID) return undefined;
  const folded = eventId.trim().toLowerCase();
  const kind =
    folded === SOURCE_ADD_EVENT_ID.toLowerCase()
      ? "add"
      : folded === SOURCE_REMOVE_EVENT_ID.toLowerCase()
        ? "remove"
        : undefined;
  if (kind === undefined || typeof content !== "string" || !isIpnsName(content)) return undefined;
  return { kind, key: content };
}
