import type { CID } from "multiformats/cid";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canonicalJson, SOURCE_ADD_EVENT_ID, storageModule } from "../../../src/nomad/index.js";
import { appendEntries } from "../../../src/service/append-entries.js";
import { withBlockCache } from "../../../src/service/caching-store.js";
import { createNomadObject } from "../../../src/service/create-nomad-object.js";
import { loadTarget } from "../../../src/service/load-target.js";
import { connect, type KuboNode, startKubo } from "../../helpers/kubo.js";

const publish = { allowOffline: true };
const folderEvent = (eventId: string, folder: string, name: string, overwrite = false) => ({
  targetId: folder,
  eventId,
  content: {
    eventId,
    storableItemId: `${folder}/${name}`,
    workingFolderId: folder,
    storableItemName: name,
    ...(eventId === "DeleteFromFolderEvent" ? {} : { overwrite }),
  },
});
const fileUpdate = (id: string, cid: CID) => ({
  targetId: id,
  eventId: "FileUpdateEvent",
  content: { StorableItemId: id, NewContentId: cid, EventId: "FileUpdateEvent" },
});

describe("a Storage folder written by two devices, read by a third node that knows only the roaming key", () => {
  let a: KuboNode;
  let b: KuboNode;
  let reader: KuboNode;
  beforeAll(async () => {
    [a, b, reader] = await Promise.all([startKubo(), startKubo(), startKubo()]);
    await Promise.all([connect(a, b), connect(a, reader), connect(b, reader)]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop(), reader?.stop()]);
  });

  it("folds to the expected roaming value", async () => {
    // Device A creates the folder; device B pairs: same roaming key, its own local key of the same name.
    const created = await createNomadObject(
      { store: a.store },
      { module: storageModule, name: "Docs", publish },
    );
    const R = created.keys.roaming.id;
    const LA = created.keys.local.id;
    await b.store.importKey(created.keys.roaming.name, await a.store.exportKey(created.keys.roaming.name));
    const bLocal = await b.store.generateKey(created.keys.local.name);
    const LB = bLocal.id;
    const emptyB = await b.store.dagPut({ Label: "Docs", Entries: [] }, { pin: true });
    await b.store.publishName(bLocal.name, emptyB, publish);

    // A records the pairing (a SourceAdd whose content is B's local id) and adds a file and a sub-folder.
    const hello = await a.store.addFile(new TextEncoder().encode("hello\n"), { pin: true });
    await appendEntries(
      { store: a.store },
      {
        target: R,
        publish,
        entries: [
          { targetId: R, eventId: SOURCE_ADD_EVENT_ID, content: LB },
          folderEvent("CreateFileInFolderEvent", R, "a.txt"),
          fileUpdate(`${R}/a.txt`, hello),
          folderEvent("CreateFolderInFolderEvent", R, "sub"),
        ],
      },
    );

    // B, knowing A through the roaming Sources hint, updates a.txt, fills the sub-folder, adds and deletes c.txt.
    const helloAgain = await b.store.addFile(new TextEncoder().encode("hello again\n"), { pin: true });
    const inSub = await b.store.addFile(new TextEncoder().encode("in sub\n"), { pin: true });
    const fromB = await appendEntries(
      { store: b.store },
      {
        target: R,
        publish,
        entries: [
          fileUpdate(`${R}/a.txt`, helloAgain),
          folderEvent("CreateFileInFolderEvent", `${R}/sub`, "b.txt"),
          fileUpdate(`${R}/sub/b.txt`, inSub),
          folderEvent("CreateFileInFolderEvent", R, "c.txt"),
          folderEvent("DeleteFromFolderEvent", R, "c.txt"),
        ],
      },
    );
    expect(fromB.loaded.sources).toEqual([LA, LB]);

    const expected = {
      StorableItemId: R,
      StorableItemName: "Docs",
      Sources: [LA],
      Files: [
        {
          StorableItemId: `${R}/a.txt`,
          StorableItemName: "a.txt",
          ContentId: { "/": helloAgain.toString() },
        },
      ],
      Folders: [
        {
          StorableItemId: `${R}/sub`,
          StorableItemName: "sub",
          Sources: [LA, LB],
          Files: [
            {
              StorableItemId: `${R}/sub/b.txt`,
              StorableItemName: "b.txt",
              ContentId: { "/": inSub.toString() },
            },
          ],
          Folders: [],
        },
      ],
    };
    expect(JSON.parse(canonicalJson(fromB.loaded.state))).toEqual(expected);

    // The reader holds no key: it resolves R, crawls LA from the hint, finds LB through the SourceAdd entry.
    expect((await reader.store.listKeys()).some((k) => k.id === R)).toBe(false);
    const store = withBlockCache(reader.store, { maxBlocks: 1_000 });
    const loaded = await loadTarget({ store }, { target: R });
    expect(loaded.module.name).toBe("storage");
    expect(loaded.sources).toEqual([LA, LB]);
    expect(loaded.visited.map((v) => [v.source, v.entryCount])).toEqual([
      [LA, 4],
      [LB, 5],
    ]);
    expect(JSON.parse(canonicalJson(loaded.state))).toEqual(expected);
    expect(loaded.steps.filter((s) => s.effect === "changed")).toHaveLength(8);
    expect(loaded.published).toBeDefined();

    // A second load in the same process fetches no block twice.
    const before = store.cacheStats().misses;
    await loadTarget({ store }, { target: R });
    expect(store.cacheStats().misses).toBe(before);
  });
});
