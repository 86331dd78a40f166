import * as dagCbor from "@ipld/dag-cbor";
import type { CID } from "multiformats/cid";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LimitExceededError } from "../../../src/errors.js";
import { encodePatchRequest } from "../../../src/patch-request/patch-request-record.js";
import { renderReviewMarkdown } from "../../../src/render/index.js";
import { reviewPatch } from "../../../src/service/review-patch.js";
import { type KuboNode, startKubo } from "../../helpers/kubo.js";
import { type BuiltTarget, createProjectTarget } from "../../helpers/nomad-builders/index.js";
import { countingStore } from "../faults/counting-store.js";
import { faultLimits } from "../faults/patch-setup.js";
import { fakeCids } from "./fake-cids.js";
import { publishBlockUnderKey } from "./publish-raw.js";

/**
 * Huge arrays and giant strings in a patch request: refused by a limit before the work grows with them
 * (entry links never followed, the byte budget stopping the read), or shown cut to fit the comment.
 */
describe("huge arrays and giant strings", () => {
  let node: KuboNode;
  let target: BuiltTarget;
  beforeAll(async () => {
    node = await startKubo();
    target = await createProjectTarget(node, { knownId: "shapes", name: "Shapes" });
  });
  afterAll(async () => {
    await node?.stop();
  });

  /** A patch request record for `target` under a new key, with the given fields overriding sane ones. */
  async function publishRecord(keyName: string, fields: { entries?: CID[]; title?: string }, big = false) {
    const key = await node.store.generateKey(`${keyName}-id`);
    const record = encodePatchRequest({
      id: key.id,
      target: target.id,
      base: null,
      title: fields.title ?? "Hostile",
      description: "",
      entries: fields.entries ?? [],
      sources: [],
    });
    return publishBlockUnderKey(node, keyName, dagCbor.encode(record), "dag-cbor", { allowBigBlock: big });
  }

  // Entry links point at blocks that exist nowhere: a single attempt to read one would wait for the timeout.
  it("100,000 entry links: a record over the 2 MiB block limit is refused before any entry is read", async () => {
    const entries = fakeCids(100_000);
    const published = await publishRecord("links-100k", { entries }, true);
    const counted = countingStore(node.store);
    const error = await reviewPatch(
      { store: counted.store },
      { key: published.key, limits: faultLimits },
    ).catch((e: unknown) => e);
    // The byte budget (larger than the block) must not lift the per-block limit.
    expect(error).toBeInstanceOf(LimitExceededError);
    expect((error as Error).message).toMatch(/^block \S+ has \d+ bytes, more than the limit of 2097152$/);
    expect(entries.filter((cid) => counted.reads(cid) > 0)).toEqual([]);
    expect(counted.reads()).toBe(1);
  });

  it("the same record past the byte budget: the read stops at the budget, before decoding", async () => {
    const published = await publishRecord("links-100k-budget", { entries: fakeCids(100_000) }, true);
    const counted = countingStore(node.store);
    const error = await reviewPatch(
      { store: counted.store },
      { key: published.key, limits: { ...faultLimits, maxBytes: 1024 * 1024 } },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LimitExceededError);
    expect((error as Error).message).toMatch(/^block \S+ has \d+ bytes, more than the limit of 1048577$/);
    expect(counted.reads()).toBe(1);
  });

  it("20,000 entry links in an ordinary block: refused by the entry limit, no entry fetched", async () => {
    const entries = fakeCids(20_000);
    const published = await publishRecord("links-20k", { entries });
    const counted = countingStore(node.store);
    const { review } = await reviewPatch(
      { store: counted.store },
      { key: published.key, limits: faultLimits },
    );
    expect(review.refusals.map((r) => r.message)).toEqual([
      "The patch request proposes 20000 entries; the limit is 50",
    ]);
    expect(entries.filter((cid) => counted.reads(cid) > 0)).toEqual([]);
  });

  it("a title of 900,000 characters: read within the byte budget and cut to fit the comment", async () => {
    const published = await publishRecord("giant-title", { title: "T".repeat(900_000) });
    const { review } = await reviewPatch({ store: node.store }, { key: published.key, limits: faultLimits });
    expect(review.refusals.map((r) => r.code)).toEqual(["no-entries"]);
    const markdown = renderReviewMarkdown(review);
    expect(markdown.length).toBeLessThanOrEqual(65_536);
    expect(markdown).toMatch(/^### Patch request: T+…$/m);
  });

  it("the same title past a smaller byte budget: the review stops at the budget", async () => {
    const published = await publishRecord("giant-title-budget", { title: "T".repeat(900_000) });
    const counted = countingStore(node.store);
    const error = await reviewPatch(
      { store: counted.store },
      { key: published.key, limits: { ...faultLimits, maxBytes: 256 * 1024 } },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LimitExceededError);
    expect((error as Error).message).toMatch(/more than the limit of 262145|past the limit of 262144 bytes/);
    expect(counted.reads()).toBe(1);
  });
});
