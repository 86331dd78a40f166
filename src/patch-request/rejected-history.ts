import type { FoldStep, LoadedEntry, NomadModule } from "../nomad/modules/types.js";
import type { Problem, RejectedHistory, RejectedHistoryEntry } from "./change-model.js";
import { ruleFindings } from "./csharp-compatibility.js";

/** History entries kept in the change model, and named one by one in the warnings. */
const MAX_KEPT = 10;
const MAX_NAMED = 3;

/**
 * Entries already in the target's history that every C# device throws on (docs/format.md "What the C#
 * replay rejects"): those whose replay fails here too (`skipped`: the fold leaves them out so the target
 * can still be read), and those the fold here applies but a C# guard refuses (a create without
 * `overwrite`, a FileUpdateEvent to the empty-file CID). Storage entries not of their node's kind count
 * as failing, as in `failingEntryRefusals`, and so do entries of the object itself whose EventId the
 * module does not know (a newer event type: the C# switch this module follows throws on it, a newer C#
 * device applies it); entries of a sub-object a value module does not model are not the root's and are
 * left alone. The objects entries name are not looked up here.
 */
export function rejectedHistory(
  module: Pick<NomadModule, "name" | "predictsEffects">,
  rootId: string,
  entries: readonly LoadedEntry[],
  steps: readonly FoldStep[],
): RejectedHistory {
  const failed = new Map<LoadedEntry, string>();
  for (const step of steps) {
    const unknownEvent =
      step.effect === "unknown" &&
      module.predictsEffects &&
      (module.name === "storage" || step.entry.entry.targetId === rootId);
    const fails = step.effect === "invalid" || unknownEvent;
    if (fails && !failed.has(step.entry)) failed.set(step.entry, step.reason ?? "its replay fails");
  }
  const kept: RejectedHistoryEntry[] = [];
  let count = 0;
  let skipped = 0;
  for (const entry of entries) {
    const skippedBecause = failed.get(entry);
    const reason = skippedBecause ?? ruleFindings(entry, { module: module.name })[0]?.why;
    if (reason === undefined) continue;
    count += 1;
    if (skippedBecause !== undefined) skipped += 1;
    if (kept.length >= MAX_KEPT) continue;
    kept.push({
      cid: entry.cid.toString(),
      targetId: entry.entry.targetId,
      eventId: entry.entry.eventId,
      reason,
      skipped: skippedBecause !== undefined,
    });
  }
  return { count, skipped, entries: kept };
}

/**
 * History entries the fold here leaves out would be left out of the roaming value an apply publishes,
 * though a device that can replay them (a newer C# one, which wrote them) has their changes; a C# device of
 * the version followed here throws on them and publishes nothing (OwlCore.Nomad.Kubo
 * src/NomadKuboRepositoryBase.cs `GetAsync` replays through the module's `ApplyEntryUpdateAsync`, e.g.
 * WindowsAppCommunity.Sdk src/Nomad/ModifiableProject.cs, whose switch throws `NotImplementedException`).
 * So an apply is refused, as for a publish that changes what the patch does not, unless the target allows
 * that (`allowDivergentPublish`): then the reviewer is told, as a warning.
 */
export function unreplayableHistoryProblem(
  history: RejectedHistory | undefined,
  allowed: boolean,
): Problem | undefined {
  const n = history?.skipped ?? 0;
  if (!history || n === 0) return undefined;
  const first = history.entries.find((entry) => entry.skipped);
  const named = first ? ` (the first: ${first.cid}, ${first.eventId})` : "";
  const lead = `${n} ${n === 1 ? "entry" : "entries"} in the target's history cannot be replayed here${named}: a roaming value published now would leave ${n === 1 ? "its" : "their"} changes out for every reader, where a device that replays ${n === 1 ? "it" : "them"} keeps them`;
  return allowed
    ? {
        code: "history-unreplayable-allowed",
        message: `${lead}. The target allows it (allowDivergentPublish)`,
      }
    : {
        code: "history-unreplayable",
        message: `${lead}. Applying is refused unless the target allows it (allowDivergentPublish: true)`,
      };
}

/** The warnings that name them: the count, then the first few with their CIDs and why. */
export function rejectedHistoryWarnings(history: RejectedHistory | undefined): Problem[] {
  if (!history || history.count === 0) return [];
  const n = history.count;
  const code = "history-csharp-rejects";
  const lead = {
    code,
    message: `${n} ${n === 1 ? "entry" : "entries"} in the target's history make every C# device fail to load it; the fold here skips those it cannot replay either${n > MAX_NAMED ? `. The first ${MAX_NAMED}:` : ":"}`,
  };
  const named = history.entries.slice(0, MAX_NAMED).map((entry) => ({
    code,
    message: `History entry ${entry.cid} (${entry.eventId}), ${entry.skipped ? "skipped here" : "applied here"}: ${entry.reason}`,
  }));
  return [lead, ...named];
}
