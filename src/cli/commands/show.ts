import { type Command, Option } from "commander";
import type { PatchReview } from "../../patch-request/change-model.js";
import { renderReviewJson, renderReviewMarkdown, renderReviewText } from "../../render/index.js";
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
        const review = await ctx.withStore(
          async (store) =>
            (
              await reviewPatch(
                { store },
                { key, limits: reviewLimits(ctx), dataDir: ctx.dataDir, onProgress: ctx.progress },
              )
            ).review,
        );
        ctx.io.stdout.write(renderReview(ctx, review, ctx.globals.json ? "json" : options.format));
      }),
    );
}

export function renderReview(ctx: CommandContext, review: PatchReview, format: ShowFormat): string {
  const text =
    format === "json"
      ? renderReviewJson(review)
      : format === "markdown"
        ? renderReviewMarkdown(review)
        : renderReviewText(review, { color: ctx.io.stdout.isTTY === true, width: ctx.io.stdout.columns });
  return text.endsWith("\n") ? text : `${text}\n`;
}
