import { randomBytes } from "node:crypto";
import { base36 } from "multiformats/bases/base36";
import { CID } from "multiformats/cid";
import * as Digest from "multiformats/hashes/digest";
import { describe, expect, it } from "vitest";
import { LIBP2P_KEY_CODE } from "../../../src/nomad/ipns-name.js";
import { parseMarker } from "../../../src/render/marker.js";
import { appPerTest, kuboPairPerSuite } from "./harness.js";
import { configYaml, createProject, proposeRename } from "./nomad-data.js";
import { commentCreated, issueOpened } from "./payloads.js";

const TRIAGE = { permission: "triage", role_name: "triage" };
const WRITER = { permission: "write", role_name: "write" };

/** A well-formed IPNS name (an Ed25519 key's) that nobody ever published. */
function unpublishedKey(): string {
  const publicKey = new Uint8Array([0x08, 0x01, 0x12, 0x20, ...randomBytes(32)]);
  return CID.createV1(LIBP2P_KEY_CODE, Digest.create(0x00, publicKey)).toString(base36);
}

describe("the GitHub App under a flood of keys that never resolve", () => {
  const pair = kuboPairPerSuite();
  const apps = appPerTest();

  it("bounds what one sender's flood writes, and a writer's patch on another issue is reviewed before the flood is done", async () => {
    const target = await createProject(pair.operator.store);
    const patch = await proposeRename(pair.contributor.store, target, "Reviewed Despite The Flood");
    const app = await apps.start(pair.operator.store, {
      config: configYaml(target.id, "limits:\n  resolveTimeoutSeconds: 1"),
      permissions: { mallory: TRIAGE, writer: WRITER },
    });

    // 200 comments over 20 issues, each with 5 `Patch:` lines of keys nobody published, all arriving at
    // once; then a writer's patch on an issue of its own.
    const floodIssues = Array.from({ length: 20 }, (_, i) => 100 + i);
    const flood = Array.from({ length: 200 }, (_, i) => {
      const issue = { number: floodIssues[i % 20] as number, body: "" };
      const body = Array.from({ length: 5 }, () => `Patch: ${unpublishedKey()}`).join("\n");
      return app.deliver("issue_comment", commentCreated(issue, body, "mallory", { id: 10_000 + i }));
    });
    const legit = app.deliver(
      "issues",
      issueOpened({ number: 1, body: `Patch: ${patch.key}`, author: "writer" }),
    );
    await Promise.all([...flood, legit]);
    await app.settle();
    expect(app.failures).toEqual([]);

    const writes = app.gh.requests.filter((r) => r.method !== "GET");
    const isFlood = (path: string) =>
      floodIssues.some((n) => path.includes(`/issues/${n}/`)) || /\/issues\/comments\/1\d{4}\//.test(path);
    const floodWrites = writes.filter((r) => isFlood(r.path));
    // 30 keys per person per hour: 6 comments are reviewed, each costing its reaction and ONE reply for
    // its 5 keys; the first comment over the budget gets the one note; the other 194 cost no write. Of
    // 200 comments at once, at most 100 wait: the first of the dropped ones gets the one other note.
    const text = (request: { body: unknown } | undefined) => (request?.body as { body?: string })?.body ?? "";
    const dropNotes = floodWrites.filter((r) => text(r).includes("Too much at once"));
    expect(dropNotes).toHaveLength(1);
    expect(floodWrites).toHaveLength(6 * 2 + 1 + 1);
    const replies = floodWrites.filter((r) => r.path.endsWith("/comments") && !dropNotes.includes(r));
    expect(replies.map((r) => text(r).match(/^- `k51/gm)?.length ?? 0)).toEqual([5, 5, 5, 5, 5, 5, 0]);
    expect(text(replies.at(-1))).toContain("at most 30 patch keys per person per hour");

    // The writer's review went out before the flood's writes were exhausted.
    const review = app.gh.botComments(1).find((c) => parseMarker(c.body)?.kind === "review");
    expect(parseMarker(review?.body)).toMatchObject({ key: patch.key, state: "ready" });
    const reviewAt = writes.findIndex((r) => r.path.endsWith("/issues/1/comments"));
    const lastFloodAt = writes.lastIndexOf(floodWrites.at(-1) as (typeof writes)[number]);
    expect(reviewAt).toBeGreaterThanOrEqual(0);
    expect(reviewAt).toBeLessThan(lastFloodAt);
  });
});
