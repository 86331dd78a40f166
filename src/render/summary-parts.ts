import type { PatchReview } from "../patch-request/change-model.js";
import { count } from "./words.js";

/**
 * `5 entries touching 2 targets` and `2 added, 1 changed, 1 no effect`: the summary in words, for every
 * rendering. Entries that change the state are counted by what they do (a create adds, a delete removes).
 */
export function summaryParts(review: PatchReview): { scope: string; effects: string } {
  const { summary } = review;
  const scope = `${count(summary.entries, "entry", "entries")} touching ${count(summary.targetsTouched, "target", "targets")}`;
  const { added, changed, removed } = summary.byChange;
  const parts = [
    added > 0 ? `${added} added` : "",
    changed > 0 || summary.changed === 0 ? `${changed} changed` : "",
    removed > 0 ? `${removed} removed` : "",
    summary.noEffect > 0 ? `${summary.noEffect} no effect` : "",
    summary.unknown > 0 ? `${summary.unknown} unknown` : "",
    summary.invalid > 0 ? `${summary.invalid} invalid` : "",
    summary.refused > 0 ? `${summary.refused} refused` : "",
  ];
  return { scope, effects: parts.filter((part) => part !== "").join(", ") };
}
