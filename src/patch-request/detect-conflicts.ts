import { CID } from "multiformats/cid";
import { type IpldMap, isIpldMap } from "../nomad/ipld.js";
import { FILE_UPDATE } from "../nomad/modules/storage-events.js";
import type { LoadedEntry } from "../nomad/modules/types.js";
import type { Conflict, ConflictCheck, Problem } from "./change-model.js";
import { storageContentKind } from "./csharp-storage-rules.js";
import { changedAtomKeys, type StateAtom, type StateAtoms, sameAtom, stateAtoms } from "./state-atoms.js";

/** The target as the patch's author saw it: its roaming value at `Base`, or why it cannot be read. */
export type BaseState =
  /** `value` null: the patch has no base (the author saw no target), read as an empty target. */
  | { readonly state: "loaded"; readonly cid: string | null; readonly value: IpldMap | null }
  | { readonly state: "unavailable"; readonly cid: string; readonly note: string };

export interface DetectConflictsInput {
  readonly module: string;
  readonly base: BaseState;
  /** The target's current state (the review's "before"). */
  readonly current: IpldMap;
  /** `current` with the patch folded in (what approving publishes). */
  readonly after: IpldMap;
  /** Storage: the patch's entries that are applied, and the target's id, to find updates of deleted files. */
  readonly entries?: readonly LoadedEntry[];
  readonly rootId?: string;
}

/**
 * A lost update, found before anyone approves it: every file, folder, field or list item that the patch
 * changes in the current state and that changed between the patch's base and now. A FileUpdateEvent
 * (OwlCore.Nomad.Storage NomadFile.ApplyEntryUpdateAsync takes the new content id whole) or a value
 * update (WindowsAppCommunity.Sdk ModifiableEntity.ApplyEntryUpdateAsync sets the field) replaces what
 * is there, so approving would remove the change made since. An item both sides changed the same way
 * is not written by the patch any more, and is no conflict.
 */
export function detectConflicts(input: DetectConflictsInput): ConflictCheck {
  const { base } = input;
  if (base.state === "unavailable") {
    return { state: "base-unavailable", base: base.cid, conflicts: [], note: base.note };
  }
  const atoms = {
    base: stateAtoms(input.module, base.value),
    current: stateAtoms(input.module, input.current),
    after: stateAtoms(input.module, input.after),
  };
  const conflicts: Conflict[] = [];
  for (const key of changedAtomKeys(atoms.current, atoms.after)) {
    const sides = { base: atoms.base.get(key), current: atoms.current.get(key), patch: atoms.after.get(key) };
    if (sameAtom(sides.base, sides.current)) continue;
    conflicts.push(conflictOf(sides));
  }
  conflicts.push(...droppedUpdates(input, atoms));
  conflicts.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { state: conflicts.length > 0 ? "conflicts" : "clean", base: base.cid, conflicts };
}

/**
 * Storage: a FileUpdateEvent of a file that existed at the base and was deleted since. C# never replays
 * it: a folder opens only the files it holds and replays their entries (OwlCore.Nomad.Storage.Kubo
 * src/NomadKuboFolder.cs `FileDataToInstanceAsync`), so the update is dropped, not applied; the fold here
 * does the same. Deleted on one side, changed on the other: a conflict, marked `dropped`.
 */
function droppedUpdates(
  input: DetectConflictsInput,
  atoms: { readonly base: StateAtoms; readonly current: StateAtoms; readonly after: StateAtoms },
): Conflict[] {
  if (input.module !== "storage" || !input.entries || !input.rootId) return [];
  const prefix = `${input.rootId}/`;
  const found = new Map<string, Conflict>();
  for (const { entry, content } of input.entries) {
    if (!entry.targetId.startsWith(prefix) || !isIpldMap(content)) continue;
    if (storageContentKind(content) !== FILE_UPDATE) continue;
    const path = entry.targetId.slice(prefix.length);
    const key = `file:${path}`;
    const base = atoms.base.get(key);
    if (!base || atoms.current.has(key) || atoms.after.has(key)) continue;
    const written = CID.asCID(content.NewContentId)?.toString() ?? null;
    found.set(path, { path, kind: "file", base: base.value, patch: written, dropped: true });
  }
  return [...found.values()];
}

/** A conflict from the three sides of one atom; a side where the item is absent is left out. */
export function conflictOf(sides: {
  readonly base: StateAtom | undefined;
  readonly current: StateAtom | undefined;
  readonly patch: StateAtom | undefined;
}): Conflict {
  const any = (sides.current ?? sides.patch ?? sides.base) as StateAtom;
  return {
    path: any.path,
    ...(any.kind ? { kind: any.kind } : {}),
    ...(sides.base ? { base: sides.base.value } : {}),
    ...(sides.current ? { current: sides.current.value } : {}),
    ...(sides.patch ? { patch: sides.patch.value } : {}),
  };
}

/** The warning every rendering lists with the others, so a conflicted patch never reads "ready". */
export function conflictWarnings(check: ConflictCheck | null): Problem[] {
  if (!check || check.state === "clean") return [];
  if (check.state === "base-unavailable") {
    return [
      {
        code: "conflicts-unchecked",
        message: `The patch's base cannot be read, so changes made after it was written cannot be checked; rules do not apply it`,
      },
    ];
  }
  const n = check.conflicts.length;
  return [
    {
      code: "conflict",
      message: `${n} ${n === 1 ? "thing" : "things"} this patch writes changed after it was written (listed at the top): approving removes those changes; rules never apply it`,
    },
  ];
}
