import { describe, expect, it } from "vitest";
import { CREATE_FOLDER, encodeFolderUpdateEvent } from "../../../src/nomad/index.js";
import { parseMarker } from "../../../src/render/marker.js";
import { foldBombEntries, foldBombFolders } from "../../helpers/fold-bomb.js";
import { createStorageTarget, proposePatch, type StorageTarget } from "../../helpers/nomad-builders/index.js";
import { appPerTest, kuboPairPerSuite } from "../app/harness.js";
import { issueOpened } from "../app/payloads.js";
import { runCli } from "../cli/run-cli.js";

/**
 * Issue 9 §3: 70 entries (about 12 KB) that ask the Storage replay for 2^19 − 2 folders. Before the fold
 * budget a review of it took a minute and gigabytes with the event loop blocked. Its entries create ids
 * under folders that are not their parents, which no C# device writes, so the compatibility check refuses
 * them before anything is folded (docs/format.md "What the C# replay rejects"); the fold budget still bounds
 * every fold (test/unit for k = 20). Either way the bot goes on with other work.
 */
describe("a fold bomb posted to the bot or shown on the command line", () => {
  const nodes = kuboPairPerSuite();
  const apps = appPerTest();
  let target: StorageTarget | undefined;

  async function storageTarget(): Promise<StorageTarget> {
    target ??= await createStorageTarget(nodes.operator, { name: "Docs", files: { "readme.txt": "hi\n" } });
    return target;
  }

  let bomb: Awaited<ReturnType<typeof proposePatch>> | undefined;
  /** The k = 18 bomb: 70 entries, proposed once for both tests. */
  async function proposeBomb() {
    const { id } = await storageTarget();
    bomb ??= await proposePatch(nodes.contributor, {
      target: id,
      title: "bomb",
      entries: foldBombEntries(id, 18),
    });
    return bomb;
  }

  it("refuses the k = 18 bomb on its issue, and reviews another issue's patch meanwhile", async () => {
    const { id } = await storageTarget();
    const bomb = await proposeBomb();
    expect(foldBombFolders(18)).toBe(524_286);
    const good = await proposePatch(nodes.contributor, {
      target: id,
      title: "a docs folder",
      entries: [
        {
          targetId: id,
          eventId: CREATE_FOLDER,
          content: encodeFolderUpdateEvent({
            eventId: CREATE_FOLDER,
            storableItemId: `${id}/docs`,
            workingFolderId: id,
            storableItemName: "docs",
            overwrite: false,
          }),
        },
      ],
    });
    const app = await apps.start(nodes.operator.store, {
      config: [`targets:`, `  - id: ${id}`, `    module: storage`].join("\n"),
    });
    await app.deliver("issues", issueOpened({ number: 60, body: `Patch: ${bomb.key}` }));
    await app.deliver("issues", issueOpened({ number: 61, body: `Patch: ${good.key}` }));
    await app.settle();

    expect(app.failures).toEqual([]);
    const [refused] = app.gh.botComments(60);
    expect(parseMarker(refused?.body)).toMatchObject({ kind: "review", key: bomb.key, state: "refused" });
    expect(refused?.body).toContain("would stop every C# device loading the target");
    expect(refused?.body).toContain("is not TargetId/name, the id C# gives that item");
    const [reviewed] = app.gh.botComments(61);
    expect(parseMarker(reviewed?.body)).toMatchObject({
      kind: "review",
      key: good.key,
      cid: good.cid.toString(),
    });
    expect(reviewed?.body).toContain("docs");
  });

  it("`show` prints the review refusing every entry, without folding them", async () => {
    const bomb = await proposeBomb();
    const run = await runCli(["--kubo", nodes.operator.apiUrl, "--json", "show", bomb.key]);
    expect(run.code).toBe(0);
    const review = JSON.parse(run.stdout) as { refusals: { code: string }[]; summary: { refused: number } };
    // All but the two top-level creates, which are as C# writes them.
    expect(review.summary.refused).toBe(68);
    expect(new Set(review.refusals.map((r) => r.code))).toEqual(new Set(["csharp-content-target-mismatch"]));
  });
});
