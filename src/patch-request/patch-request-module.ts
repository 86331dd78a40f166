import type { CID } from "multiformats/cid";
import { DecodeError } from "../errors.js";
import { foldByTarget } from "../nomad/fold-step.js";
import { ipldEqual, isIpldMap } from "../nomad/ipld.js";
import type { NomadModule, Reducer } from "../nomad/modules/types.js";
import { listField, requiredString, valueUpdateOf } from "../nomad/modules/value-content.js";
import type { EventStreamEntry } from "../nomad/records/event-stream-entry.js";
import { decodeValueUpdateEvent } from "../nomad/records/value-update-event.js";

/**
 * The PatchRequest Nomad module (docs/design.md §3): a contributor's own event stream of
 * `ValueUpdateEvent`s folds into the patch request's roaming value, so a contributor with
 * several paired devices works on one patch like on any Nomad object.
 *
 * Title, Description and Target link (`Value`) to a string block, as the WindowsAppCommunity
 * SDK does for names. Base, AddEntry and RemoveEntry link straight to the immutable block
 * they name (the target's roaming value, the proposed entry): a link is already a value.
 */
export const PatchRequestEventIds = {
  updateTarget: "UpdateTargetAsync",
  updateBase: "UpdateBaseAsync",
  updateTitle: "UpdateTitleAsync",
  updateDescription: "UpdateDescriptionAsync",
  addEntry: "AddEntryAsync",
  removeEntry: "RemoveEntryAsync",
} as const;

const E = PatchRequestEventIds;

function directLink(entry: Parameters<Reducer>[1]): CID | null {
  const event = valueUpdateOf(entry);
  if (event.unset) return null;
  if (!event.value)
    throw new DecodeError(`${entry.entry.eventId} needs a Value link`, `${entry.entry.content}/Value`);
  return event.value;
}

const reducers: Record<string, Reducer> = {
  [E.updateTarget]: (state, entry) => ({ ...state, Target: requiredString(entry, "Value") }),
  [E.updateTitle]: (state, entry) => ({ ...state, Title: requiredString(entry, "Value") }),
  [E.updateDescription]: (state, entry) => ({ ...state, Description: requiredString(entry, "Value") }),
  [E.updateBase]: (state, entry) => ({ ...state, Base: directLink(entry) }),
  [E.addEntry]: (state, entry) => {
    const link = directLink(entry);
    const entries = listField(state, "Entries");
    // An entry proposed twice would be applied twice: keep the first.
    if (!link || entries.some((e) => ipldEqual(e, link))) return state;
    return { ...state, Entries: [...entries, link] };
  },
  [E.removeEntry]: (state, entry) => {
    const link = directLink(entry);
    return { ...state, Entries: listField(state, "Entries").filter((e) => !ipldEqual(e, link)) };
  },
};

const STRING_VALUED = new Set<string>([E.updateTarget, E.updateTitle, E.updateDescription]);

export const patchRequestModule: NomadModule = {
  name: "patch-request",
  keyPrefix: "Nomad.PatchRequest",
  predictsEffects: true,
  recognise: (value) => isIpldMap(value) && "Target" in value && "Entries" in value && "Base" in value,
  seed: ({ id, sources }) => ({
    Id: id,
    Target: "",
    Base: null,
    Title: "",
    Description: "",
    Entries: [],
    Sources: [...sources],
  }),
  streamLabel: (name) => `PatchRequest ${name}`,
  linksToLoad: (entry: EventStreamEntry, content) => {
    if (!STRING_VALUED.has(entry.eventId)) return [];
    const value = decodeValueUpdateEvent(content, "content").value;
    return value ? [value] : [];
  },
  fold: (state, entries, ctx) => foldByTarget(reducers, state, entries, ctx),
};
