import { describe, expect, it } from "vitest";
import { readEnvironment } from "../../../src/config/environment.js";
import { inboxLimitsFrom } from "../../../src/service/inbox/open-inbox.js";
import { createRateLimiter } from "../../../src/service/inbox/rate-limit.js";

describe("the inbox's rate limits", () => {
  it("lets a burst through, then refills at the rate", () => {
    const limiter = createRateLimiter({ perMinute: 60, burst: 3 });
    const taken = [0, 0, 0, 0].map(() => limiter.take("peer", 0));
    expect(taken).toEqual([true, true, true, false]);
    expect(limiter.take("peer", 999)).toBe(false);
    expect(limiter.take("peer", 1000)).toBe(true);
    expect(limiter.take("other", 1000)).toBe(true);
  });

  it("tracks at most maxNames senders, forgetting the least recent", () => {
    const limiter = createRateLimiter({ perMinute: 1, burst: 1 }, 2);
    expect(limiter.take("a", 0)).toBe(true);
    expect(limiter.take("b", 0)).toBe(true);
    expect(limiter.take("a", 0)).toBe(false);
    // "b" is now the least recent: a third sender pushes it out, and it starts with a fresh burst.
    expect(limiter.take("c", 0)).toBe(true);
    expect(limiter.take("b", 0)).toBe(true);
    expect(limiter.take("a", 0)).toBe(true);
  });
});

describe("the inbox's limits from the deployment's settings", () => {
  it("takes the rates and the pending cap from NOMAD_PATCH_INBOX_*, with bursts of a third of a minute", () => {
    const limits = inboxLimitsFrom(
      readEnvironment({
        HOME: "/home/op",
        NOMAD_PATCH_INBOX_PER_SENDER_PER_MINUTE: "6",
        NOMAD_PATCH_INBOX_PER_MINUTE: "1",
        NOMAD_PATCH_INBOX_MAX_PENDING: "7",
        NOMAD_PATCH_RESOLVE_TIMEOUT_SECONDS: "9",
      }),
    );
    expect(limits).toMatchObject({
      perSender: { perMinute: 6, burst: 2 },
      global: { perMinute: 1, burst: 1 },
      maxPending: 7,
      resolveTimeoutMs: 9000,
    });
  });
});
