import type { CID } from "multiformats/cid";
import { encodeBlock, MAX_BLOCK_BYTES } from "../nomad/block.js";
import { yieldIfBusy } from "../nomad/event-loop-slice.js";
import type { IpldMap } from "../nomad/ipld.js";
import type { FoldContext, FoldStep, LoadedEntry, NomadModule } from "../nomad/modules/types.js";
import {
  CHANGE_MODEL_VERSION,
  type ChangeCounts,
  type EntryChange,
  type EntryEffect,
  type ItemChange,
  type ModuleView,
  type PatchReview,
  type Problem,
  type TargetInfo,
} from "./change-model.js";
import { attachConflictDiffs, conflictTextCandidates } from "./conflict-diffs.js";
import { failingEntryRefusals, stepsByEntry, storageContentKind } from "./csharp-compatibility.js";
import { type BaseState, conflictWarnings, detectConflicts } from "./detect-conflicts.js";
import { entryItem } from "./entry-item.js";
import { inEntryOrder } from "./field-order.js";
import { diffFields, jsonOf } from "./field-view.js";
import { structuredJsonDiff } from "./json-diff.js";
import type { PatchRequestRecord } from "./patch-request-record.js";
import type { ProposedEntry } from "./proposed-entry.js";
import { driftProblem, unreachableBlockers } from "./publish-blockers.js";
import { publishDrift } from "./publish-drift.js";
import { rejectedHistoryWarnings, unreplayableHistoryProblem } from "./rejected-history.js";
import { diffStorageTrees, storagePaths } from "./storage-view.js";
import { attachTextDiffs, type FileText, textDiffCandidates } from "./text-diffs.js";
import type { ValidationResult } from "./validate-patch.js";

export interface ReviewInput {
  readonly key: string;
  readonly patchCid: CID;
  readonly record: PatchRequestRecord;
  readonly proposed: readonly ProposedEntry[];
  readonly module: NomadModule;
  readonly target: Omit<TargetInfo, "module">;
  /** The target's state folded from all its sources. */
  readonly before: IpldMap;
  /** The target's id and sources; its `budget`, if any, bounds the fold of the patch on top. */
  readonly foldContext: FoldContext;
  readonly validation: ValidationResult;
  /** What the target's roaming key points at now, to tell what a publish would change beyond the patch. */
  readonly published?: { readonly cid: string; readonly value: IpldMap };
  /** The target's `allowDivergentPublish` setting: a publish that changes more than the patch may go ahead. */
  readonly allowDivergentPublish?: boolean;
  /**
   * Fetches file texts by content CID for Storage text diffs, given the CIDs the diff touches.
   * Passed in, like the crawl's fetchers, so this stays free of I/O; absent: no text diffs.
   */
  readonly loadTexts?: (contentCids: string[]) => Promise<ReadonlyMap<string, FileText>>;
  /** Most files whose texts `loadTexts` is asked for (both sides of each); default 50. */
  readonly maxTextFiles?: number;
  /** The target at the patch's base, to find what the patch writes that changed since; absent: not checked. */
  readonly base?: BaseState;
  readonly reviewedAt: string;
}

/** How many files' texts a review reads for its diffs, unless told otherwise. */
export const DEFAULT_MAX_TEXT_FILES = 50;

/** The after-state: `before` with the applicable proposed entries folded in authoring order. */
async function foldProposed(
  input: Pick<ReviewInput, "proposed" | "module" | "before" | "foldContext" | "validation">,
) {
  const refused = new Set(
    input.validation.errors.flatMap((p) => (p.entryIndex === undefined ? [] : [p.entryIndex])),
  );
  const applicable = input.proposed.filter((p) => p.loaded && !refused.has(p.index));
  const { state, steps } = await input.module.fold(
    input.before,
    applicable.map((p) => p.loaded as LoadedEntry),
    input.foldContext,
  );
  return { after: state, steps, refused };
}

/** docs/design.md §5: the change model of one patch, from what the service has loaded. Pure but for hashing. */
export async function buildReview(input: ReviewInput): Promise<PatchReview> {
  const { after, steps, refused } = await foldProposed(input);
  // Entries whose replay fails change nothing here, but would break every C# device: refuse them too.
  const failing = failingEntryRefusals(steps, input.proposed, input.module.name);
  const refusals = [...input.validation.errors, ...failing];
  for (const problem of failing) refused.add(problem.entryIndex as number);
  const existedBefore = existingPaths(input);
  const stepsOf = stepsByEntry(steps);
  const entries: EntryChange[] = [];
  for (const p of input.proposed) {
    await yieldIfBusy();
    entries.push(withItem(entryChange(p, input.module, stepsOf, refused, refusals), p, input, existedBefore));
  }
  const unpredictable = !input.module.predictsEffects || entries.some((e) => e.effect === "unknown");
  const warnings: Problem[] = [
    ...input.validation.warnings,
    ...targetWarnings(input.target),
    ...rejectedHistoryWarnings(input.target.rejectedHistory),
  ];
  if (unpredictable) {
    warnings.push({
      code: "unpredictable",
      message:
        "The effect of some entries cannot be previewed, so this patch cannot be applied automatically",
    });
  }
  await yieldIfBusy();
  const result = unpredictable ? null : await encodeBlock(after);
  const predictedResultCid = result?.cid.toString() ?? null;
  refusals.push(...resultTooLarge(result?.bytes.byteLength));
  const drift = publishDrift({
    module: input.module.name,
    published: input.published,
    before: input.before,
    after,
    allowed: input.allowDivergentPublish === true,
  });
  const blockers = unreachableBlockers(input.target.unreachableSources ?? []);
  // Allowed on purpose: the reviewer is still told what the publish changes beyond the patch.
  if (drift) (drift.allowed ? warnings : blockers).push(driftProblem(drift));
  const allowDivergent = input.allowDivergentPublish === true;
  const unreplayable = unreplayableHistoryProblem(input.target.rejectedHistory, allowDivergent);
  if (unreplayable) (allowDivergent ? warnings : blockers).push(unreplayable);
  await yieldIfBusy();
  const applied = input.proposed.flatMap((p) => (p.loaded && !refused.has(p.index) ? [p.loaded] : []));
  const conflicts = await conflictCheck(input, after, applied);
  warnings.push(...conflictWarnings(conflicts));
  const count = (effect: EntryEffect) => entries.filter((e) => e.effect === effect).length;
  await yieldIfBusy();
  const view = await moduleView(input, after, steps);
  await yieldIfBusy();
  const diff = jsonDiff(input.before, after);
  await yieldIfBusy();
  return {
    schemaVersion: CHANGE_MODEL_VERSION,
    reviewedAt: input.reviewedAt,
    patch: {
      key: input.key,
      cid: input.patchCid.toString(),
      title: input.record.title,
      description: input.record.description,
      base: input.record.base?.toString() ?? null,
      sources: [...input.record.sources],
    },
    target: { ...input.target, module: input.module.name },
    entries,
    before: jsonOf(input.before),
    after: jsonOf(after),
    predictedResultCid,
    moduleView: view,
    jsonDiff: diff,
    summary: {
      entries: entries.length,
      targetsTouched: new Set(entries.map((e) => e.targetId).filter(Boolean)).size,
      changed: count("changed"),
      noEffect: count("no-effect"),
      unknown: count("unknown"),
      invalid: count("invalid"),
      refused: count("refused"),
      byChange: changeCounts(entries.filter((e) => e.effect === "changed").map((e) => e.change ?? "changed")),
      items: changeCounts(
        view.kind === "storage"
          ? view.items.map((i) => i.change)
          : view.kind === "fields"
            ? view.fields.map((f) => f.change)
            : [],
      ),
    },
    warnings,
    refusals,
    publishDrift: drift ?? null,
    blockers,
    conflicts,
  };
}

async function conflictCheck(input: ReviewInput, after: IpldMap, applied: readonly LoadedEntry[]) {
  if (!input.base) return null;
  const check = detectConflicts({
    module: input.module.name,
    base: input.base,
    current: input.before,
    after,
    entries: applied,
    rootId: input.foldContext.rootId,
  });
  if (!input.loadTexts || check.conflicts.length === 0) return check;
  const texts = await input.loadTexts(conflictTextCandidates(check.conflicts));
  return { ...check, conflicts: attachConflictDiffs(check.conflicts, texts) };
}

function entryChange(
  p: ProposedEntry,
  module: NomadModule,
  stepsOf: ReadonlyMap<LoadedEntry, readonly FoldStep[]>,
  refused: Set<number>,
  errors: readonly Problem[],
): EntryChange {
  const base = {
    index: p.index,
    cid: p.cid.toString(),
    eventId: p.entry?.eventId ?? "",
    effectEventId: effectEventId(p, module),
    targetId: p.entry?.targetId ?? "",
    timestampUtc: p.entry?.timestampUtc ?? null,
    contentCid: p.entry?.content.toString() ?? null,
    content: p.loaded ? jsonOf(p.loaded.content) : null,
  };
  if (refused.has(p.index) || p.problem) {
    const reason =
      errors
        .filter((e) => e.entryIndex === p.index)
        .map((e) => e.message)
        .join("; ") || p.problem?.message;
    return { ...base, effect: "refused", reason };
  }
  const mine = (p.loaded && stepsOf.get(p.loaded)) || [];
  const step = mine.find((s) => s.effect === "changed") ?? mine[0];
  if (!step) return { ...base, effect: "unknown", reason: "the module did not apply this entry" };
  return step.reason
    ? { ...base, effect: step.effect, reason: step.reason }
    : { ...base, effect: step.effect };
}

/** Names the item an entry acts on, and what it does to it when it changes the state (issue: "9 changed" for 9 additions). */
function withItem(
  change: EntryChange,
  p: ProposedEntry,
  input: ReviewInput,
  existedBefore: (path: string) => boolean,
): EntryChange {
  if (!p.loaded || change.effect === "refused") return change;
  const named = entryItem(input.module.name, p.loaded, input.foldContext.rootId, existedBefore);
  if (!named) return change;
  return change.effect === "changed"
    ? { ...change, change: named.change, item: named.item }
    : { ...change, item: named.item };
}

/** For Storage, the paths the target holds before the patch: a create of one of them replaces it. */
function existingPaths(input: ReviewInput): (path: string) => boolean {
  if (input.module.name !== "storage") return () => false;
  let paths: ReadonlySet<string> | undefined;
  return (path) => {
    paths ??= storagePaths(input.before);
    return paths.has(path);
  };
}

export function changeCounts(changes: readonly ItemChange[]): ChangeCounts {
  const by = (kind: ItemChange) => changes.filter((c) => c === kind).length;
  return { added: by("added"), changed: by("changed"), removed: by("removed") };
}

function effectEventId(p: ProposedEntry, module: NomadModule): string {
  const label = p.entry?.eventId ?? "";
  if (module.name !== "storage" || !p.loaded) return label;
  return storageContentKind(p.loaded.content) ?? label;
}

/** Kubo will not take a roaming block over its limit: say so now, not after an approval. */
function resultTooLarge(bytes: number | undefined): Problem[] {
  if (bytes === undefined || bytes <= MAX_BLOCK_BYTES) return [];
  return [
    {
      code: "result-too-large",
      message: `The target's new roaming value would be ${bytes} bytes: too large, over the ${MAX_BLOCK_BYTES}-byte block limit, so it could not be published`,
    },
  ];
}

function targetWarnings(target: ReviewInput["target"]): Problem[] {
  const out: Problem[] = [];
  if (!target.publishedMatchesFold) {
    out.push({
      code: "published-differs",
      message: `The target's published roaming value (${target.publishedCid ?? "none"}) differs from the fold of its sources (${target.foldedCid}); the diff starts from the fold`,
    });
  }
  if (!target.canApply) {
    out.push({
      code: "read-only",
      message:
        "This node does not hold the target's roaming key and a local key: it can preview this patch but not apply it",
    });
  }
  return out;
}

async function moduleView(
  input: ReviewInput,
  after: IpldMap,
  steps: readonly FoldStep[],
): Promise<ModuleView> {
  if (!input.module.predictsEffects) {
    return {
      kind: "none",
      note: `The ${input.module.name} module cannot preview the effect of entries; they are listed below`,
    };
  }
  if (input.module.name === "storage") {
    const items = diffStorageTrees(input.before, after);
    if (!input.loadTexts) return { kind: "storage", items };
    const maxFiles = input.maxTextFiles ?? DEFAULT_MAX_TEXT_FILES;
    const texts = await input.loadTexts(textDiffCandidates(items, maxFiles));
    return { kind: "storage", items: attachTextDiffs(items, texts, maxFiles) };
  }
  // Rows in the order the entries make them; only entries that changed the state can rank a field.
  const changing = steps.filter((step) => step.effect === "changed").map((step) => step.entry);
  const fields = diffFields(input.before, after);
  return {
    kind: "fields",
    fields: await inEntryOrder(fields, input.module, input.before, changing, input.foldContext),
  };
}

/** Aligned by structure: list items by their id, so an added and a removed file never read as renames. */
function jsonDiff(before: unknown, after: unknown): string {
  return structuredJsonDiff(before, after);
}
