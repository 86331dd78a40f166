/**
 * EventIds that no patch may ever carry. In Nomad, adding or removing a source is pairing: every entry
 * of a source is applied without any gating, so a patch that could add one would grant full, lasting
 * trust instead of proposing one change. This refusal happens before any configured rule and cannot be
 * switched off.
 */
import { RESERVED_EVENT_IDS } from "../nomad/records/source-events.js";

export {
  RESERVED_EVENT_IDS,
  SOURCE_ADD_EVENT_ID,
  SOURCE_REMOVE_EVENT_ID,
} from "../nomad/records/source-events.js";

const RESERVED_FOLDED = new Set(RESERVED_EVENT_IDS.map(foldForComparison));

/**
 * Whether `eventId` is reserved. The comparison ignores case and surrounding whitespace: Nomad compares
 * EventIds exactly, so a variant is harmless today, but refusing it costs no honest patch anything and
 * keeps the guard safe against a reader that compares more loosely.
 */
export function isReservedEventId(eventId: string): boolean {
  return RESERVED_FOLDED.has(foldForComparison(eventId));
}

function foldForComparison(eventId: string): string {
  return eventId.trim().toLowerCase();
}
