import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PolicyRefusal } from "../../../src/errors.js";
import { SOURCE_ADD_EVENT_ID, SOURCE_REMOVE_EVENT_ID } from "../../../src/nomad/index.js";
import { renderReviewMarkdown } from "../../../src/render/index.js";
import { openFileJournal } from "../../../src/service/apply-journal.js";
import { applyPatch } from "../../../src/service/apply-patch.js";
import { putProposedEntries } from "../../../src/service/propose-entries.js";
import { publishPatchRequest } from "../../../src/service/propose-publish.js";
import { reviewPatch } from "../../../src/service/review-patch.js";
import { putValueUpdate } from "../../../src/service/value-update-content.js";
import { type KuboNode, startKubo } from "../../helpers/kubo.js";
import {
  type BuiltTarget,
  createProjectTarget,
  proposePatch,
  testPublish,
} from "../../helpers/nomad-builders/index.js";
import { faultLimits, streamOf } from "../faults/patch-setup.js";

/** Nested `depth` arrays around null, as raw DAG-CBOR (encoding it with the library would recurse as deep). */
function nestedArrays(depth: number): Uint8Array {
  const bytes = new Uint8Array(depth + 1).fill(0x81);
  bytes[depth] = 0xf6;
  return bytes;
}

/**
 * Hostile entries inside a well-formed patch request: other objects' ids, reserved EventIds, content
 * nested deeper than any decoder's stack. Each is named in a refusal and nothing is applied.
 */
describe("hostile entries", () => {
  let node: KuboNode;
  let target: BuiltTarget;
  let other: BuiltTarget;
  let work: string;
  beforeAll(async () => {
    node = await startKubo();
    [target, other] = [
      await createProjectTarget(node, { knownId: "mine", name: "Mine" }),
      await createProjectTarget(node, { knownId: "other", name: "Other" }),
    ];
    work = await mkdtemp(join(tmpdir(), "nomad-patch-entries-"));
  });
  afterAll(async () => {
    await node?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  async function refusedApply(key: string, cid: string) {
    const dir = join(work, cid);
    const before = await streamOf(node.store, target.localId);
    const error = await applyPatch(
      { store: node.store, journal: await openFileJournal(dir) },
      { key, expectPatchCid: cid, expectResultCid: "none", limits: faultLimits },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PolicyRefusal);
    expect(await readdir(join(dir, "journal"))).toEqual([]);
    expect(await streamOf(node.store, target.localId)).toEqual(before);
    return (error as Error).message;
  }

  it("entries aimed at other objects and reserved EventIds are each refused by index", async () => {
    const value = await putValueUpdate(node.store, { value: "x" });
    const patch = await proposePatch(node, {
      target: target.id,
      title: "Everything at once",
      entries: [
        { eventId: "UpdateNameAsync", content: value },
        { targetId: other.id, eventId: "UpdateNameAsync", content: value },
        { targetId: `${target.id}x`, eventId: "UpdateNameAsync", content: value },
        { targetId: `${other.id}/${target.id}`, eventId: "UpdateNameAsync", content: value },
        { eventId: SOURCE_ADD_EVENT_ID, content: other.localId },
        { eventId: SOURCE_REMOVE_EVENT_ID, content: target.localId },
      ],
    });
    const { review } = await reviewPatch({ store: node.store }, { key: patch.key, limits: faultLimits });
    expect(review.refusals.map((r) => [r.code, r.entryIndex])).toEqual([
      ["reserved-event-id", 4],
      ["reserved-event-id", 5],
      ["entry-outside-target", 1],
      ["entry-outside-target", 2],
      ["entry-outside-target", 3],
    ]);
    expect(review.refusals[2]?.message).toBe(
      `Entry 1 targets ${other.id}, which is neither the target ${target.id} nor under it`,
    );
    const message = await refusedApply(patch.key, patch.cid.toString());
    expect(message).toContain(
      `Entry 4 would make ${other.localId} a device with full write access to the target (NomadEventStreamSourceAddEvent)`,
    );
  });

  it("content nested 100,000 deep is reported on its entry, never a crash", async () => {
    const deep = await node.store.rpc.block.put(nestedArrays(100_000), {
      format: "dag-cbor",
      mhtype: "sha2-256",
    });
    const patch = await proposePatch(node, {
      target: target.id,
      title: "Deep",
      entries: [{ eventId: "UpdateNameAsync", content: { Key: null, Value: deep, Unset: false } }],
    });
    const { review } = await reviewPatch({ store: node.store }, { key: patch.key, limits: faultLimits });
    expect(review.refusals.map((r) => [r.code, r.entryIndex])).toEqual([["content-unreachable", 0]]);
    expect(review.refusals[0]?.message).toMatch(/not a valid block for its codec/);
    await refusedApply(patch.key, patch.cid.toString());
  });

  for (const depth of [1_000]) {
    it(`content nested ${depth} deep is refused as an entry whose replay fails, and changes nothing`, async () => {
      const content = await node.store.rpc.block.put(nestedArrays(depth), {
        format: "dag-cbor",
        mhtype: "sha2-256",
      });
      const [entry] = await putProposedEntries(node.store, [
        { targetId: target.id, eventId: "UpdateNameAsync", contentCid: content },
      ]);
      const patch = await publishPatchRequest(
        { store: node.store },
        {
          target: target.id,
          base: null,
          title: `Deep ${depth}`,
          description: "",
          entries: [entry!],
          publish: testPublish,
        },
      );
      const { review } = await reviewPatch({ store: node.store }, { key: patch.key, limits: faultLimits });
      // Its replay fails here and in C#: refused, so no device is ever handed it.
      expect(review.entries.map((e) => e.effect)).toEqual(["refused"]);
      expect(review.refusals.map((r) => r.code)).toEqual(["csharp-replay-throws"]);
      expect(review.after).toEqual(review.before);
      expect(renderReviewMarkdown(review).length).toBeLessThanOrEqual(65_536);
    });
  }
});
