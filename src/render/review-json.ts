import type { PatchReview } from "../patch-request/change-model.js";

/**
 * Key order of the documented JSON (docs/json-output.md), the order of the change model. The review is
 * rebuilt in this order so the output does not depend on how the producer happened to build the object;
 * keys not listed (fields added later) follow in their own order, so nothing is ever dropped. The states
 * and entry contents are DAG-JSON values and are written as they are.
 */
const ORDER: Record<string, readonly string[]> = {
  review: [
    "schemaVersion",
    "reviewedAt",
    "patch",
    "target",
    "entries",
    "before",
    "after",
    "predictedResultCid",
    "moduleView",
    "jsonDiff",
    "summary",
    "warnings",
    "refusals",
    "publishDrift",
    "blockers",
    "conflicts",
  ],
  patch: ["key", "cid", "title", "description", "base", "sources"],
  target: [
    "id",
    "module",
    "name",
    "publishedCid",
    "foldedCid",
    "publishedMatchesFold",
    "canApply",
    "historyEntries",
    "sourceCount",
    "unreachableSources",
  ],
  entry: [
    "index",
    "cid",
    "eventId",
    "effectEventId",
    "targetId",
    "timestampUtc",
    "contentCid",
    "content",
    "effect",
    "reason",
    "change",
    "item",
  ],
  moduleView: ["kind", "items", "fields", "note"],
  item: [
    "path",
    "kind",
    "change",
    "beforeContent",
    "afterContent",
    "textDiff",
    "textDiffNote",
    "beforeSize",
    "afterSize",
    "mediaType",
  ],
  field: ["path", "change", "before", "after"],
  summary: [
    "entries",
    "targetsTouched",
    "changed",
    "noEffect",
    "unknown",
    "invalid",
    "refused",
    "byChange",
    "items",
  ],
  counts: ["added", "changed", "removed"],
  problem: ["code", "message", "entryIndex"],
  conflicts: ["state", "base", "conflicts", "note"],
  conflict: ["path", "kind", "base", "current", "patch", "currentDiff", "patchDiff", "diffNote"],
};

/** The review as pretty JSON (two spaces), for `--json` and scripts. */
export function renderReviewJson(review: PatchReview): string {
  const view = review.moduleView;
  const orderedView = ordered(view, "moduleView", {
    items: view.kind === "storage" ? view.items.map((item) => ordered(item, "item")) : undefined,
    fields: view.kind === "fields" ? view.fields.map((field) => ordered(field, "field")) : undefined,
  });
  return JSON.stringify(
    ordered(review, "review", {
      patch: ordered(review.patch, "patch"),
      target: ordered(review.target, "target"),
      entries: review.entries.map((entry) => ordered(entry, "entry")),
      moduleView: orderedView,
      summary: ordered(review.summary, "summary", {
        byChange: ordered(review.summary.byChange, "counts"),
        items: ordered(review.summary.items, "counts"),
      }),
      warnings: review.warnings.map((problem) => ordered(problem, "problem")),
      refusals: review.refusals.map((problem) => ordered(problem, "problem")),
      blockers: review.blockers?.map((problem) => ordered(problem, "problem")),
      conflicts: review.conflicts
        ? ordered(review.conflicts, "conflicts", {
            conflicts: review.conflicts.conflicts.map((conflict) => ordered(conflict, "conflict")),
          })
        : undefined,
    }),
    null,
    2,
  );
}

/** `source`'s own keys in the documented order, with `replace` substituted where given. */
function ordered(
  source: object,
  kind: string,
  replace: Record<string, unknown> = {},
): Record<string, unknown> {
  const record = source as Record<string, unknown>;
  const known = ORDER[kind] ?? [];
  const keys = [
    ...known.filter((key) => key in record),
    ...Object.keys(record).filter((key) => !known.includes(key)),
  ];
  const out: Record<string, unknown> = {};
  for (const key of keys) out[key] = replace[key] !== undefined ? replace[key] : record[key];
  return out;
}
