import { mkdir, mkdtemp, readFile, rm, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { delegateStore } from "../../../src/ipfs/delegate-store.js";
import type { IpfsStore } from "../../../src/ipfs/store.js";
import { decodePatchRequest } from "../../../src/patch-request/patch-request-record.js";
import { exportFolder } from "../../../src/service/export-folder.js";
import { proposePatch as proposeFromChanges } from "../../../src/service/propose-patch.js";
import { reviewPatch } from "../../../src/service/review-patch.js";
import { startKuboPair } from "../../helpers/kubo.js";
import { createStorageTarget, proposePatch } from "../../helpers/nomad-builders/index.js";

const limits = { maxEntries: 100, maxBytes: 1024 * 1024 };

describe("proposing from an edited copy of an operator's Storage folder", () => {
  let pair: Awaited<ReturnType<typeof startKuboPair>>;
  let dir: string;
  beforeAll(async () => {
    pair = await startKuboPair();
    dir = await mkdtemp(join(tmpdir(), "nomad-patch-export-"));
  });
  afterAll(async () => {
    await pair?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("exports, finds the added, changed and deleted items, and the operator's review shows them", async () => {
    const target = await createStorageTarget(pair.operator, {
      name: "Docs",
      files: { "readme.txt": "hello\n", "old.txt": "bye\n", "notes/a.md": "# A\n" },
    });
    const exported = await exportFolder(
      { store: pair.contributor.store },
      { target: target.id, dir, maxFileBytes: 1024 },
    );
    expect(exported).toMatchObject({ files: 3, folders: 1, base: target.roamingCid.toString(), skipped: [] });
    expect(await readFile(join(dir, "notes/a.md"), "utf8")).toBe("# A\n");
    await expect(
      exportFolder({ store: pair.contributor.store }, { target: target.id, dir, maxFileBytes: 1024 }),
    ).rejects.toThrow(/not empty/);

    await writeFile(join(dir, "readme.txt"), "hello, world\n");
    await unlink(join(dir, "old.txt"));
    await writeFile(join(dir, "new.txt"), "fresh\n");
    await mkdir(join(dir, "img"));
    await writeFile(join(dir, "img", "logo.svg"), "<svg/>\n");

    const { key, cid } = await proposePatch(pair.contributor, {
      target: target.id,
      title: "Tidy the docs",
      description: "Greets the world",
      fromFolder: dir,
    });
    const record = decodePatchRequest(await pair.contributor.store.dagGet(cid), cid.toString());
    expect(record).toMatchObject({ id: key, target: target.id, title: "Tidy the docs" });
    expect(record.base?.toString()).toBe(target.roamingCid.toString());
    expect(record.entries).toHaveLength(7);

    const { review } = await reviewPatch({ store: pair.operator.store }, { key, limits });
    expect(review.refusals).toEqual([]);
    expect(review.patch.cid).toBe(cid.toString());
    expect(review.moduleView.kind).toBe("storage");
    const items = review.moduleView.kind === "storage" ? review.moduleView.items : [];
    expect(items.map((i) => [i.path, i.kind, i.change]).sort()).toEqual(
      [
        ["img", "folder", "added"],
        ["img/logo.svg", "file", "added"],
        ["new.txt", "file", "added"],
        ["old.txt", "file", "removed"],
        ["readme.txt", "file", "changed"],
      ].sort(),
    );
    expect(items.find((i) => i.path === "readme.txt")?.textDiff).toContain("+hello, world");
    expect(review.entries.map((e) => e.eventId)).toEqual([
      "DeleteFromFolderEvent",
      "CreateFileInFolderEvent",
      "FileUpdateEvent",
      "FileUpdateEvent",
      "CreateFolderInFolderEvent",
      "CreateFileInFolderEvent",
      "FileUpdateEvent",
    ]);
  });

  it("a new empty file is proposed as its create entry alone, which C# loads and folds to an empty file", async () => {
    const target = await createStorageTarget(pair.operator, { name: "Blank", files: { "keep.txt": "x\n" } });
    const folder = await mkdtemp(join(tmpdir(), "nomad-patch-empty-"));
    try {
      await writeFile(join(folder, "keep.txt"), "x\n");
      await writeFile(join(folder, "empty.txt"), "");
      const { key } = await proposePatch(pair.contributor, {
        target: target.id,
        title: "An empty file",
        fromFolder: folder,
      });
      const { review } = await reviewPatch({ store: pair.operator.store }, { key, limits });
      expect(review.refusals).toEqual([]);
      expect(review.entries.map((e) => [e.eventId, e.effect])).toEqual([
        ["CreateFileInFolderEvent", "changed"],
      ]);
      expect(review.predictedResultCid).not.toBeNull();
      const after = review.after as { Files: { StorableItemName: string; ContentId: unknown }[] };
      expect(after.Files.find((f) => f.StorableItemName === "empty.txt")).toMatchObject({ ContentId: null });

      // Emptying a file that has content cannot be written so that C# loads it: propose says so.
      await writeFile(join(folder, "keep.txt"), "");
      await expect(
        proposePatch(pair.contributor, { target: target.id, title: "Empty it", fromFolder: folder }),
      ).rejects.toThrow(/keep\.txt.*cannot be emptied/);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it("adds to the node only the files that changed: an unchanged file is known by the CID computed here", async () => {
    const files = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`page-${i}.md`, `page ${i}\n`]));
    const target = await createStorageTarget(pair.operator, { name: "Pages", files });
    const folder = await mkdtemp(join(tmpdir(), "nomad-patch-unchanged-"));
    try {
      await exportFolder(
        { store: pair.contributor.store },
        { target: target.id, dir: folder, maxFileBytes: 1024 },
      );
      await writeFile(join(folder, "page-2.md"), "page 2, edited\n");
      const added: string[] = [];
      const counting = {
        ...delegateStore(pair.contributor.store),
        addFile: async (bytes: Uint8Array, options?: Parameters<IpfsStore["addFile"]>[1]) => {
          added.push(new TextDecoder().decode(bytes));
          return pair.contributor.store.addFile(bytes, options);
        },
      } satisfies IpfsStore;
      const proposed = await proposeFromChanges(
        { store: counting },
        {
          target: target.id,
          title: "Edit page 2",
          description: "",
          changes: { kind: "folder", dir: folder },
          publish: { allowOffline: true },
        },
      );
      expect(proposed.folderChanges).toEqual([{ path: "page-2.md", kind: "file", change: "changed" }]);
      expect(added).toEqual(["page 2, edited\n"]);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
