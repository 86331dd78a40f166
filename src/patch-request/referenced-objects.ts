import { isIpldMap } from "../nomad/ipld.js";
import type { LoadedEntry } from "../nomad/modules/types.js";
import { decodeValueUpdateEvent } from "../nomad/records/value-update-event.js";
import type { ProposedEntry } from "./proposed-entry.js";
import { EVENTS_CSHARP_REPLAYS, type NamedObject } from "./wac-replayed-events.js";

export interface ReferencedObject extends NamedObject {
  readonly entryIndex: number;
  /** The object's roaming id as the entry's value block holds it. */
  readonly id: string;
}

/**
 * The other objects (publishers, projects, users) that proposed WindowsAppCommunity entries name, which the
 * C# replay loads while applying them. The service resolves each (with I/O, bounded) and hands the
 * answers to the compatibility check. Values that are not strings are left to the fold, which refuses them.
 */
export function referencedObjects(module: string, entries: readonly ProposedEntry[]): ReferencedObject[] {
  const table = EVENTS_CSHARP_REPLAYS[module]?.events;
  if (!table) return [];
  const found: ReferencedObject[] = [];
  for (const { index, loaded } of entries) {
    if (!loaded || !Object.hasOwn(table, loaded.entry.eventId)) continue;
    const named = table[loaded.entry.eventId];
    if (!named) continue;
    const id = linkedValue(loaded, named.from);
    if (typeof id === "string") found.push({ ...named, entryIndex: index, id });
  }
  return found;
}

/** The value block a ValueUpdateEvent's Key or Value links to, as loaded for the fold. */
function linkedValue(entry: LoadedEntry, which: "Key" | "Value"): unknown {
  if (!isIpldMap(entry.content)) return undefined;
  try {
    const event = decodeValueUpdateEvent(entry.content, "content");
    const cid = which === "Key" ? event.key : event.value;
    return cid ? entry.linked.get(cid.toString()) : undefined;
  } catch {
    return undefined;
  }
}
