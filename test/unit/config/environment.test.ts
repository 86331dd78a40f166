import { describe, expect, it } from "vitest";
import { readEnvironment } from "../../../src/config/environment.js";

describe("readEnvironment", () => {
  it("has safe defaults for every bound", () => {
    const env = readEnvironment({ HOME: "/home/op" });
    expect(env).toMatchObject({
      kuboApiUrl: undefined,
      dataDir: "/home/op/.local/share/nomad-patch",
      resolveTimeoutMs: 60_000,
      callTimeoutMs: 30_000,
      exportIdleMs: 30_000,
      exportMaxMs: 600_000,
      maxEntries: 1000,
      maxBytes: 64 * 1024 * 1024,
      kuboSwarmPort: 4001,
      blockCacheBlocks: 50_000,
      blockCacheBytes: 128 * 1024 * 1024,
      diskCacheBytes: 256 * 1024 * 1024,
      maxWebhookBytes: 25 * 1024 * 1024,
      keysPerSenderPerHour: 30,
      inbox: { perSenderPerMinute: 30, perMinute: 300, maxPending: 100, repositories: [] },
      production: false,
    });
  });

  it("reads the repositories that may bridge an inbox, and refuses what is not owner/repo", () => {
    const env = readEnvironment({ NOMAD_PATCH_INBOX_REPOSITORIES: " octo/app, octo/docs octo/app " });
    expect(env.inbox.repositories).toEqual(["octo/app", "octo/docs"]);
    expect(() => readEnvironment({ NOMAD_PATCH_INBOX_REPOSITORIES: "octo" })).toThrow(
      /NOMAD_PATCH_INBOX_REPOSITORIES[\s\S]*expected owner\/repo, got "octo"/,
    );
    const many = Array.from({ length: 21 }, (_, i) => `octo/r${i}`).join(",");
    expect(() => readEnvironment({ NOMAD_PATCH_INBOX_REPOSITORIES: many })).toThrow(
      /NOMAD_PATCH_INBOX_REPOSITORIES/,
    );
  });

  it("lists every invalid setting at once", () => {
    expect(() =>
      readEnvironment({
        KUBO_API_URL: "ftp://x",
        NOMAD_PATCH_MAX_ENTRIES: "-1",
        NOMAD_PATCH_BLOCK_CACHE_BLOCKS: "0",
        NOMAD_PATCH_MAX_WEBHOOK_BYTES: String(26 * 1024 * 1024),
      }),
    ).toThrow(
      /KUBO_API_URL[\s\S]*NOMAD_PATCH_MAX_ENTRIES[\s\S]*NOMAD_PATCH_BLOCK_CACHE_BLOCKS[\s\S]*NOMAD_PATCH_MAX_WEBHOOK_BYTES/,
    );
  });

  it("refuses a production app without a webhook secret", () => {
    expect(() => readEnvironment({ NODE_ENV: "production", APP_ID: "1" })).toThrow(
      /WEBHOOK_SECRET must be set/,
    );
    // Listed with the other problems, not instead of them.
    expect(() =>
      readEnvironment({ NODE_ENV: "production", APP_ID: "1", NOMAD_PATCH_MAX_ENTRIES: "0" }),
    ).toThrow(/NOMAD_PATCH_MAX_ENTRIES[\s\S]*WEBHOOK_SECRET must be set/);
    expect(readEnvironment({ NODE_ENV: "production", APP_ID: "1", WEBHOOK_SECRET: "s" }).production).toBe(
      true,
    );
  });
});
