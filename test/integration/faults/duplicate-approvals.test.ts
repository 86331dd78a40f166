import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PatchMovedError, TargetMovedError } from "../../../src/service/apply-errors.js";
import { openFileJournal } from "../../../src/service/apply-journal.js";
import { applyPatch } from "../../../src/service/apply-patch.js";
import { reviewPatch } from "../../../src/service/review-patch.js";
import { putValueUpdate } from "../../../src/service/value-update-content.js";
import { type BuiltTarget, createProjectTarget, repointPatch } from "../../helpers/nomad-builders/index.js";
import { faultLimits, operatorAndContributor, proposeFeatures, streamOf } from "./patch-setup.js";

/** docs/design.md §6: duplicate deliveries, two maintainers at once and late approvals all end with each entry once. */
describe("duplicate and out-of-order approvals at the service level", () => {
  const nodes = operatorAndContributor("nomad-patch-approvals-");

  async function approve(key: string) {
    const { review } = await reviewPatch({ store: nodes.operator.store }, { key, limits: faultLimits });
    expect(review.refusals).toEqual([]);
    return {
      key,
      expectPatchCid: review.patch.cid,
      expectResultCid: review.predictedResultCid as string,
      limits: faultLimits,
    };
  }

  async function project(name: string): Promise<BuiltTarget> {
    return createProjectTarget(nodes.operator, { knownId: name, name: "Before" });
  }

  it("two applies of one approval at once in one process: one applies, the other reports it applied", async () => {
    const target = await project("twice-one-process");
    const approval = await approve((await proposeFeatures(nodes.contributor, target.id, ["a", "b"])).key);
    const journal = await openFileJournal(join(nodes.work, "one-process"));
    const before = await streamOf(nodes.operator.store, target.localId);
    const outcomes = await Promise.all([
      applyPatch({ store: nodes.operator.store, journal }, approval),
      applyPatch({ store: nodes.operator.store, journal }, approval),
    ]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(["already-applied", "applied"]);
    expect(outcomes[0]?.entryCids).toEqual(outcomes[1]?.entryCids);
    expect(await streamOf(nodes.operator.store, target.localId)).toEqual([
      ...before,
      ...(outcomes[0]?.entryCids ?? []),
    ]);
  });

  it("two processes sharing the data directory apply one approval at once: exactly once", async () => {
    const target = await project("twice-two-processes");
    const approval = await approve((await proposeFeatures(nodes.contributor, target.id, ["c"])).key);
    const dir = join(nodes.work, "two-processes");
    const [first, second] = [await openFileJournal(dir), await openFileJournal(dir)];
    const before = await streamOf(nodes.operator.store, target.localId);
    const outcomes = await Promise.all([
      applyPatch({ store: nodes.operator.store, journal: first }, approval),
      applyPatch({ store: nodes.operator.store, journal: second }, approval),
    ]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(["already-applied", "applied"]);
    const after = await streamOf(nodes.operator.store, target.localId);
    expect(after).toEqual([...before, ...(outcomes[0]?.entryCids ?? [])]);
    expect(after).toHaveLength(before.length + 1);
  });

  it("a late approval of an older version is void once the key points at a newer one", async () => {
    const target = await project("late-approval");
    const patch = await proposeFeatures(nodes.contributor, target.id, ["old"]);
    const older = await approve(patch.key);
    await repointPatch(nodes.contributor, {
      key: patch.key,
      target: target.id,
      addEntries: [
        {
          eventId: "AddFeatureAsync",
          content: await putValueUpdate(nodes.contributor.store, { value: "new" }),
        },
      ],
    });
    const newer = await approve(patch.key);
    expect(newer.expectPatchCid).not.toBe(older.expectPatchCid);
    const journal = await openFileJournal(join(nodes.work, "late"));
    const before = await streamOf(nodes.operator.store, target.localId);

    const applied = await applyPatch({ store: nodes.operator.store, journal }, newer);
    expect(applied.entryCids).toHaveLength(2);
    const late = await applyPatch({ store: nodes.operator.store, journal }, older).catch((e: unknown) => e);
    expect(late).toBeInstanceOf(PatchMovedError);
    expect((late as Error).message).toContain(`not the approved ${older.expectPatchCid}`);
    expect(await journal.get(older.expectPatchCid)).toBeUndefined();
    expect(await streamOf(nodes.operator.store, target.localId)).toEqual([...before, ...applied.entryCids]);
  });

  it("two patches approved on one state: the second is refused once the first moved the target", async () => {
    const target = await project("two-patches");
    const first = await approve((await proposeFeatures(nodes.contributor, target.id, ["x"], "First")).key);
    const second = await approve((await proposeFeatures(nodes.contributor, target.id, ["y"], "Second")).key);
    const journal = await openFileJournal(join(nodes.work, "two-patches"));
    const before = await streamOf(nodes.operator.store, target.localId);

    const applied = await applyPatch({ store: nodes.operator.store, journal }, first);
    const refused = await applyPatch({ store: nodes.operator.store, journal }, second).catch(
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(TargetMovedError);
    expect((refused as Error).message).toContain(`instead of the approved ${second.expectResultCid}`);
    expect(await journal.get(second.expectPatchCid)).toBeUndefined();
    expect(await streamOf(nodes.operator.store, target.localId)).toEqual([...before, ...applied.entryCids]);
  });
});
