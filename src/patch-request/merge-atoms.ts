import type { Conflict } from "./change-model.js";
import { conflictOf } from "./detect-conflicts.js";
import { type StateAtom, type StateAtoms, sameAtom } from "./state-atoms.js";

export interface AtomMerge {
  /** The merged state's atoms; a text merge's file still holds the current content until merged. */
  readonly merged: Map<string, StateAtom>;
  /** Atoms both sides changed differently, that no text merge can settle. */
  readonly conflicts: Conflict[];
  /** Files both sides changed: a three-way text merge of base, current and patch may settle them. */
  readonly textMerges: {
    readonly key: string;
    readonly base: StateAtom | undefined;
    readonly current: StateAtom;
    readonly patch: StateAtom;
  }[];
}

/**
 * A three-way merge of a target's state, atom by atom (a file, a folder, a field, a list item): what
 * only one side changed since the base is taken from it, what both changed the same way is kept, and
 * what both changed differently is a conflict, except files both sides edited, which are left to a text
 * merge. A folder the patch deletes while the target gained something inside it is a conflict too.
 */
export function mergeAtoms(base: StateAtoms, current: StateAtoms, patch: StateAtoms): AtomMerge {
  const merged = new Map<string, StateAtom>();
  const conflicts: Conflict[] = [];
  const textMerges: AtomMerge["textMerges"][number][] = [];
  for (const key of [...new Set([...base.keys(), ...current.keys(), ...patch.keys()])].sort()) {
    const sides = { base: base.get(key), current: current.get(key), patch: patch.get(key) };
    const keep = (atom: StateAtom | undefined) => {
      if (atom) merged.set(key, atom);
    };
    if (sameAtom(sides.patch, sides.base)) keep(sides.current);
    else if (sameAtom(sides.current, sides.base)) keep(sides.patch);
    else if (sameAtom(sides.current, sides.patch)) keep(sides.current);
    else if (sides.current?.kind === "file" && sides.patch?.kind === "file") {
      keep(sides.current);
      textMerges.push({ key, base: sides.base, current: sides.current, patch: sides.patch });
    } else conflicts.push(conflictOf(sides));
  }
  for (const [key, atom] of [...base, ...current, ...patch]) {
    if (atom.kind !== "folder" || merged.has(key)) continue;
    const inside = `${atom.path}/`;
    if (![...merged.values()].some((other) => other.path.startsWith(inside))) continue;
    if (conflicts.some((c) => c.path === atom.path)) continue;
    conflicts.push(conflictOf({ base: base.get(key), current: current.get(key), patch: patch.get(key) }));
  }
  return { merged, conflicts, textMerges };
}
