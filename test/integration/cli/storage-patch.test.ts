import { mkdir, mkdtemp, rm, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeBlock, SOURCE_ADD_EVENT_ID } from "../../../src/nomad/index.js";
import type { ApplyOutcome } from "../../../src/patch-request/apply-outcome.js";
import type { PatchReview } from "../../../src/patch-request/change-model.js";
import { loadTarget } from "../../../src/service/load-target.js";
import { connect, type KuboNode, startKubo } from "../../helpers/kubo.js";
import {
  createStorageTarget,
  proposePatch,
  readStreamEntries,
  repointPatch,
  type StorageTarget,
} from "../../helpers/nomad-builders/index.js";
import { jsonOf, runCli } from "./run-cli.js";

describe("a Storage patch from export to apply, through the command line", () => {
  let operator: KuboNode;
  let contributor: KuboNode;
  let reader: KuboNode;
  let work: string;
  let target: StorageTarget;
  const as = (node: KuboNode, ...argv: string[]) =>
    runCli(["--kubo", node.apiUrl, ...argv], {
      env: { NOMAD_PATCH_DATA_DIR: join(work, "data", node.peerId) },
    });

  beforeAll(async () => {
    [operator, contributor, reader] = await Promise.all([startKubo(), startKubo(), startKubo()]);
    await Promise.all([
      connect(operator, contributor),
      connect(operator, reader),
      connect(contributor, reader),
    ]);
    work = await mkdtemp(join(tmpdir(), "nomad-patch-cli-"));
    target = await createStorageTarget(operator, {
      name: "Docs",
      files: { "readme.txt": "hello\n", "old.txt": "bye\n", "notes/a.md": "# A\n" },
    });
  });
  afterAll(async () => {
    await Promise.all([operator?.stop(), contributor?.stop(), reader?.stop()]);
    await rm(work, { recursive: true, force: true });
  });

  it("exports, proposes from the edited folder, shows, applies once, and a third node sees the change", async () => {
    const dir = join(work, "docs");
    const exported = await as(contributor, "export", target.id, dir);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toContain("Exported 3 files and 1 folder (");
    expect((await as(contributor, "export", target.id, dir)).code).toBe(64);

    await writeFile(join(dir, "readme.txt"), "hello, world\n");
    await unlink(join(dir, "old.txt"));
    await writeFile(join(dir, "new.txt"), "fresh\n");
    await mkdir(join(dir, "img"));
    await writeFile(join(dir, "img", "logo.svg"), "<svg/>\n");

    // No --target: the export marker names it.
    const proposed = await as(contributor, "propose", "--from-folder", dir, "--title", "Tidy the docs");
    expect(proposed.code).toBe(0);
    const key = proposed.stdout.split("\n")[0] ?? "";
    expect(key).toMatch(/^k51/);
    expect(proposed.stdout).toContain("removed file old.txt");
    expect(proposed.stdout).toContain("added folder img");

    const text = await as(operator, "show", key);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain("Tidy the docs");
    expect(text.stdout).toContain("+hello, world");
    expect(text.stdout).toMatch(/img\/logo\.svg|logo\.svg/);
    expect(text.stdout).not.toContain("\u001b[");
    const markdown = await as(operator, "show", key, "--format", "markdown");
    expect(markdown.stdout).toContain("```diff");
    expect(markdown.stdout).toContain("+hello, world");
    const review = jsonOf<PatchReview>(await as(operator, "show", key, "--format", "json"));
    expect(review.patch.key).toBe(key);
    const items = review.moduleView.kind === "storage" ? review.moduleView.items : [];
    expect(items.map((i) => `${i.change} ${i.kind} ${i.path}`).sort()).toEqual([
      "added file img/logo.svg",
      "added file new.txt",
      "added folder img",
      "changed file readme.txt",
      "removed file old.txt",
    ]);
    expect(review.refusals).toEqual([]);

    const before = await readStreamEntries(operator, target.id);
    const applied = await as(operator, "--json", "apply", key, "--yes");
    expect(applied.stderr).toBe("");
    expect(applied.code).toBe(0);
    const outcome = jsonOf<ApplyOutcome>(applied);
    expect(outcome).toMatchObject({ status: "applied", patchKey: key, patchCid: review.patch.cid });
    expect(outcome.roamingCid).toBe(review.predictedResultCid);
    const after = await readStreamEntries(operator, target.id);
    expect(after.map((e) => e.eventId).slice(before.length)).toEqual(review.entries.map((e) => e.eventId));

    // The reader knows only the roaming key: it folds the operator's sources and gets the predicted state.
    const seen = await loadTarget({ store: reader.store }, { target: target.id });
    expect(seen.published?.cid.toString()).toBe(outcome.roamingCid);
    expect((await encodeBlock(seen.state)).cid.toString()).toBe(review.predictedResultCid);
    expect(seen.matchesPublished).toBe(true);
    const newFile = (seen.state.Files as { StorableItemName: string; ContentId: unknown }[]).find(
      (f) => f.StorableItemName === "new.txt",
    );
    expect(newFile).toBeDefined();

    // Applying again writes nothing.
    const again = await as(operator, "--json", "apply", key, "--yes");
    expect(again.code).toBe(0);
    expect(jsonOf<ApplyOutcome>(again)).toMatchObject({
      status: "already-applied",
      roamingCid: outcome.roamingCid,
    });
    expect(await readStreamEntries(operator, target.id)).toHaveLength(after.length);
  });

  it("refuses a patch re-pointed after it was shown, and writes nothing", async () => {
    const { key } = await proposePatch(contributor, {
      target: target.id,
      title: "Add a changelog",
      entries: [],
    });
    const shown = jsonOf<PatchReview>(await as(operator, "--json", "show", key));
    const moved = await repointPatch(contributor, { key, title: "Add a changelog, and more" });
    expect(moved.toString()).not.toBe(shown.patch.cid);

    const before = await readStreamEntries(operator, target.id);
    const refused = await as(operator, "apply", key, "--expect", shown.patch.cid, "--yes");
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain(shown.patch.cid);
    expect(refused.stderr).toContain(moved.toString());
    expect(await readStreamEntries(operator, target.id)).toHaveLength(before.length);
  });

  it("refuses a patch that would add a source, naming the entry", async () => {
    const { key } = await proposePatch(contributor, {
      target: target.id,
      title: "Let me in",
      entries: [{ eventId: SOURCE_ADD_EVENT_ID, content: target.localId }],
    });
    const shown = await as(operator, "show", key);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(SOURCE_ADD_EVENT_ID);

    const before = await readStreamEntries(operator, target.id);
    const refused = await as(operator, "apply", key, "--yes");
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain(SOURCE_ADD_EVENT_ID);
    expect(await readStreamEntries(operator, target.id)).toHaveLength(before.length);
  });
});
