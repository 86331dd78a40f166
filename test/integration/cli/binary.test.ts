import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PatchReview } from "../../../src/patch-request/change-model.js";
import type { NodeStatus } from "../../../src/service/node-status.js";
import { type KuboNode, startKuboPair } from "../../helpers/kubo.js";
import { createStorageTarget, proposePatch } from "../../helpers/nomad-builders/index.js";

const run = promisify(execFile);
const root = join(import.meta.dirname, "../../..");

/** The installed command, as a subprocess: the launcher, the compiled code, real exit codes. */
async function nomadPatch(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(root, "bin/nomad-patch.js"), ...argv], {
      cwd: root,
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe("the nomad-patch binary", () => {
  let configDir: string | undefined;
  let pair: { operator: KuboNode; contributor: KuboNode; stop(): Promise<void> };
  beforeAll(async () => {
    // The binary runs the compiled code: build the CLI and what it imports from the sources under test
    // (the build settings, limited to the CLI's import graph).
    configDir = await mkdtemp(join(tmpdir(), "nomad-patch-build-"));
    const config = join(configDir, "tsconfig.json");
    await writeFile(
      config,
      JSON.stringify({
        extends: join(root, "tsconfig.build.json"),
        compilerOptions: { typeRoots: [join(root, "node_modules/@types")] },
        files: [join(root, "src/cli/main.ts")],
        include: [],
      }),
    );
    await run(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", config], {
      cwd: root,
    }).catch((error: { stdout?: string }) => {
      throw new Error(`The CLI does not build:\n${error.stdout}`);
    });
    pair = await startKuboPair();
  });
  afterAll(async () => {
    await pair?.stop();
    if (configDir) await rm(configDir, { recursive: true, force: true });
  });

  it("answers --help, refuses bad usage with 64, and shows a patch from a real node", async () => {
    const help = await nomadPatch("--help");
    expect(help.code).toBe(0);
    for (const command of ["propose", "export", "show", "apply", "init", "status"])
      expect(help.stdout).toContain(command);
    const bad = await nomadPatch("show");
    expect(bad.code).toBe(64);
    expect(bad.stderr).toContain("missing required argument 'key'");

    const target = await createStorageTarget(pair.operator, { name: "Bin", files: { "a.txt": "a\n" } });
    const { key, cid } = await proposePatch(pair.contributor, {
      target: target.id,
      title: "Rename a",
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
    const shown = await nomadPatch("--kubo", pair.operator.apiUrl, "--json", "show", key);
    expect(shown.stderr).toBe("");
    expect(shown.code).toBe(0);
    const review = JSON.parse(shown.stdout) as PatchReview;
    expect(review.patch.cid).toBe(cid.toString());
    expect(review.moduleView).toMatchObject({
      kind: "storage",
      items: [{ path: "a.txt", change: "removed" }],
    });

    const status = await nomadPatch("--kubo", pair.operator.apiUrl, "--json", "status");
    expect((JSON.parse(status.stdout) as NodeStatus).devices.map((d) => d.id)).toEqual([target.id]);

    const down = await nomadPatch("--kubo", "http://127.0.0.1:9", "status");
    expect(down.code).toBe(69);
    expect(down.stderr).toContain("No Kubo daemon answers");
  });
});
