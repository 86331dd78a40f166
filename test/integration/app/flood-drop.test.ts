import { describe, expect, it } from "vitest";
import type { IpfsStore } from "../../../src/ipfs/store.js";
import { parseMarker } from "../../../src/render/marker.js";
import { appPerTest } from "./harness.js";
import { commentCreated } from "./payloads.js";

const ADMIN = { permission: "admin", role_name: "admin" };
const TARGET = "k51qzi5uqu5dlvj2baxnqndepeb86cbk3ng7n3i46uzyxzyqj2xjonzllnv0v8";

/** `/hold` needs no IPFS: a store that fails on every call proves it was never touched. */
const noIpfs = new Proxy({} as IpfsStore, {
  get: () => () => Promise.reject(new Error("IPFS must not be used by /hold")),
});

describe("the GitHub App when one person sends more at once than may wait", () => {
  const apps = appPerTest();

  it("does every accepted event once, tells the person once about the dropped ones, and takes a redelivery of a dropped one", async () => {
    const app = await apps.start(noIpfs, {
      config: `targets:\n  - id: ${TARGET}\n`,
      permissions: { maintainer: ADMIN },
    });
    const issues = Array.from({ length: 300 }, (_, i) => 1_000 + i);
    const deliveryOf = (issue: number) => `hold-${issue}`;
    const payloadOf = (issue: number) =>
      commentCreated({ number: issue, body: "" }, "/hold", "maintainer", { id: 90_000 + issue });
    await Promise.all(
      issues.map((issue) => app.deliver("issue_comment", payloadOf(issue), deliveryOf(issue))),
    );
    await app.settle();
    expect(app.failures).toEqual([]);

    const held = (issue: number) =>
      app.gh.botComments(issue).filter((c) => parseMarker(c.body)?.state === "held").length;
    const labelled = (issue: number) => app.gh.sent("POST", `/issues/${issue}/labels`).length;
    const doneOnce = issues.filter((n) => held(n) === 1 && labelled(n) === 1);
    const untouched = issues.filter((n) => held(n) === 0 && labelled(n) === 0);
    // Nothing accepted is lost or done twice: every issue is either done once or was dropped whole.
    expect(doneOnce.length + untouched.length).toBe(issues.length);
    expect(doneOnce.length).toBeGreaterThanOrEqual(101);
    expect(untouched.length).toBeGreaterThan(0);
    expect(
      app.logs.filter((l) => /too many events of this sender waiting: dropped/.test(l.msg)),
    ).toHaveLength(untouched.length);

    // One note for the whole flood, on an issue whose event was dropped, saying what to do.
    const notes = issues.flatMap((n) =>
      app.gh
        .botComments(n)
        .filter((c) => c.body.includes("Too much at once"))
        .map(() => n),
    );
    expect(notes).toHaveLength(1);
    expect(untouched).toContain(notes[0]);
    expect(app.gh.botComments(notes[0] as number)[0]?.body).toContain("Post it again later");

    // GitHub's "Redeliver" of a dropped event (same delivery id) is done, once.
    const redelivered = untouched.at(-1) as number;
    await app.deliver("issue_comment", payloadOf(redelivered), deliveryOf(redelivered));
    await app.settle();
    expect([held(redelivered), labelled(redelivered)]).toEqual([1, 1]);
  });
});
