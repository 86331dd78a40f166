import { NomadPatchError } from "../errors.js";
import { FoldBudget, spend } from "./fold-budget.js";
import { type IpldMap, ipldEqual } from "./ipld.js";
import { listDraftOf, withListDraft } from "./list-draft.js";
import type { FoldContext, FoldStep, LoadedEntry, Reducer } from "./modules/types.js";

/**
 * Apply one reducer and say what it did. A reducer that throws one of the project's errors (bad content,
 * a failed guard) leaves the state as it was and marks the entry invalid, so one bad entry in a stream is
 * reported instead of hiding the rest. Anything else is a bug and propagates.
 */
export function applyStep(
  state: IpldMap,
  entry: LoadedEntry,
  reducer: Reducer,
  ctx: FoldContext,
): { state: IpldMap; step: FoldStep } {
  const draft = listDraftOf(ctx);
  const grownBefore = draft?.appendsInPlace ?? 0;
  let next: IpldMap;
  try {
    next = reducer(state, entry, ctx);
  } catch (error) {
    if (!(error instanceof NomadPatchError)) throw error;
    return { state, step: { entry, effect: "invalid", reason: error.message } };
  }
  // A list grown in place is the same list in both states: an append always changes the state.
  const grewInPlace = (draft?.appendsInPlace ?? 0) > grownBefore;
  const changed = next !== state && (grewInPlace || !ipldEqual(next, state));
  return { state: changed ? next : state, step: { entry, effect: changed ? "changed" : "no-effect" } };
}

/** The fold's budget: the one the caller gave, or a fresh one with the default limits. */
export function budgetOf(ctx: FoldContext): FoldBudget {
  return ctx.budget ?? new FoldBudget();
}

/**
 * A reducer table keyed by EventId; a missing EventId is an effect the module cannot predict.
 * Each entry applies once, so the cost is one step per entry (state grows only by values read from
 * blocks, which the review's byte budget bounds).
 */
export async function foldByTarget(
  reducers: Readonly<Record<string, Reducer>>,
  state: IpldMap,
  entries: readonly LoadedEntry[],
  ctx: FoldContext,
): Promise<{ state: IpldMap; steps: FoldStep[] }> {
  const budget = budgetOf(ctx);
  const drafting = withListDraft(ctx);
  const steps: FoldStep[] = [];
  let current = state;
  for (const entry of entries) {
    await spend(budget);
    const { targetId, eventId } = entry.entry;
    if (targetId !== ctx.rootId) {
      // The C# root handler skips these; a virtual sub-handler this project does not model may apply them.
      steps.push({
        entry,
        effect: "unknown",
        reason: `targets ${targetId}, a sub-object this module does not model`,
      });
      continue;
    }
    const reducer = Object.hasOwn(reducers, eventId) ? reducers[eventId] : undefined;
    if (!reducer) {
      steps.push({ entry, effect: "unknown", reason: `EventId ${eventId} is not known to this module` });
      continue;
    }
    const applied = applyStep(current, entry, reducer, drafting);
    current = applied.state;
    steps.push(applied.step);
  }
  return { state: current, steps };
}
