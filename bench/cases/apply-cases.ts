import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KuboStore } from "../../src/ipfs/kubo-store.js";
import type { IpfsStore } from "../../src/ipfs/store.js";
import { openFileJournal } from "../../src/service/apply-journal.js";
import { applyPatch } from "../../src/service/apply-patch.js";
import { withBlockCache } from "../../src/service/caching-store.js";
import { timed } from "../measure/timing.js";
import { writeProjectHistory } from "../setup/write-history.js";
import { writePatch } from "../setup/write-patch.js";
import { benchReviewLimits, reviewAndRender } from "./review-case.js";

export interface ApplyCaseResult {
  readonly patchEntries: number;
  readonly historyEntries: number;
  /** The approval's review, then the apply (which reviews again, writes, publishes and pins). */
  readonly reviewMs: number;
  readonly applyMs: number;
}

const APPLY_HISTORY = 100;

/**
 * The apply engine for one patch size, on a target of its own (so earlier applies do not grow its
 * history): approve what a review showed, apply it, and check the result is what was predicted.
 */
export async function runApplyCase(
  operator: KuboStore,
  contributor: IpfsStore,
  entries: number,
  log: (line: string) => void,
): Promise<ApplyCaseResult> {
  const target = await writeProjectHistory(operator, {
    name: `bench-apply-${entries}`,
    entries: APPLY_HISTORY,
  });
  const patch = await writePatch(contributor, {
    name: `bench-apply-${entries}`,
    target: target.id,
    base: target.roamingCid,
    entries,
  });
  const store = withBlockCache(operator, { maxBlocks: 100_000 });
  const reviewed = await timed(() => reviewAndRender(store, patch.key, entries));
  const dataDir = await mkdtemp(join(tmpdir(), "nomad-patch-bench-"));
  try {
    const journal = await openFileJournal(dataDir);
    const applied = await timed(() =>
      applyPatch(
        { store, journal },
        {
          key: patch.key,
          expectPatchCid: reviewed.value.review.patch.cid,
          expectResultCid: reviewed.value.review.predictedResultCid as string,
          limits: benchReviewLimits,
        },
      ),
    );
    const outcome = applied.value;
    if (outcome.status !== "applied" || outcome.entryCids.length !== entries)
      throw new Error(`bench apply of ${entries} entries ended ${outcome.status}`);
    if (outcome.roamingCid !== reviewed.value.review.predictedResultCid)
      throw new Error(`bench apply published ${outcome.roamingCid}, not the predicted result`);
    log(`apply ${entries}: review ${reviewed.ms.toFixed(0)} ms, apply ${applied.ms.toFixed(0)} ms`);
    return {
      patchEntries: entries,
      historyEntries: APPLY_HISTORY,
      reviewMs: reviewed.ms,
      applyMs: applied.ms,
    };
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}
