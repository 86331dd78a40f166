import type { ReviewLimits } from "../../service/review-patch.js";
import type { CommandContext } from "../context.js";

/** The same bounds the app uses, from the same settings. */
export function reviewLimits(ctx: CommandContext): ReviewLimits {
  return {
    maxEntries: ctx.env.maxEntries,
    maxBytes: ctx.env.maxBytes,
    resolveTimeoutMs: ctx.env.resolveTimeoutMs,
    fold: ctx.env.foldLimits,
  };
}
