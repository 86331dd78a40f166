import type { Conflict } from "./change-model.js";
import { type FileText, fileTextDiff } from "./text-diffs.js";

/** The content CIDs a file conflict's two diffs need (base, current, patch). */
export function conflictTextCandidates(conflicts: readonly Conflict[]): string[] {
  const cids = new Set<string>();
  for (const conflict of conflicts) {
    if (conflict.kind !== "file") continue;
    for (const side of [conflict.base, conflict.current, conflict.patch])
      if (typeof side === "string") cids.add(side);
  }
  return [...cids];
}

/** Both sides of each file conflict as text diffs from the base: what approving removes, what the author changed. */
export function attachConflictDiffs(
  conflicts: readonly Conflict[],
  texts: ReadonlyMap<string, FileText>,
): Conflict[] {
  return conflicts.map((conflict) => {
    if (conflict.kind !== "file") return conflict;
    const side = (value: unknown) => (typeof value === "string" ? value : null);
    const current = fileTextDiff(conflict.path, side(conflict.base), side(conflict.current), texts);
    const patch = fileTextDiff(conflict.path, side(conflict.base), side(conflict.patch), texts);
    if ("note" in current) return { ...conflict, diffNote: current.note };
    if ("note" in patch) return { ...conflict, diffNote: patch.note };
    return { ...conflict, currentDiff: current.text, patchDiff: patch.text };
  });
}
