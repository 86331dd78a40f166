import { CID } from "multiformats/cid";
import { PolicyRefusal } from "../errors.js";
import type { IpfsStore } from "../ipfs/store.js";
import {
  createLimiter,
  FoldBudget,
  type FoldLimits,
  type IpnsName,
  MAX_BLOCK_BYTES,
  parseIpnsName,
} from "../nomad/index.js";
import { grownEventStreamBytes } from "../nomad/records/event-stream-size.js";
import { buildReview, DEFAULT_MAX_TEXT_FILES } from "../patch-request/build-review.js";
import type { PatchReview, Problem } from "../patch-request/change-model.js";
import { checkCSharpCompatibility } from "../patch-request/csharp-compatibility.js";
import { bytesAsText, type FileText } from "../patch-request/text-diffs.js";
import { validatePatch } from "../patch-request/validate-patch.js";
import { withByteBudget } from "./byte-budget-store.js";
import { readKnownSources } from "./known-sources.js";
import { type LoadedPatchRequest, loadPatchEntries, readPatchRecord } from "./load-patch-request.js";
import { loadProposedContent } from "./load-proposed-content.js";
import { readBaseState } from "./read-base-state.js";
import { resolveReferences } from "./resolve-references.js";
import { loadReviewedTarget, type ReviewedTarget, type TargetForReview } from "./review-target.js";
import type { TargetMemo } from "./target-memo.js";

/** A target this bot (or this CLI invocation) accepts patches for. */
export interface TargetSetting {
  readonly id: string;
  /** A module name; absent or `auto`: recognised from the roaming value's shape. */
  readonly module?: string;
  /** Extra local sources to crawl beside the roaming hint. */
  readonly sources?: readonly string[];
  /** Accept an apply that publishes more changes than the patch's own (docs/configuration.md). */
  readonly allowDivergentPublish?: boolean;
}

export interface ReviewLimits {
  readonly maxEntries: number;
  /** Total bytes fetched for one review (patch, target history, file texts). */
  readonly maxBytes: number;
  readonly resolveTimeoutMs?: number;
  /** Largest file shown as a text diff. */
  readonly maxTextBytes?: number;
  /** Most files whose text is fetched for diffs. */
  readonly maxTextFiles?: number;
  /** The work each fold (the target's, then the patch's on top) may do; absent: the defaults. */
  readonly fold?: FoldLimits;
}

export interface ReviewPatchInput {
  readonly key: string;
  /** Review only this version: if the key now resolves elsewhere, fail with PatchMovedError. */
  readonly expectPatchCid?: string;
  /** Configured targets; undefined accepts any target (the CLI on the operator's own node). */
  readonly targets?: readonly TargetSetting[];
  readonly limits: ReviewLimits;
  /** The data directory, where pairing records the target's other devices (`readKnownSources`, known-sources.json). */
  readonly dataDir?: string;
  /** Accept a divergent publish whatever the target's setting says (`nomad-patch apply --allow-divergent-publish`). */
  readonly allowDivergentPublish?: boolean;
  readonly now?: Date;
  readonly onProgress?: (message: string) => void;
}

export interface ReviewedPatch {
  readonly review: PatchReview;
  readonly patch: LoadedPatchRequest;
  readonly target: ReviewedTarget;
}

/**
 * docs/design.md §4–5, shared by the app and the CLI:
 * 1. resolve the key and read the patch request's record (within the byte budget);
 * 2. refuse a target that is not configured, before crawling anything of it;
 * 3. read the patch's entries and, together, load the target: fold every known source (roaming hint,
 *    own, configured, paired) from the seed;
 * 4. load the proposed entries' content with the target's module;
 * 5. validate, and check that every C# device could still load the target with the entries in it
 *    (looking up the other objects the entries name); 6. fold the entries on top and fetch small file
 *    texts for Storage diffs; 7. build the change model, with the predicted result CID, and what would
 *    block an apply now (unreachable sources, a publish that changes more than the patch), and what
 *    the patch writes that changed after its base (read as the roaming value at `Base`: a conflict).
 */
export async function reviewPatch(
  deps: {
    readonly store: IpfsStore & {
      readonly targetMemo?: TargetMemo;
      readonly rememberDecodedDag?: (root: CID) => void;
      readonly holdDiskWrites?: () => () => void;
    };
  },
  input: ReviewPatchInput,
): Promise<ReviewedPatch> {
  // The disk cache's writes of what this review reads wait for its answer: a cold review's exports
  // bring thousands of blocks, and writing them on the same thread in the middle of it delayed the
  // answer (docs/decisions.md, "A review's disk-cache writes come after its answer").
  const release = deps.store.holdDiskWrites?.();
  try {
    return await reviewPatchHeld(deps, input);
  } finally {
    release?.();
  }
}

async function reviewPatchHeld(
  deps: Parameters<typeof reviewPatch>[0],
  input: ReviewPatchInput,
): Promise<ReviewedPatch> {
  const store = withByteBudget(deps.store, input.limits.maxBytes);
  const limit = createLimiter(8);
  const read = await readPatchRecord(store, input.key, {
    resolveTimeoutMs: input.limits.resolveTimeoutMs,
    onProgress: input.onProgress,
    expectCid: input.expectPatchCid,
  });
  const setting = targetSetting(input.targets, read.record.target);

  // The record names the target: its history and the patch's entries are read together, so a cold
  // review waits for the longer of the two reads rather than for both in turn (docs/benchmarks.md).
  const pairedSources = input.dataDir ? await readKnownSources(input.dataDir, setting.id) : undefined;
  input.onProgress?.(`folding target ${read.record.target}…`);
  const [patch, target] = await Promise.all([
    loadPatchEntries(store, read, {
      maxEntries: input.limits.maxEntries,
      limit,
      onProgress: input.onProgress,
    }),
    loadReviewedTarget(store, deps.store.targetMemo, {
      target: setting.id,
      module: setting.module,
      sources: setting.sources,
      pairedSources,
      resolve: { timeoutMs: input.limits.resolveTimeoutMs },
      foldLimits: input.limits.fold,
    }),
  ]);
  const proposed = await loadProposedContent(store, patch.proposed, target.module, limit, {
    timeoutMs: input.limits.resolveTimeoutMs,
  });
  const validation = validatePatch({
    key: patch.key,
    record: patch.record,
    entries: proposed,
    allowedTargets: input.targets?.map((t) => parseIpnsName(t.id)),
    targetPublishedCid: target.published?.cid ?? null,
    maxEntries: input.limits.maxEntries,
  });
  const references = await resolveReferences(store, {
    module: target.module.name,
    entries: proposed,
    timeoutMs: input.limits.resolveTimeoutMs,
    limit,
  });
  validation.errors.push(
    ...checkCSharpCompatibility({ module: target.module.name, entries: proposed, references }),
    ...ownStreamTooLarge(target, patch.proposed.length),
  );

  const review = await buildReview({
    proposed,
    module: target.module,
    before: target.state,
    foldContext: {
      rootId: target.targetId,
      sources: target.sources,
      budget: new FoldBudget(input.limits.fold, "patch"),
    },
    validation,
    key: patch.key,
    patchCid: patch.cid,
    record: patch.record,
    target: {
      id: target.targetId,
      name: displayName(target),
      publishedCid: target.published?.cid.toString() ?? null,
      foldedCid: target.foldedCid.toString(),
      publishedMatchesFold: target.matchesPublished !== false,
      canApply: target.ownLocalKey !== undefined,
      historyEntries: target.entryCount,
      sourceCount: target.visited.length,
      unreachableSources: target.unreachable,
      rejectedHistory: target.rejectedHistory,
    },
    published: target.published && { cid: target.published.cid.toString(), value: target.published.value },
    allowDivergentPublish: setting.allowDivergentPublish === true || input.allowDivergentPublish === true,
    loadTexts: (cids) => fetchTexts(store, cids, input.limits),
    maxTextFiles: input.limits.maxTextFiles ?? DEFAULT_MAX_TEXT_FILES,
    base: await readBaseState(store, patch.record.base, target.published),
    reviewedAt: (input.now ?? new Date()).toISOString(),
  });
  // A patch that passed every check, within the budget, is kept decoded for the review after a restart;
  // a refused one (a hostile one among them) is read again as blocks each time (docs/decisions.md).
  if (review.refusals.length === 0) deps.store.rememberDecodedDag?.(patch.cid);
  return { review, patch, target };
}

/**
 * An apply appends the patch's entries to this node's own stream for the target: that block must fit
 * as well. The planned entries' CIDs are not known yet, but every entry CID has the same size: the
 * stream, measured when the target was folded, grows by one link of its last entry's size per entry.
 */
function ownStreamTooLarge(target: TargetForReview, added: number): Problem[] {
  const own = target.ownStream;
  if (!own || own.entries === 0 || added === 0) return [];
  const bytes = grownEventStreamBytes(own, added);
  if (bytes <= MAX_BLOCK_BYTES) return [];
  return [
    {
      code: "stream-too-large",
      message: `This node's event stream for the target would be ${bytes} bytes with these entries: too large, over the ${MAX_BLOCK_BYTES}-byte block limit`,
    },
  ];
}

function targetSetting(targets: readonly TargetSetting[] | undefined, target: IpnsName): TargetSetting {
  if (!targets) return { id: target };
  const found = targets.find((t) => parseIpnsName(t.id) === target);
  if (!found) {
    throw new PolicyRefusal(
      `The patch request targets ${target}, which is not one of the targets configured for this repository`,
      { hint: "add it under `targets:` in the configuration to review it" },
    );
  }
  return { ...found, module: found.module === "auto" ? undefined : found.module };
}

function displayName(target: ReviewedTarget): string | undefined {
  return displayNameOf(target.published?.value ?? target.state);
}

/** The name a Nomad object's value gives itself (`StorableItemName` for Storage, `Name` otherwise), if any. */
export function displayNameOf(value: Readonly<Record<string, unknown>>): string | undefined {
  for (const key of ["StorableItemName", "Name"]) {
    const name = value[key];
    if (typeof name === "string" && name !== "") return name;
  }
  return undefined;
}

/**
 * The texts of the contents the review chose (both sides of at most `maxTextFiles` files, or the three
 * sides of conflicting files); the cap on contents is a last bound, never what decides which files show.
 */
async function fetchTexts(
  store: IpfsStore,
  cids: string[],
  limits: ReviewLimits,
): Promise<Map<string, FileText>> {
  const maxBytes = limits.maxTextBytes ?? 64 * 1024;
  const maxContents = 3 * (limits.maxTextFiles ?? DEFAULT_MAX_TEXT_FILES);
  const texts = new Map<string, FileText>();
  await Promise.all(
    cids.map(async (cid, i) => {
      if (i >= maxContents) return texts.set(cid, { note: "content not fetched" });
      try {
        texts.set(cid, bytesAsText(await store.catFile(CID.parse(cid), { maxBytes })));
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code !== "LIMIT") return texts.set(cid, { note: "content unreachable" });
        // Too large to show as text: its size is still worth saying, and costs one small read.
        const size = await store.fileSize(CID.parse(cid)).catch(() => undefined);
        texts.set(cid, {
          note: `larger than ${maxBytes} bytes`,
          tooLarge: true,
          ...(size === undefined ? {} : { size }),
        });
      }
    }),
  );
  return texts;
}
