import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CID } from "multiformats/cid";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PolicyRefusal } from "../../../src/errors.js";
import { IpfsTimeoutError, NotFoundError } from "../../../src/ipfs/errors.js";
import { KuboStore } from "../../../src/ipfs/kubo-store.js";
import { decodeEventStreamEntry } from "../../../src/nomad/index.js";
import { decodePatchRequest } from "../../../src/patch-request/patch-request-record.js";
import { openFileJournal } from "../../../src/service/apply-journal.js";
import { applyPatch } from "../../../src/service/apply-patch.js";
import { reviewPatch } from "../../../src/service/review-patch.js";
import { connect, type KuboNode, startKubo } from "../../helpers/kubo.js";
import { type BuiltTarget, createProjectTarget } from "../../helpers/nomad-builders/index.js";
import { countingStore } from "./counting-store.js";
import { faultLimits, proposeFeatures, streamOf } from "./patch-setup.js";

/**
 * The contributor's node goes offline after posting: what the operator already holds is read, the rest
 * cannot be fetched. Each case ends in a typed refusal within the store's per-call bound (1.5 s here),
 * every unreachable block asked for once, and nothing applied.
 */
describe("the contributor's node offline", () => {
  let operator: KuboNode;
  let contributor: KuboNode;
  let bounded: KuboStore;
  let target: BuiltTarget;
  let work: string;
  const limits = { ...faultLimits, resolveTimeoutMs: 3_000 };
  const patches: Record<string, { key: string; cid: CID; entryCids: readonly CID[] }> = {};
  let neverPublished: string;

  beforeAll(async () => {
    [operator, contributor] = await Promise.all([startKubo(), startKubo()]);
    await connect(operator, contributor);
    work = await mkdtemp(join(tmpdir(), "nomad-patch-offline-"));
    bounded = new KuboStore({
      apiUrl: operator.apiUrl,
      limits: { timeoutMs: 1_500, resolveTimeoutMs: 3_000 },
    });
    target = await createProjectTarget(operator, { knownId: "offline", name: "Before" });
    for (const name of ["contentMissing", "entriesMissing", "recordMissing"])
      patches[name] = await proposeFeatures(contributor, target.id, [`${name} 1`, `${name} 2`], name);
    neverPublished = (await contributor.store.generateKey("Nomad.PatchRequest.Roaming.unpublished")).id;

    // What the operator happened to fetch before the contributor went away.
    const contentMissing = patches.contentMissing!;
    const record = decodePatchRequest(await operator.store.dagGet(contentMissing.cid), "record");
    for (const entry of record.entries) decodeEventStreamEntry(await operator.store.dagGet(entry), "entry");
    await operator.store.dagGet(patches.entriesMissing!.cid);
    await contributor.kill("SIGKILL");
  });
  afterAll(async () => {
    await operator?.stop();
    if (contributor) await rm(contributor.repoPath, { recursive: true, force: true });
    if (work) await rm(work, { recursive: true, force: true });
  });

  it("unreachable content is reported on each entry, and the apply is refused with nothing written", async () => {
    const patch = patches.contentMissing!;
    const counted = countingStore(bounded);
    const { review } = await reviewPatch({ store: counted.store }, { key: patch.key, limits });
    expect(review.refusals.map((r) => [r.code, r.entryIndex])).toEqual([
      ["content-unreachable", 0],
      ["content-unreachable", 1],
    ]);
    expect(review.refusals[0]?.message).toMatch(/did not finish within 1500 ms/);
    expect(review.refusals[0]?.message).toContain("the contributor's node is probably offline");
    expect(review.entries.map((e) => e.effect)).toEqual(["refused", "refused"]);
    // Each missing content block was asked for once: no retry loop.
    for (const cid of patch.entryCids) expect(counted.reads(cid)).toBe(1);

    const before = await streamOf(operator.store, target.localId);
    const journal = await openFileJournal(join(work, "content"));
    const applied = await applyPatch(
      { store: bounded, journal },
      { key: patch.key, expectPatchCid: patch.cid.toString(), expectResultCid: "none", limits },
    ).catch((e: unknown) => e);
    expect(applied).toBeInstanceOf(PolicyRefusal);
    expect((applied as Error).message).toContain("Entry 0");
    expect(await journal.get(patch.cid.toString())).toBeUndefined();
    expect(await streamOf(operator.store, target.localId)).toEqual(before);
  });

  it("unreachable entry blocks are reported as unreadable entries", async () => {
    const patch = patches.entriesMissing!;
    const counted = countingStore(bounded);
    const { review } = await reviewPatch({ store: counted.store }, { key: patch.key, limits });
    expect(review.refusals.map((r) => [r.code, r.entryIndex])).toEqual([
      ["entry-unreadable", 0],
      ["entry-unreadable", 1],
    ]);
    for (const cid of patch.entryCids) expect(counted.reads(cid)).toBe(1);
    expect(review.entries.map((e) => e.effect)).toEqual(["refused", "refused"]);
  });

  it("an unreachable patch record fails the review with a timeout, having read nothing else of it", async () => {
    const patch = patches.recordMissing!;
    const counted = countingStore(bounded);
    const error = await reviewPatch({ store: counted.store }, { key: patch.key, limits }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(IpfsTimeoutError);
    expect((error as Error).message).toBe(`block get ${patch.cid} did not finish within 1500 ms`);
    expect((error as IpfsTimeoutError).hint).toMatch(/^the contributor's node is probably offline/);
    expect(counted.reads()).toBe(1);
  });

  it("a key its offline owner never published is not found within the resolve bound", async () => {
    const counted = countingStore(bounded);
    const error = await reviewPatch({ store: counted.store }, { key: neverPublished, limits }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as Error).message).toContain(`The patch request key ${neverPublished} does not resolve`);
    expect(counted.reads()).toBe(0);
  });
});
