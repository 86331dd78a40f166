import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PatchReview } from "../../../src/patch-request/change-model.js";
import type { NodeStatus } from "../../../src/service/node-status.js";
import { type KuboNode, startKuboPair } from "../../helpers/kubo.js";
import { createStorageTarget, proposePatch } from "../../helpers/nomad-builders/index.js";
import { BUILD_CLI_HOOK_TIMEOUT_MS, type BuiltCli, buildCli } from "./built-cli.js";

let cli: BuiltCli | undefined;
const nomadPatch = (...argv: string[]) => cli!.run(argv);

describe("the nomad-patch binary", () => {
  let pair: { operator: KuboNode; contributor: KuboNode; stop(): Promise<void> };
  beforeAll(async () => {
    cli = await buildCli();
    pair = await startKuboPair();
  }, BUILD_CLI_HOOK_TIMEOUT_MS);
  afterAll(async () => {
    await pair?.stop();
    await cli?.dispose();
  });

  it("answers --help, refuses bad usage with 64, and shows a patch from a real node", async () => {
    const help = await nomadPatch("--help");
    expect(help.code).toBe(0);
    for (const command of ["propose", "export", "show", "apply", "init", "create", "pair", "status"])
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
