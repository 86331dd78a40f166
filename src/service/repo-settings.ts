import type { Environment } from "../config/environment.js";
import { effectiveLimits, type NomadPatchConfig } from "../policy/index.js";
import type { ReviewLimits, TargetSetting } from "./review-patch.js";

/**
 * What a rules file (`.github/nomad-patch.yml`, or `watch --config`) asks of a review: the app and
 * `nomad-patch watch` read it the same way.
 */

/** The repository's limits, lowered to the deployment's where the operator set tighter ones. */
export function reviewLimits(
  config: NomadPatchConfig,
  environment: Pick<Environment, "maxEntries" | "maxBytes" | "resolveTimeoutMs" | "foldLimits">,
): ReviewLimits {
  const limits = effectiveLimits(config.limits, {
    maxEntries: environment.maxEntries,
    maxBytes: environment.maxBytes,
    resolveTimeoutSeconds: Math.ceil(environment.resolveTimeoutMs / 1000),
  });
  return {
    maxEntries: limits.maxEntries,
    maxBytes: limits.maxBytes,
    resolveTimeoutMs: limits.resolveTimeoutSeconds * 1000,
    fold: environment.foldLimits,
  };
}

export function targetSettings(config: NomadPatchConfig): TargetSetting[] {
  return config.targets.map((target) => ({
    id: target.id,
    module: target.module,
    sources: target.sources,
    allowDivergentPublish: target.allowDivergentPublish,
  }));
}
