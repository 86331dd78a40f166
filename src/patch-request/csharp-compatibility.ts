import type { FoldStep, LoadedEntry } from "../nomad/modules/types.js";
import type { Problem } from "./change-model.js";
import type { CompatibilityInput, Finding } from "./csharp-rule.js";
import { storageRules } from "./csharp-storage-rules.js";
import { wacRules } from "./csharp-wac-rules.js";
import type { ProposedEntry } from "./proposed-entry.js";
import { referencedObjects } from "./referenced-objects.js";
import { EVENTS_CSHARP_REPLAYS } from "./wac-replayed-events.js";

export type { CompatibilityInput } from "./csharp-rule.js";
export { EMPTY_FILE_CID, storageContentKind } from "./csharp-storage-rules.js";

/** Objects an entry names must load, as the C# replay loads them through its repositories. */
function referencesLoad(entry: ProposedEntry, input: CompatibilityInput): Finding[] {
  return referencedObjects(input.module, [entry]).flatMap((ref) => {
    const problem = input.references.has(ref.id) ? input.references.get(ref.id) : "it was not checked";
    if (problem === null) return [];
    return [
      {
        code: "reference-unresolved",
        why: `the ${ref.kind} ${JSON.stringify(ref.id)} it names does not load (${problem}), and C# loads it to apply this (${ref.csharp})`,
      },
    ];
  });
}

/** The findings of the module's C# rules on one entry (the objects it names are not looked up here). */
export function ruleFindings(
  entry: LoadedEntry,
  input: Pick<CompatibilityInput, "module"> & Partial<CompatibilityInput>,
): Finding[] {
  const rules =
    input.module === "storage" ? storageRules : EVENTS_CSHARP_REPLAYS[input.module] ? wacRules : [];
  const full: CompatibilityInput = { entries: [], references: new Map(), ...input };
  return rules.flatMap((rule) => rule(entry, full) ?? []);
}

/**
 * docs/format.md "What the C# replay rejects": entries that would make every C# device of the target
 * throw while loading it. Any finding refuses the patch: the bot is one of the operator's devices and
 * must never write what the others cannot read.
 */
export function checkCSharpCompatibility(input: CompatibilityInput): Problem[] {
  const problems: Problem[] = [];
  for (const proposed of input.entries) {
    if (!proposed.loaded) continue;
    const findings = ruleFindings(proposed.loaded, input);
    findings.push(...referencesLoad(proposed, input));
    for (const { code, why } of findings) {
      problems.push({
        code: `csharp-${code}`,
        message: `Entry ${proposed.index} would stop every C# device loading the target: ${why}`,
        entryIndex: proposed.index,
      });
    }
  }
  return problems;
}

/**
 * Proposed entries the module's replay fails on (undecodable content, a broken guard). The C# replay
 * throws on the same entries (a Guard, a failed Newtonsoft read), so they are refused, not skipped.
 * For Storage, an entry whose event is not one of its node's kind (a FileUpdateEvent addressed to a
 * folder, a folder event addressed to a file, any other EventId) throws too: C# reads the content of a
 * folder's entry as a folder event, and FolderUpdateEventSerializationHelpers.Read returns null for any
 * other, which TryAdvanceEventStreamAsync guards; a file's entry is read as a FileUpdateEvent, whose
 * StorableItemId must be the file (OwlCore.Nomad.Storage.Kubo/src/Extensions/NomadKuboStorageExtensions.cs).
 */
export function failingEntryRefusals(
  steps: readonly FoldStep[],
  entries: readonly ProposedEntry[],
  module?: string,
): Problem[] {
  const problems: Problem[] = [];
  // Grouped once: a filter of every step per entry was quadratic (a million comparisons for 1,000 entries).
  const byEntry = stepsByEntry(steps);
  for (const proposed of entries) {
    const mine = (proposed.loaded && byEntry.get(proposed.loaded)) || [];
    const failed = mine.find((step) => step.effect === "invalid");
    const unknown = module === "storage" ? mine.find((step) => step.effect === "unknown") : undefined;
    if (failed) {
      problems.push({
        code: "csharp-replay-throws",
        message: `Entry ${proposed.index} would stop every C# device loading the target: its replay fails, as in C# (${failed.reason})`,
        entryIndex: proposed.index,
      });
    } else if (unknown) {
      problems.push({
        code: "csharp-event-unknown-to-csharp",
        message: `Entry ${proposed.index} would stop every C# device loading the target: ${unknown.reason}, and C# throws on it (FolderUpdateEventSerializationHelpers.Read gives no event for a folder, NomadKuboStorageExtensions.ApplyFileUpdateAsync refuses it for a file)`,
        entryIndex: proposed.index,
      });
    }
  }
  return problems;
}

/** The fold's steps by the entry they applied, in fold order: looked up once per entry, not scanned. */
export function stepsByEntry(steps: readonly FoldStep[]): ReadonlyMap<LoadedEntry, readonly FoldStep[]> {
  const by = new Map<LoadedEntry, FoldStep[]>();
  for (const step of steps) {
    const list = by.get(step.entry);
    if (list) list.push(step);
    else by.set(step.entry, [step]);
  }
  return by;
}
