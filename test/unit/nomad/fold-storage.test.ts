import { CID } from "multiformats/cid";
import { describe, expect, it } from "vitest";
import { encodeBlock } from "../../../src/nomad/block.js";
import { canonicalJson } from "../../../src/nomad/canonical-json.js";
import { crawlSources } from "../../../src/nomad/crawl.js";
import { foldFromSeed, foldOnTop } from "../../../src/nomad/fold.js";
import { FoldBudget } from "../../../src/nomad/fold-budget.js";
import { createLimiter } from "../../../src/nomad/limiter.js";
import { loadEntries } from "../../../src/nomad/load-entries.js";
import { FolderCycleError, storageModule } from "../../../src/nomad/modules/storage.js";
import { orderEntries } from "../../../src/nomad/order-entries.js";
import { parseTimestamp } from "../../../src/nomad/timestamp.js";
import { entry } from "./builders.js";
import { block, fixtureFetchers, names } from "./fixtures.js";

const { R, LA, LB } = names;
const HELLO = CID.parse("QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o");
const OTHER = CID.parse("QmbWqxBEKC3P8tqsKc98xmWNzrzDtRLMiMPL8wBuTGsMnR");
const limit = createLimiter(4);
const ctx = { rootId: R, sources: [LA, LB] };
const seed = () => storageModule.seed({ id: R, name: "Docs", sources: [LA] });

const createFile = (name: string, overwrite = false, folder = R) =>
  entry(folder, "CreateFileInFolderEvent", {
    eventId: "CreateFileInFolderEvent",
    overwrite,
    storableItemId: `${folder}/${name}`,
    storableItemName: name,
    workingFolderId: folder,
  });
const createFolder = (name: string, folder = R) =>
  entry(folder, "CreateFolderInFolderEvent", {
    eventId: "CreateFolderInFolderEvent",
    overwrite: false,
    storableItemId: `${folder}/${name}`,
    storableItemName: name,
    workingFolderId: folder,
  });
const remove = (name: string, folder = R) =>
  entry(folder, "DeleteFromFolderEvent", {
    eventId: "DeleteFromFolderEvent",
    storableItemId: `${folder}/${name}`,
    storableItemName: name,
    workingFolderId: folder,
  });
const update = (id: string, cid: CID) =>
  entry(id, "FileUpdateEvent", { EventId: "FileUpdateEvent", NewContentId: cid, StorableItemId: id });

describe("storage module", () => {
  it("the seed is the documented seed block", async () => {
    expect((await encodeBlock(seed())).cid.toString()).toBe(names.roaming.docsSeed);
  });

  it("folds fixtures 1 and 2, crawled from LA alone, to the documented roaming value, CID for CID", async () => {
    const fetchers = fixtureFetchers({ [LA]: names.streams.LA, [LB]: names.streams.LB });
    const crawl = await crawlSources([LA], {
      fetchers,
      limits: { maxSources: 5, maxEntries: 50, maxDepth: 3 },
      limit,
    });
    const { ordered } = orderEntries(crawl.entries, parseTimestamp("2026-01-01T00:00:00Z"));
    const loaded = await loadEntries(ordered, storageModule, async (cid) => block(cid), limit);
    const result = await foldFromSeed(storageModule, { id: R, name: "Docs", sources: [LA] }, loaded, {
      rootId: R,
      sources: crawl.sources,
    });
    expect((await encodeBlock(result.state)).cid.toString()).toBe(names.roaming.docsFolded);
    expect(result.steps.map((s) => [s.entry.entry.eventId, s.effect])).toEqual([
      ["CreateFileInFolderEvent", "changed"],
      ["CreateFolderInFolderEvent", "changed"],
      ["FileUpdateEvent", "changed"],
    ]);
    // With only LA as the handler's sources, the nested Sources would be [LA]: the other documented CID.
    const alone = await foldFromSeed(storageModule, { id: R, name: "Docs", sources: [LA] }, loaded, {
      rootId: R,
      sources: [LA],
    });
    expect((await encodeBlock(alone.state)).cid.toString()).toBe(names.roaming.docsFoldedNestedSourcesLA);
  });

  it("creates, updates, deletes, nests, and replays a child's entries after its parent's", async () => {
    const entries = [
      await createFile("a.txt"),
      await createFolder("sub"),
      await update(`${R}/a.txt`, HELLO),
      await createFile("b.txt", false, `${R}/sub`),
      await update(`${R}/sub/b.txt`, OTHER),
      await createFile("c.txt"),
      await remove("c.txt"),
    ];
    const { state, steps } = await storageModule.fold(seed(), entries, ctx);
    expect(JSON.parse(canonicalJson(state))).toEqual({
      Files: [
        { ContentId: { "/": HELLO.toString() }, StorableItemId: `${R}/a.txt`, StorableItemName: "a.txt" },
      ],
      Folders: [
        {
          Files: [
            {
              ContentId: { "/": OTHER.toString() },
              StorableItemId: `${R}/sub/b.txt`,
              StorableItemName: "b.txt",
            },
          ],
          Folders: [],
          Sources: [LA, LB],
          StorableItemId: `${R}/sub`,
          StorableItemName: "sub",
        },
      ],
      Sources: [LA],
      StorableItemId: R,
      StorableItemName: "Docs",
    });
    expect(steps.every((s) => s.effect === "changed")).toBe(true);
  });

  it("reuses an existing item on create, replaces it with overwrite, and deletes only what matches", async () => {
    const first = await createFile("a.txt");
    const again = await createFile("a.txt");
    const fill = await update(`${R}/a.txt`, HELLO);
    const overwritten = await storageModule.fold(
      seed(),
      [first, fill, await createFile("b.txt"), again, await createFile("a.txt", true)],
      ctx,
    );
    // C# replays a file's updates after its parent's entries, whatever their time, so the content stays.
    expect(
      (overwritten.state.Files as Array<{ StorableItemName: string; ContentId: CID | null }>).map((f) => [
        f.StorableItemName,
        String(f.ContentId),
      ]),
    ).toEqual([
      ["b.txt", "null"],
      ["a.txt", HELLO.toString()],
    ]);
    expect(overwritten.steps.find((s) => s.entry === again)?.effect).toBe("no-effect");
    const deleted = await storageModule.fold(seed(), [await remove("missing.txt")], ctx);
    expect(deleted.steps[0]?.effect).toBe("no-effect");
  });

  it("marks entries whose target does not exist as no-effect, and guard failures as invalid", async () => {
    const orphan = await update(`${R}/nothing.txt`, HELLO);
    const wrongFolder = await entry(R, "CreateFileInFolderEvent", {
      eventId: "CreateFileInFolderEvent",
      overwrite: false,
      storableItemId: `${R}/x`,
      storableItemName: "x",
      workingFolderId: `${R}/elsewhere`,
    });
    const badShape = await entry(R, "CreateFolderInFolderEvent", {
      eventId: "CreateFolderInFolderEvent",
      storableItemId: "",
    });
    const unknown = await entry(R, "RenameEvent", {});
    const { state, steps } = await storageModule.fold(seed(), [orphan, wrongFolder, badShape, unknown], ctx);
    expect(state).toEqual(seed());
    const effect = (e: unknown) => steps.find((s) => s.entry === e);
    expect(effect(orphan)).toMatchObject({
      effect: "no-effect",
      reason: expect.stringMatching(/no folder or file/),
    });
    expect(effect(wrongFolder)).toMatchObject({
      effect: "invalid",
      reason: expect.stringMatching(/workingFolderId/),
    });
    expect(effect(badShape)?.reason).toMatch(/non-blank string.*storableItemId/);
    expect(effect(unknown)?.effect).toBe("unknown");
  });

  it("applies extra entries on top of a folded state, reporting each one's effect", async () => {
    const base = (await storageModule.fold(seed(), [await createFile("a.txt")], ctx)).state;
    const extra = [
      await createFile("a.txt"),
      await createFile("new.txt"),
      await update(`${R}/new.txt`, HELLO),
    ];
    const { state, steps } = await foldOnTop(storageModule, base, extra, ctx);
    expect(steps.map((s) => s.effect)).toEqual(["no-effect", "changed", "changed"]);
    expect((state.Files as unknown[]).length).toBe(2);
  });

  it("refuses a folder that contains itself, naming it, after one replay of it and not at a budget", async () => {
    // R/x holds an item with its own id: the replay would rebuild R/x inside R/x forever (C# recurses until
    // its stack overflows), so no device can load it.
    const x = `${R}/x`;
    const itself = await entry(x, "CreateFolderInFolderEvent", {
      eventId: "CreateFolderInFolderEvent",
      overwrite: true,
      storableItemId: x,
      storableItemName: "x",
      workingFolderId: x,
    });
    const budget = new FoldBudget();
    const error = await storageModule
      .fold(seed(), [await createFolder("x"), itself], { ...ctx, budget })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FolderCycleError);
    expect((error as FolderCycleError).code).toBe("FOLDER_CYCLE");
    expect((error as Error).message).toBe(
      `The folder ${x} contains itself (through ${x}): no device can load a folder tree that never ends`,
    );
    expect(budget.steps).toBeLessThan(10);
  });
});
