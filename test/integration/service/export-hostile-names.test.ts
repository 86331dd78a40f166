import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeFailure } from "../../../src/app/describe-failure.js";
import { FolderCycleError } from "../../../src/nomad/modules/storage.js";
import { exportFolder } from "../../../src/service/export-folder.js";
import { generateKey, publish, publishStream, putJson } from "../../helpers/csharp-device.js";
import { type KuboNode, startKubo } from "../../helpers/kubo.js";
import { createStorageTarget } from "../../helpers/nomad-builders/index.js";

describe("export of a folder whose names a disk cannot hold", () => {
  let node: KuboNode;
  const dirs: string[] = [];
  beforeAll(async () => {
    node = await startKubo();
  });
  afterAll(async () => {
    await node?.stop();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it("skips and reports a 300-character name and a file and a folder of the same name, and writes the rest", async () => {
    const long = "n".repeat(300);
    const target = await createStorageTarget(node, {
      name: `hostile-${Date.now()}`,
      folders: ["twin"],
      files: { "keep.txt": "kept", [long]: "too long", twin: "a file" },
    });
    const dir = await mkdtemp(join(tmpdir(), "nomad-patch-export-"));
    dirs.push(dir);
    const exported = await exportFolder(
      { store: node.store },
      { target: target.id, dir, maxFileBytes: 1024 * 1024 },
    );
    expect(await readFile(join(dir, "keep.txt"), "utf8")).toBe("kept");
    expect(exported.skipped).toEqual([
      expect.stringMatching(/^"n{300}": the name is longer than 255 bytes/),
      expect.stringMatching(/^"twin": a file or folder of the same name is already written/),
    ]);
    expect((await readdir(dir)).sort()).toEqual([".nomad-patch.json", "keep.txt", "twin"].sort());
  });
});

describe("a Storage folder that contains itself, written as a C# device writes entries", () => {
  let node: KuboNode;
  beforeAll(async () => {
    node = await startKubo();
  });
  afterAll(async () => {
    await node?.stop();
  });

  it("is refused by name on export and on review, not reported as an internal failure", async () => {
    const suffix = Date.now();
    const roaming = await generateKey(node, `Nomad.Kubo.Storage.Roaming.cycle-${suffix}`);
    const localName = `Nomad.Kubo.Storage.Local.cycle-${suffix}`;
    const local = await generateKey(node, localName);
    const x = `${roaming}/x`;
    const folderEvent = async (workingFolderId: string, at: string) =>
      putJson(node, {
        TargetId: workingFolderId,
        EventId: "CreateFolderInFolderEvent",
        TimestampUtc: at,
        Content: {
          "/": await putJson(node, {
            eventId: "CreateFolderInFolderEvent",
            storableItemId: x,
            storableItemName: "x",
            workingFolderId,
            overwrite: true,
          }),
        },
      });
    // R creates R/x; then R/x "creates" R/x inside itself.
    const entries = [
      await folderEvent(roaming, "2026-01-01T00:00:00Z"),
      await folderEvent(x, "2026-01-01T00:00:01Z"),
    ];
    await publishStream(node, localName, `cycle-${suffix}`, entries);
    const value = {
      StorableItemId: roaming,
      StorableItemName: "Cycle",
      Files: [],
      Folders: [],
      Sources: [local],
    };
    await publish(node, `Nomad.Kubo.Storage.Roaming.cycle-${suffix}`, await putJson(node, value));

    const dir = await mkdtemp(join(tmpdir(), "nomad-patch-export-"));
    const failure = await exportFolder(
      { store: node.store },
      { target: roaming, dir, maxFileBytes: 1024 },
    ).catch((e: unknown) => e);
    await rm(dir, { recursive: true, force: true });
    expect(failure).toBeInstanceOf(FolderCycleError);
    expect((failure as Error).message).toContain(`The folder ${x} contains itself`);
    expect(describeFailure(failure)).toMatchObject({ code: "FOLDER_CYCLE" });
  });
});
