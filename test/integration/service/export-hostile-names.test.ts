import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportFolder } from "../../../src/service/export-folder.js";
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
