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
 * budget a review of it took a minute and gigabytes with the event loop blocked; now it is refused with
 * the numbers, and the bot goes on with other work.
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

  it("refuses the k = 18 bomb on its issue with the numbers, and reviews another issue's patch meanwhile", async () => {
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
    expect(parseMarker(refused?.body)).toMatchObject({ kind: "review", key: bomb.key, state: "failed" });
    expect(refused?.body).toMatch(
      /The patch request's entries are too expensive to fold: the fold stopped after \d+ steps and about \d+ bytes of state \(limits: 250000 steps, 8388608 bytes\)/,
    );
    expect(refused?.body).toContain("`FOLD_BUDGET`");
    const [reviewed] = app.gh.botComments(61);
    expect(parseMarker(reviewed?.body)).toMatchObject({
      kind: "review",
      key: good.key,
      cid: good.cid.toString(),
    });
    expect(reviewed?.body).toContain("docs");
  });

  it("`show` ends with a clear error and exit code 65 (data error), and prints no review", async () => {
    const bomb = await proposeBomb();
    const run = await runCli(["--kubo", nodes.operator.apiUrl, "show", bomb.key]);
    expect(run.code).toBe(65);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(/too expensive to fold: the fold stopped after \d+ steps/);
  });
});
