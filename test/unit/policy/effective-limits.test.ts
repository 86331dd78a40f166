import { describe, expect, it } from "vitest";
import { effectiveLimits } from "../../../src/policy/index.js";
import { buildConfig } from "./build-config.js";

describe("effectiveLimits", () => {
  it("lets the deployment lower a repository's limits but never raise them", () => {
    const repository = buildConfig({ limits: { maxEntries: 500, resolveTimeoutSeconds: 20 } }).limits;
    expect(
      effectiveLimits(repository, { maxEntries: 100, resolveTimeoutSeconds: 120, maxBytes: 1024 }),
    ).toEqual({
      maxEntries: 100,
      maxBytes: 1024,
      resolveTimeoutSeconds: 20,
      maxKeysPerComment: 5,
      refreshIntervalMinutes: 5,
      watchIntervalMinutes: 10,
    });
  });

  it("keeps the repository's limits where the deployment sets none", () => {
    const repository = buildConfig().limits;
    expect(effectiveLimits(repository, {})).toEqual(repository);
  });
});
