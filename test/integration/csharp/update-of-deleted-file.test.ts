import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FILE_UPDATE } from "../../../src/nomad/index.js";
import { hasConflicts } from "../../../src/patch-request/change-model.js";
import { renderReviewMarkdown, renderReviewText } from "../../../src/render/index.js";
import { appendEntries } from "../../../src/service/append-entries.js";
import { reviewPatch } from "../../../src/service/review-patch.js";
import { type KuboNode, startKubo } from "../../helpers/kubo.js";
import { createStorageTarget, proposePatch, testPublish } from "../../helpers/nomad-builders/index.js";
import { faultLimits } from "../faults/patch-setup.js";

/**
 * A FileUpdateEvent of a file the operator deleted after the patch's base: C# never replays an entry
 * whose file does not exist (OwlCore.Nomad.Storage.Kubo NomadKuboFolder.FileDataToInstanceAsync is only
 * called for the folder's files), so the update is dropped. The review says so as a conflict (deleted on
 * one side, changed on the other), not as an entry with no effect.
 */
describe("an update of a file deleted after the patch's base", () => {
  let node: KuboNode;
  beforeAll(async () => {
    node = await startKubo();
  });
  afterAll(async () => {
    await node?.stop();
  });

  it("is a conflict headlined as the others, and no rule applies it", async () => {
    const target = await createStorageTarget(node, {
      name: "Docs",
      files: { "a.txt": "a\n", "b.txt": "b\n" },
    });
    const file = `${target.id}/a.txt`;
    const edited = await node.store.addFile(new TextEncoder().encode("a, edited\n"), { pin: true });
    const patch = await proposePatch(node, {
      target: target.id,
      title: "Edit a",
      entries: [
        {
          targetId: file,
          eventId: FILE_UPDATE,
          content: { StorableItemId: file, NewContentId: edited, EventId: FILE_UPDATE },
        },
      ],
    });
    // The operator deletes a.txt after the patch was written.
    await appendEntries(
      { store: node.store },
      {
        target: target.id,
        publish: testPublish,
        entries: [
          {
            targetId: target.id,
            eventId: "DeleteFromFolderEvent",
            content: {
              eventId: "DeleteFromFolderEvent",
              storableItemId: file,
              workingFolderId: target.id,
              storableItemName: "a.txt",
            },
          },
        ],
      },
    );
    const { review } = await reviewPatch({ store: node.store }, { key: patch.key, limits: faultLimits });

    expect(review.entries[0]?.effect).toBe("no-effect");
    expect(review.conflicts?.state).toBe("conflicts");
    expect(review.conflicts?.conflicts).toEqual([
      expect.objectContaining({
        path: "a.txt",
        kind: "file",
        base: target.contents["a.txt"]!.toString(),
        patch: edited.toString(),
        dropped: true,
      }),
    ]);
    const headline =
      "a.txt was removed after this patch was written, and the patch changes it: approving leaves it removed and drops the patch's change";
    expect(renderReviewMarkdown(review)).toContain(headline);
    expect(renderReviewText(review, { color: false })).toContain(headline);
    expect(review.warnings.map((w) => w.code)).toContain("conflict");
    // What the rules read (src/policy/evaluate.ts turns an apply into a review on a conflict).
    expect(hasConflicts(review)).toBe(true);
  });
});
