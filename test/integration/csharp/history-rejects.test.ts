import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FILE_UPDATE } from "../../../src/nomad/index.js";
import { renderReviewJson, renderReviewMarkdown, renderReviewText } from "../../../src/render/index.js";
import { appendEntries } from "../../../src/service/append-entries.js";
import { withBlockCache } from "../../../src/service/caching-store.js";
import { reviewPatch } from "../../../src/service/review-patch.js";
import { type KuboNode, startKubo } from "../../helpers/kubo.js";
import { createStorageTarget, proposePatch, testPublish } from "../../helpers/nomad-builders/index.js";
import { faultLimits } from "../faults/patch-setup.js";

/**
 * Entries already in a target's history that the C# replay throws on are skipped by the fold, so the
 * review can still be made; the review names them, since every C# device of the target fails on them.
 */
describe("history entries a C# device cannot replay", () => {
  let node: KuboNode;
  beforeAll(async () => {
    node = await startKubo();
  });
  afterAll(async () => {
    await node?.stop();
  });

  it("are named in the review's warnings, in every format, with their CIDs and why", async () => {
    const target = await createStorageTarget(node, { name: "Docs", files: { "a.txt": "a\n" } });
    // Written by a device that did not check: a create without `overwrite`, and a FileUpdateEvent
    // addressed to the folder itself.
    const bad = await appendEntries(
      { store: node.store },
      {
        target: target.id,
        publish: testPublish,
        entries: [
          {
            targetId: target.id,
            eventId: "CreateFileInFolderEvent",
            content: {
              eventId: "CreateFileInFolderEvent",
              storableItemId: `${target.id}/b.txt`,
              workingFolderId: target.id,
              storableItemName: "b.txt",
            },
          },
          {
            targetId: target.id,
            eventId: FILE_UPDATE,
            content: {
              StorableItemId: target.id,
              NewContentId: target.contents["a.txt"]!,
              EventId: FILE_UPDATE,
            },
          },
        ],
      },
    );
    const [create, update] = bad.entryCids.map((cid) => cid.toString());
    const patch = await proposePatch(node, {
      target: target.id,
      title: "Add a folder",
      entries: [
        {
          eventId: "CreateFolderInFolderEvent",
          content: {
            eventId: "CreateFolderInFolderEvent",
            storableItemId: `${target.id}/new`,
            workingFolderId: target.id,
            storableItemName: "new",
            overwrite: false,
          },
        },
      ],
    });
    const { review } = await reviewPatch({ store: node.store }, { key: patch.key, limits: faultLimits });

    // The patch itself is fine; the fold here applies the create (C# guards it, this fold does not) and
    // skips the update it cannot replay either.
    expect(review.refusals).toEqual([]);
    expect((review.before as { Files: unknown[] }).Files).toHaveLength(2);
    expect(review.target.rejectedHistory).toEqual({
      count: 2,
      skipped: 1,
      entries: [
        expect.objectContaining({ cid: create, eventId: "CreateFileInFolderEvent", skipped: false }),
        expect.objectContaining({ cid: update, eventId: FILE_UPDATE, targetId: target.id, skipped: true }),
      ],
    });
    expect(review.target.rejectedHistory?.entries[0]?.reason).toContain(
      "FolderUpdateEventSerializationHelpers.Read",
    );
    expect(review.target.rejectedHistory?.entries[1]?.reason).toContain("is not a storage folder event");
    // The one left out would be left out of an apply's roaming value too: the apply waits for a decision.
    expect(review.blockers?.map((b) => b.code)).toEqual(["history-unreplayable"]);
    expect(review.blockers?.[0]?.message).toContain(update as string);

    const warnings = review.warnings.filter((w) => w.code === "history-csharp-rejects").map((w) => w.message);
    expect(warnings).toHaveLength(3);
    expect(warnings[0]).toMatch(/^2 entries in the target's history make every C# device fail to load it/);
    expect(warnings[1]).toMatch(
      new RegExp(`^History entry ${create} \\(CreateFileInFolderEvent\\), applied here: .*overwrite`),
    );
    expect(warnings[2]).toMatch(new RegExp(`^History entry ${update} \\(FileUpdateEvent\\), skipped here: `));
    expect(renderReviewMarkdown(review)).toContain(create as string);
    expect(renderReviewText(review, { color: false })).toContain(update as string);
    const json = JSON.parse(renderReviewJson(review));
    expect(json.target.rejectedHistory.count).toBe(2);
    expect(json.warnings.map((w: { code: string }) => w.code)).toContain("history-csharp-rejects");

    // A review from a remembered fold (the app's cache) names them just the same.
    const cache = withBlockCache(node.store, { maxBlocks: 10_000 });
    await reviewPatch({ store: cache }, { key: patch.key, limits: faultLimits });
    expect(cache.targetMemo.stats().folds).toBe(1);
    const warm = await reviewPatch({ store: cache }, { key: patch.key, limits: faultLimits });
    expect(warm.review.target.rejectedHistory).toEqual(review.target.rejectedHistory);
    expect(warm.review.warnings).toEqual(review.warnings);
  });

  it("says nothing when the history replays cleanly", async () => {
    const target = await createStorageTarget(node, { name: "Clean", files: { "a.txt": "a\n" } });
    const patch = await proposePatch(node, {
      target: target.id,
      title: "Delete a",
      entries: [
        {
          eventId: "DeleteFromFolderEvent",
          content: {
            eventId: "DeleteFromFolderEvent",
            storableItemId: `${target.id}/a.txt`,
            workingFolderId: target.id,
            storableItemName: "a.txt",
          },
        },
      ],
    });
    const { review } = await reviewPatch({ store: node.store }, { key: patch.key, limits: faultLimits });
    expect(review.target.rejectedHistory).toEqual({ count: 0, skipped: 0, entries: [] });
    expect(review.warnings.map((w) => w.code)).not.toContain("history-csharp-rejects");
  });
});
