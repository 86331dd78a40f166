import { type IpldMap, ipldEqual } from "../nomad/ipld.js";
import type { FoldContext, LoadedEntry, NomadModule } from "../nomad/modules/types.js";
import type { FieldChange } from "./change-model.js";

/**
 * A value module's field changes in the order the patch's entries make them (issue 16 §4), so the table
 * reads as the author wrote the patch rather than by field name. Folds `entries` (those that changed the
 * state, in application order) one at a time from `before` and ranks each top-level field by the first
 * entry that changes it; rows of one field keep their order. One reducer step per entry, as the fold
 * itself takes, and fields are compared by reference first, so unchanged ones cost nothing. It stops once
 * every field of `fields` has its place (later entries could only rank other fields after them): folding
 * each entry alone copies the lists it appends to, so going on would copy a long list once per entry.
 */
export async function inEntryOrder(
  fields: readonly FieldChange[],
  module: NomadModule,
  before: IpldMap,
  entries: readonly LoadedEntry[],
  context: FoldContext,
): Promise<FieldChange[]> {
  const rank = new Map<string, number>();
  const topLevel = (path: string) => path.replace(/\[.*$/s, "");
  const wanted = new Set(fields.map((field) => topLevel(field.path)));
  let state = before;
  for (const entry of entries) {
    if ([...wanted].every((key) => rank.has(key))) break;
    const { state: next } = await module.fold(state, [entry], {
      rootId: context.rootId,
      sources: context.sources,
    });
    for (const key of new Set([...Object.keys(state), ...Object.keys(next)])) {
      if (!rank.has(key) && state[key] !== next[key] && !ipldEqual(state[key], next[key]))
        rank.set(key, rank.size);
    }
    state = next;
  }
  const rankOf = (path: string) => rank.get(topLevel(path)) ?? rank.size;
  return fields
    .map((field, index) => ({ field, index }))
    .sort((a, b) => rankOf(a.field.path) - rankOf(b.field.path) || a.index - b.index)
    .map(({ field }) => field);
}
