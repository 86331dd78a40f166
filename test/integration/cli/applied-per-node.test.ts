import { access, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApplyOutcome } from "../../../src/patch-request/apply-outcome.js";
import { openFileJournal } from "../../../src/service/apply-journal.js";
import { applyPatch } from "../../../src/service/apply-patch.js";
import { createNomadObject } from "../../../src/service/create-nomad-object.js";
import { reviewPatch } from "../../../src/service/review-patch.js";
import { connect, type KuboNode, startKubo } from "../../helpers/kubo.js";
import { proposePatch, readStreamEntries, testPublish } from "../../helpers/nomad-builders/index.js";
import { jsonOf, runCli } from "./run-cli.js";

const limits = { maxEntries: 100, maxBytes: 8 * 1024 * 1024, resolveTimeoutMs: 15_000 };

/**
 * Two nodes on one machine share a data directory (the default one, reached with `--kubo`): each keeps its
 * own apply journal, and `show` and `apply` of a version the node applied say so first instead of
 * reviewing it again.
 */
describe("the apply journal belongs to the node that applied", () => {
  let operator: KuboNode;
  let contributor: KuboNode;
  let other: KuboNode;
  let dataDir: string;
  let target: string;
  const as = (node: KuboNode, ...argv: string[]) =>
    runCli(["--kubo", node.apiUrl, ...argv], { env: { NOMAD_PATCH_DATA_DIR: dataDir } });
  const exists = (path: string) =>
    access(path).then(
      () => true,
      () => false,
    );

  /** A patch renaming the project, written by the contributor. */
  async function proposeRename(name: string): Promise<string> {
    const content = { Key: null, Value: await contributor.store.dagPut(name), Unset: false };
    // Written against the target as it is now (an earlier test renamed it), or the review reads a conflict.
    const base = await operator.store.resolveName(target, { nocache: true });
    const { key } = await proposePatch(contributor, {
      target,
      base,
      title: `Rename to ${name}`,
      entries: [{ eventId: "UpdateNameAsync", content }],
    });
    return key;
  }

  beforeAll(async () => {
    [operator, contributor, other] = await Promise.all([startKubo(), startKubo(), startKubo()]);
    await Promise.all([
      connect(operator, contributor),
      connect(other, contributor),
      connect(operator, other),
    ]);
    dataDir = await mkdtemp(join(tmpdir(), "nomad-patch-journal-"));
    const project = await createNomadObject(
      { store: operator.store },
      { module: "wac-project", name: "journal-app", publish: testPublish },
    );
    target = project.keys.roaming.id;
  });
  afterAll(async () => {
    await Promise.all([operator?.stop(), contributor?.stop(), other?.stop()]);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("show and a second apply report the apply first, on the node that applied it and only there", async () => {
    const key = await proposeRename("First");
    const applied = await as(operator, "--json", "apply", key, "--yes");
    expect(applied.code, applied.stderr).toBe(0);
    const outcome = jsonOf<ApplyOutcome>(applied);
    // Kept under the node's peer id, not in the directory every node on the machine shares.
    expect(await exists(join(dataDir, "journal", operator.peerId, `${outcome.patchCid}.json`))).toBe(true);
    expect(await exists(join(dataDir, "journal", `${outcome.patchCid}.json`))).toBe(false);

    const shown = await as(operator, "show", key);
    expect(shown.code, shown.stderr).toBe(0);
    const [first] = shown.stdout.split("\n");
    expect(first).toBe(
      `Applied at ${outcome.appliedAt} by this node (peer ${operator.peerId}) as device ${outcome.localKey}, result CID ${outcome.roamingCid}`,
    );
    expect(shown.stdout).not.toMatch(/needs review|can be applied|moved/i);

    const json = jsonOf<ApplyOutcome>(await as(operator, "--json", "show", key));
    expect(json).toEqual({ ...outcome, status: "already-applied" });

    const again = await as(operator, "apply", key, "--yes");
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout.split("\n")[0]).toBe(`Already applied patch ${outcome.patchCid} (key ${key})`);
    expect(again.stdout).not.toContain("JSON diff");

    // The other node shares the data directory but applied nothing: it is shown the review.
    const elsewhere = await as(other, "show", key);
    expect(elsewhere.code, elsewhere.stderr).toBe(0);
    expect(elsewhere.stdout).not.toContain("Applied at");
    expect(elsewhere.stdout).toContain("JSON diff");
    expect(elsewhere.stdout).toContain("Rename to First");
  });

  it("an apply recorded before journals were kept per node is still already applied on its node, only there", async () => {
    const key = await proposeRename("Second");
    // The layout before: one journal for the whole data directory.
    const { review } = await reviewPatch({ store: operator.store }, { key, limits });
    const outcome = await applyPatch(
      { store: operator.store, journal: await openFileJournal(dataDir) },
      { key, expectPatchCid: review.patch.cid, expectResultCid: review.predictedResultCid ?? "", limits },
    );
    expect(outcome.status).toBe("applied");
    const older = join(dataDir, "journal", `${outcome.patchCid}.json`);
    expect(await exists(older)).toBe(true);

    const elsewhere = await as(other, "show", key);
    expect(elsewhere.code, elsewhere.stderr).toBe(0);
    expect(elsewhere.stdout).not.toContain("Applied at");
    expect(await exists(older)).toBe(true);

    const before = await readStreamEntries(operator, target);
    const again = await as(operator, "--json", "apply", key, "--yes");
    expect(again.code, again.stderr).toBe(0);
    expect(jsonOf<ApplyOutcome>(again)).toEqual({ ...outcome, status: "already-applied" });
    expect(await readStreamEntries(operator, target)).toHaveLength(before.length);
    // Adopted: moved under the node's peer id, so no other node can take it.
    expect(await exists(older)).toBe(false);
    expect(await exists(join(dataDir, "journal", operator.peerId, `${outcome.patchCid}.json`))).toBe(true);
    expect((await as(operator, "show", key)).stdout).toMatch(/^Applied at /);
  });
});
