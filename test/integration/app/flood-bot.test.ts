import { describe, expect, it } from "vitest";
import type { IpfsStore } from "../../../src/ipfs/store.js";
import { parseMarker } from "../../../src/render/marker.js";
import { appPerTest } from "./harness.js";
import { commentCreated, issueLabeled } from "./payloads.js";

const ADMIN = { permission: "admin", role_name: "admin" };
const TARGET = "k51qzi5uqu5dlvj2baxnqndepeb86cbk3ng7n3i46uzyxzyqj2xjonzllnv0v8";
const APPROVE = "nomad-patch: approve";
const FLOODER = "some-app[bot]";

/** A bot's label and `/hold` need no IPFS: a store that fails on every call proves it was never touched. */
const noIpfs = new Proxy({} as IpfsStore, {
  get: () => () => Promise.reject(new Error("IPFS must not be used by a label or /hold")),
});

describe("the GitHub App under a flood of approve labels from another app's bot", () => {
  const apps = appPerTest();

  it("bounds what 1,000 labels from one bot cost, answers the bot nothing, and still answers a maintainer", async () => {
    const app = await apps.start(noIpfs, {
      config: `targets:\n  - id: ${TARGET}\n`,
      permissions: { maintainer: ADMIN },
    });
    // 1,000 `labeled` events at once, over 100 issues (a labelling workflow gone wrong, or a hostile app
    // installed on the repository), then a maintainer's `/hold` on an issue of its own.
    const floodIssues = Array.from({ length: 100 }, (_, i) => 2_000 + i);
    const flood = Array.from({ length: 1_000 }, (_, i) => {
      const issue = { number: floodIssues[i % floodIssues.length] as number, labels: [APPROVE] };
      const payload = issueLabeled(issue, APPROVE, FLOODER);
      payload.sender = { ...payload.sender, type: "Bot" };
      return app.deliver("issues", payload, `bot-label-${i}`);
    });
    const hold = app.deliver("issue_comment", commentCreated({ number: 1, body: "" }, "/hold", "maintainer"));
    await Promise.all([...flood, hold]);
    await app.settle();
    expect(app.failures).toEqual([]);

    // The per-sender cap bounds the queue: one job runs and 100 wait, the rest are dropped unread.
    const dropped = app.logs.filter((l) => /too many events of this sender waiting: dropped/.test(l.msg));
    const taken = app.logs.filter(
      (l) => l.msg === "approve label added by a bot: no approval, label taken off",
    );
    expect(taken.length + dropped.length).toBe(1_000);
    expect(taken.length).toBeLessThanOrEqual(101);
    expect(dropped.length).toBeGreaterThanOrEqual(899);

    // What the flood cost GitHub: per job it ran, one read of the configuration and one label taken off;
    // never a permission asked, never a comment (a bot is answered by no comment, a dropped one neither).
    const onFlood = app.gh.requests.filter((r) => floodIssues.some((n) => r.path.includes(`/issues/${n}/`)));
    const configReads = app.gh.requests.filter((r) => r.path.includes("/contents/"));
    expect(app.gh.requests.filter((r) => r.path.includes("/permission") && r.path.includes("bot"))).toEqual(
      [],
    );
    expect(onFlood.filter((r) => r.method === "POST")).toEqual([]);
    for (const n of floodIssues) expect(app.gh.botComments(n)).toEqual([]);
    expect(onFlood.filter((r) => r.method === "DELETE").length).toBeLessThanOrEqual(taken.length);
    expect(configReads.length).toBeLessThanOrEqual(taken.length + 1);
    expect(app.gh.requests.length).toBeLessThanOrEqual(2 * taken.length + 10);
    console.log(
      "FLOOD",
      taken.length,
      dropped.length,
      onFlood.length,
      configReads.length,
      app.gh.requests.length,
    );

    // The maintainer was answered, before the bot's jobs were done: its jobs run one at a time.
    const held = app.gh.botComments(1).filter((c) => parseMarker(c.body)?.state === "held");
    expect(held).toHaveLength(1);
    expect(app.gh.sent("POST", "/issues/1/labels").map((r) => r.body)).toEqual([
      { labels: ["nomad-patch: held"] },
    ]);
    const holdAt = app.gh.requests.findIndex(
      (r) => r.method === "POST" && r.path.endsWith("/issues/1/labels"),
    );
    const lastFloodAt = app.gh.requests.lastIndexOf(onFlood.at(-1) as (typeof onFlood)[number]);
    expect(holdAt).toBeGreaterThanOrEqual(0);
    expect(holdAt).toBeLessThan(lastFloodAt);
  });
});
