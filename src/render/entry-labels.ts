import type { EntryEffect } from "../patch-request/change-model.js";

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
