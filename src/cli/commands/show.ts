import { type Command, Option } from "commander";
import type { ApplyOutcome } from "../../patch-request/apply-outcome.js";
import type { PatchReview } from "../../patch-request/change-model.js";
import {
  renderAppliedText,
  renderOutcomeMarkdown,
  renderReviewJson,
  renderReviewMarkdown,
  renderReviewText,
} from "../../render/index.js";
import { findApplied } from "../../service/find-applied.js";
import { openNodeJournal } from "../../service/node-journal.js";
import { reviewPatch } from "../../service/review-patch.js";
import { checkKeyArgument } from "../arguments.js";
import type { CommandContext, Runner } from "../context.js";
import { reviewLimits } from "./review-limits.js";

export type ShowFormat = "text" | "markdown" | "json";

/** `show <key>`: review a patch against its target as this node sees it, in one of three renderings. */
export function registerShow(program: Command, run: Runner) {
  program
    .command("show")
    .summary("show what a patch request would change")
    .description(
      "Resolve a patch request, fold its target from all sources, and show what applying it would change: the module view (file tree and text diffs, or field changes), every entry, and a JSON diff.",
    )
    .argument("<key>", "the patch request key (k51…, /ipns/…, ipns://…)")
    .addOption(
      new Option("--format <format>", "text (the terminal), markdown (as on GitHub) or json")
        .choices(["text", "markdown", "json"])
        .default("text"),
    )
    .action((key: string, options: { format: ShowFormat }) =>
      run(async (ctx) => {
        checkKeyArgument(key, "the patch request key");
        const format = ctx.globals.json ? "json" : options.format;
        const limits = reviewLimits(ctx);
        const text = await ctx.withStore(async (store) => {
          // What this node's journal knows comes first: an applied version is not offered for review again.
          const journal = await openNodeJournal(store, ctx.dataDir);
          const applied = await findApplied(
            { store, journal },
            { key, resolveTimeoutMs: limits.resolveTimeoutMs },
          );
          if (applied) return renderApplied(ctx, applied, journal.peerId, format);
          const { review } = await reviewPatch(
            { store },
            { key, limits, dataDir: ctx.dataDir, onProgress: ctx.progress },
          );
          return renderReview(ctx, review, format);
        });
        ctx.io.stdout.write(text);
      }),
    );
}

/** An applied version: its apply outcome as JSON (what `apply --json` prints), Markdown or text. */
function renderApplied(
  ctx: CommandContext,
  outcome: ApplyOutcome,
  peerId: string,
  format: ShowFormat,
): string {
  if (format === "json") return `${JSON.stringify(outcome, null, 2)}\n`;
  if (format === "markdown") return `${renderOutcomeMarkdown(outcome)}\n`;
  return renderAppliedText(outcome, peerId, { color: ctx.io.stdout.isTTY === true, width: ctx.width });
}

export function renderReview(ctx: CommandContext, review: PatchReview, format: ShowFormat): string {
  const text =
    format === "json"
      ? renderReviewJson(review)
      : format === "markdown"
        ? renderReviewMarkdown(review)
        : renderReviewText(review, {
            color: ctx.io.stdout.isTTY === true,
            width: ctx.width,
            command: ctx.sameNode,
          });
  return text.endsWith("\n") ? text : `${text}\n`;
}
