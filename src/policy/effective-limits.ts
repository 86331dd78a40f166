import type { LimitsConfig } from "./config-schema.js";

/**
 * The limits that apply: the repository's, lowered to the deployment's where the operator set a
 * tighter bound in the environment. A repository can tighten the operator's limits, never lift them.
 */
export function effectiveLimits(repository: LimitsConfig, deployment: Partial<LimitsConfig>): LimitsConfig {
  const lower = (key: keyof LimitsConfig) =>
    Math.min(repository[key], deployment[key] ?? Number.POSITIVE_INFINITY);
  return {
    maxEntries: lower("maxEntries"),
    maxBytes: lower("maxBytes"),
    resolveTimeoutSeconds: lower("resolveTimeoutSeconds"),
    maxKeysPerComment: lower("maxKeysPerComment"),
    // A longer interval is the tighter bound, and the operator sets none: the repository's stands.
    refreshIntervalMinutes: repository.refreshIntervalMinutes,
    // Raised to the deployment's minimum where the key is watched (src/app/watch/watch-key.ts).
    watchIntervalMinutes: repository.watchIntervalMinutes,
  };
}
