import type {
  EntryChange,
  EntryEffect,
  FieldChange,
  ModuleView,
  PatchReview,
  Problem,
  StorageItemChange,
} from "../../../src/patch-request/change-model.js";

/** Deterministic look-alike identifiers, so snapshots are stable and markers validate. */
function pseudo(seed: string, alphabet: string, length: number): string {
  let state = 2166136261;
  for (const char of seed) state = Math.imul(state ^ char.charCodeAt(0), 16777619) >>> 0;
  let out = "";
  for (let i = 0; i < length; i += 1) {
    state = Math.imul(state ^ (state >>> 13), 1274126177) >>> 0;
    out += alphabet[state % alphabet.length];
  }
  return out;
}

export const fakeKey = (seed: string): string =>
  `k51qzi5uqu5d${pseudo(seed, "0123456789abcdefghijklmnopqrstuvwxyz", 50)}`;
export const fakeCid = (seed: string): string =>
  `bafyrei${pseudo(seed, "abcdefghijklmnopqrstuvwxyz234567", 52)}`;

export const TARGET = fakeKey("target");
export const PATCH_KEY = fakeKey("patch");

export function entry(
  index: number,
  eventId: string,
  effect: EntryEffect,
  extra: Partial<EntryChange> = {},
): EntryChange {
  return {
    index,
    cid: fakeCid(`entry-${index}`),
    eventId,
    effectEventId: eventId,
    targetId: TARGET,
    timestampUtc: "2026-01-02T03:04:05.0000000Z",
    contentCid: fakeCid(`content-${index}`),
    content: { Value: `v${index}` },
    effect,
    ...extra,
  };
}

/** Counts the summary from the entries, like the review does, so a test only states the entries. */
function summarise(entries: readonly EntryChange[], view?: ModuleView): PatchReview["summary"] {
  const by = (effect: EntryEffect) => entries.filter((e) => e.effect === effect).length;
  return {
    entries: entries.length,
    targetsTouched: new Set(entries.map((e) => e.targetId)).size,
    changed: by("changed"),
    noEffect: by("no-effect"),
    unknown: by("unknown"),
    invalid: by("invalid"),
    refused: by("refused"),
    byChange: countChanges(entries.filter((e) => e.effect === "changed").map((e) => e.change ?? "changed")),
    items: countChanges(
      view?.kind === "storage"
        ? view.items.map((i) => i.change)
        : view?.kind === "fields"
          ? view.fields.map((f) => f.change)
          : [],
    ),
  };
}

function countChanges(changes: readonly string[]) {
  const by = (kind: string) => changes.filter((c) => c === kind).length;
  return { added: by("added"), changed: by("changed"), removed: by("removed") };
}

export interface ReviewParts {
  title?: string;
  description?: string;
  base?: string | null;
  module?: string;
  name?: string;
  canApply?: boolean;
  publishedMatchesFold?: boolean;
  entries?: EntryChange[];
  moduleView?: ModuleView;
  jsonDiff?: string;
  predictedResultCid?: string | null;
  warnings?: Problem[];
  refusals?: Problem[];
}

export function buildReview(parts: ReviewParts = {}): PatchReview {
  const entries = parts.entries ?? [entry(0, "UpdateNameAsync", "changed")];
  const published = fakeCid("published");
  return {
    schemaVersion: 1,
    reviewedAt: "2026-01-02T03:04:05.000Z",
    patch: {
      key: PATCH_KEY,
      cid: fakeCid("patch"),
      title: parts.title ?? "Rename the project",
      description: parts.description ?? "",
      base: parts.base === undefined ? published : parts.base,
      sources: [fakeKey("contributor-local")],
    },
    target: {
      id: TARGET,
      module: parts.module ?? "wac-project",
      ...(parts.name === undefined ? {} : { name: parts.name }),
      publishedCid: published,
      foldedCid: published,
      publishedMatchesFold: parts.publishedMatchesFold ?? true,
      canApply: parts.canApply ?? true,
      historyEntries: 12,
      sourceCount: 2,
    },
    entries,
    before: { Name: "Old" },
    after: { Name: "New" },
    predictedResultCid: parts.predictedResultCid === undefined ? fakeCid("result") : parts.predictedResultCid,
    moduleView: parts.moduleView ?? { kind: "fields", fields: [] },
    jsonDiff: parts.jsonDiff ?? "",
    summary: summarise(entries, parts.moduleView),
    warnings: parts.warnings ?? [],
    refusals: parts.refusals ?? [],
  };
}

export function storageItem(
  path: string,
  change: StorageItemChange["change"],
  extra: Partial<StorageItemChange> = {},
): StorageItemChange {
  return { path, kind: "file", change, ...extra };
}

export function field(
  path: string,
  change: FieldChange["change"],
  before?: unknown,
  after?: unknown,
): FieldChange {
  return {
    path,
    change,
    ...(before === undefined ? {} : { before }),
    ...(after === undefined ? {} : { after }),
  };
}

/** A unified diff of `lines` lines, each changed, for size tests. */
export function bigDiff(lines: number, width = 60): string {
  const out = ["--- before", "+++ after", `@@ -1,${lines} +1,${lines} @@`];
  for (let i = 0; i < lines; i += 1)
    out.push(`${i % 2 === 0 ? "-" : "+"}  "line-${i}": "${"x".repeat(width)}",`);
  return `${out.join("\n")}\n`;
}
