import type { EntryChange, EntryEffect, ItemChange } from "../patch-request/change-model.js";

export const EFFECT_LABEL: Record<EntryEffect, string> = {
  changed: "changed",
  "no-effect": "no effect",
  unknown: "unknown",
  invalid: "invalid",
  refused: "refused",
};

export const EFFECT_ICON: Record<EntryEffect, string> = {
  changed: "✏️",
  "no-effect": "➖",
  unknown: "❔",
  invalid: "⚠️",
  refused: "⛔",
};

/**
 * A TargetId relative to the target, which is what a reader compares: `(target)` for the target itself,
 * `…/path` below it, the full id for anything else (which validation will have refused).
 */
export function relativeTargetId(targetId: string, rootId: string): string {
  if (targetId === rootId) return "(target)";
  if (targetId.startsWith(`${rootId}/`)) return `…/${targetId.slice(rootId.length + 1)}`;
  return targetId;
}

const CHANGE_ICON: Record<ItemChange, string> = { added: "➕", changed: "✏️", removed: "🗑️" };

/** What an entry does, in a word: `added`, `removed` or `changed` when it changes the state, else its effect. */
export function entryEffectLabel(entry: EntryChange): string {
  return entry.effect === "changed" && entry.change ? entry.change : EFFECT_LABEL[entry.effect];
}

/** The same with its icon, for Markdown. */
export function entryEffectWithIcon(entry: EntryChange): string {
  const icon =
    entry.effect === "changed" && entry.change ? CHANGE_ICON[entry.change] : EFFECT_ICON[entry.effect];
  return `${icon} ${entryEffectLabel(entry)}`;
}

/** The item an entry acts on (the file a create makes, the field it sets), else its TargetId relative to the target. */
export function entryItemLabel(entry: EntryChange, rootId: string): string {
  return entry.item ?? relativeTargetId(entry.targetId, rootId);
}
