import type { Command } from "commander";
import { PolicyRefusal, UsageError } from "../../errors.js";
import type { PatchReview } from "../../patch-request/change-model.js";
import { renderOutcomeText } from "../../render/index.js";
import { ReadOnlyTargetError, TargetMovedError } from "../../service/apply-errors.js";
import { applyPatch, throwIfConflicted } from "../../service/apply-patch.js";
import { findApplied } from "../../service/find-applied.js";
import { openNodeJournal } from "../../service/node-journal.js";
import { reviewPatch } from "../../service/review-patch.js";
import { throwIfBlocked } from "../../service/throw-if-blocked.js";
import { checkCidOption, checkKeyArgument } from "../arguments.js";
import type { CommandContext, Runner } from "../context.js";
import { DeclinedError } from "../declined.js";
import { reviewLimits } from "./review-limits.js";
import { renderReview } from "./show.js";

interface ApplyOptions {
  readonly expect?: string;
  readonly expectResult?: string;
  readonly yes?: boolean;
  readonly allowDivergentPublish?: boolean;
  readonly overrideConflicts?: boolean;
}

/** `apply <key>`: show what will change, ask, then apply as one of the target's devices. */
export function registerApply(program: Command, run: Runner) {
  program
    .command("apply")
    .summary("apply a patch request as one of the target's devices")
    .description(
      "Review the patch request, show what will change, ask, and apply it: append its entries to this node's local stream with fresh timestamps, publish, fold and publish the roaming value. The apply binds to what was shown (or to --expect / --expect-result): if the key or the target moved since, nothing is written. Applying the same version twice changes nothing.",
    )
    .argument("<key>", "the patch request key")
    .option(
      "--expect <patch-cid>",
      "apply only if the key still resolves to this CID (what the approver saw)",
    )
    .option("--expect-result <cid>", "apply only if the result would be this roaming CID")
    .option(
      "--allow-divergent-publish",
      "apply even when publishing would also change what the patch does not (the fold of the known sources does not reproduce the published value)",
    )
    .option(
      "--override-conflicts",
      "apply even though what the patch writes changed after its base, removing those changes (rebasing the patch is the better way)",
    )
    .option("-y, --yes", "do not ask")
    .action((key: string, options: ApplyOptions) => run((ctx) => applyCommand(ctx, key, options)));
}

async function applyCommand(ctx: CommandContext, key: string, options: ApplyOptions): Promise<void> {
  if (!options.yes && !ctx.io.confirm)
    throw new UsageError("There is no terminal to ask on: pass --yes to apply without asking");
  checkKeyArgument(key, "the patch request key");
  checkCidOption(options.expect, "--expect");
  checkCidOption(options.expectResult, "--expect-result");
  const limits = reviewLimits(ctx);
  await ctx.withStore(async (store) => {
    const color = ctx.io.stdout.isTTY === true;
    // The node's own journal: another node sharing this data directory has applied nothing of this one's.
    const journal = await openNodeJournal(store, ctx.dataDir);
    const applied = await findApplied(
      { store, journal },
      { key, expectPatchCid: options.expect, resolveTimeoutMs: limits.resolveTimeoutMs },
    );
    if (applied) {
      ctx.print(renderOutcomeText(applied, { color, width: ctx.width }), applied);
      return;
    }
    const { review } = await reviewPatch(
      { store },
      {
        key,
        expectPatchCid: options.expect,
        limits,
        dataDir: ctx.dataDir,
        allowDivergentPublish: options.allowDivergentPublish,
        onProgress: ctx.progress,
      },
    );
    if (!ctx.globals.json) ctx.io.stdout.write(renderReview(ctx, review, "text"));
    const expectResultCid = checkApplicable(review, options);
    if (
      !options.yes &&
      !(await ctx.io.confirm?.(`Apply ${review.entries.length} entries to ${review.target.id}?`))
    )
      throw new DeclinedError("Not applied: the answer was no");
    ctx.progress("applying…");
    const outcome = await applyPatch(
      { store, journal },
      {
        key,
        expectPatchCid: review.patch.cid,
        expectResultCid,
        limits,
        dataDir: ctx.dataDir,
        allowDivergentPublish: options.allowDivergentPublish,
        overrideConflicts: options.overrideConflicts,
      },
    );
    ctx.print(renderOutcomeText(outcome, { color, width: ctx.width }, review), outcome);
  });
}

/** The checks apply makes again, made before asking, so nobody is asked about a patch that cannot land. */
function checkApplicable(review: PatchReview, options: ApplyOptions): string {
  if (review.refusals.length > 0) {
    const reasons = review.refusals.map((r) => `- ${r.message}`).join("\n");
    throw new PolicyRefusal(`The patch request ${review.patch.key} is refused:\n${reasons}`);
  }
  if (!review.target.canApply) throw new ReadOnlyTargetError(review.target.id);
  throwIfBlocked(review);
  throwIfConflicted(review, options.overrideConflicts === true);
  const predicted = review.predictedResultCid;
  if (predicted === null)
    throw new PolicyRefusal(
      "The result of this patch cannot be predicted (unknown events), so it is not applied",
    );
  if (options.expectResult !== undefined && options.expectResult !== predicted)
    throw new TargetMovedError(review.target.id, options.expectResult, predicted);
  return predicted;
}
