import { describe, expect, it } from "vitest";
import type { IpfsStore } from "../../../src/ipfs/store.js";
import { parseMarker } from "../../../src/render/marker.js";
import { appPerTest } from "./harness.js";
import { commentCreated } from "./payloads.js";

const WRITE = { permission: "write", role_name: "write" };
const ADMIN = { permission: "admin", role_name: "admin" };
const TARGET = "k51qzi5uqu5dlvj2baxnqndepeb86cbk3ng7n3i46uzyxzyqj2xjonzllnv0v8";
const HELD = "nomad-patch: held";

/** An approval of an issue on hold needs no IPFS: a store that fails on every call proves it was never used. */
const noIpfs = new Proxy({} as IpfsStore, {
  get: () => () => Promise.reject(new Error("IPFS must not be used by an approval on hold")),
});

describe("the GitHub App under a writer's flood of /apply", () => {
  const apps = appPerTest();

  it("bounds what 1,000 /apply on a held issue cost GitHub, and a maintainer elsewhere is answered first", async () => {
    const app = await apps.start(noIpfs, {
      config: `targets:\n  - id: ${TARGET}\n`,
      permissions: { writer: WRITE, maintainer: ADMIN },
    });
    // The issue is on hold: every approval reads the labels as GitHub has them now (`heldNow`).
    app.gh.labels.add(HELD);
    const issue = { number: 300, body: "", labels: [HELD] };
    const flood = Array.from({ length: 1_000 }, (_, i) =>
      app.deliver(
        "issue_comment",
        commentCreated(issue, "/apply", "writer", { id: 50_000 + i }),
        `apply-flood-${i}`,
      ),
    );
    const hold = app.deliver("issue_comment", commentCreated({ number: 1, body: "" }, "/hold", "maintainer"));
    await Promise.all([...flood, hold]);
    await app.settle();
    expect(app.failures).toEqual([]);

    // One job runs and at most 100 wait for the writer: the rest are dropped before any GitHub call.
    const ran = app.logs.filter((l) => l.msg === "approval ignored: the issue is on hold").length;
    const dropped = app.logs.filter((l) => /too many events of this sender waiting: dropped/.test(l.msg));
    expect(ran + dropped.length).toBe(1_000);
    expect(ran).toBeLessThanOrEqual(101);

    // Per approval that ran: the writer's permission and the issue's labels read once, its comments listed
    // twice (for an apply begun before the hold, and for the bot's comments that no longer verify); a
    // reaction and one answer written, and one note in all for the dropped events. No label put on or off.
    const onFlood = app.gh.requests.filter((r) => r.path.includes("/issues/300"));
    const permissionReads = app.gh.sent("GET", "/collaborators/writer/permission").length;
    const labelReads = app.gh.sent("GET", "/issues/300").length;
    const commentLists = app.gh.sent("GET", "/issues/300/comments").length;
    const answers = app.gh.botComments(300);
    expect(permissionReads).toBeLessThanOrEqual(ran);
    expect(labelReads).toBe(ran);
    expect(commentLists).toBeLessThanOrEqual(2 * ran);
    expect(answers.length).toBeLessThanOrEqual(ran + 1);
    expect(onFlood.filter((r) => r.method === "POST" && r.path.endsWith("/labels"))).toEqual([]);
    expect(onFlood.filter((r) => r.method === "DELETE")).toEqual([]);
    const writes = app.gh.requests.filter((r) => r.method !== "GET" && r.path.includes("/issues/300"));
    expect(writes.length).toBeLessThanOrEqual(2 * ran + 1);
    // Each approval's reaction goes to its comment; all in all seven requests per approval that ran.
    const reactions = app.gh.requests.filter((r) => /\/issues\/comments\/5\d{4}\/reactions$/.test(r.path));
    expect(reactions.length).toBe(ran);
    expect(app.gh.requests.length).toBeLessThanOrEqual(7 * ran + 10);

    // The maintainer's /hold on another issue was done before the flood's last request.
    const holdAt = app.gh.requests.findIndex(
      (r) => r.method === "POST" && r.path.endsWith("/issues/1/labels"),
    );
    const lastFloodAt = app.gh.requests.lastIndexOf(onFlood.at(-1) as (typeof onFlood)[number]);
    expect(app.gh.botComments(1).filter((c) => parseMarker(c.body)?.state === "held")).toHaveLength(1);
    expect(holdAt).toBeGreaterThanOrEqual(0);
    expect(holdAt).toBeLessThan(lastFloodAt);
  });
});
