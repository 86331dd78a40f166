import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PolicyRefusal, UsageError } from "../../../src/errors.js";
import { wacPublisherModule } from "../../../src/nomad/index.js";
import { createNomadObject } from "../../../src/service/create-nomad-object.js";
import { proposePatch } from "../../../src/service/propose-patch.js";
import { reviewPatch } from "../../../src/service/review-patch.js";
import { type KuboNode, startKubo } from "../../helpers/kubo.js";
import { createProjectTarget, testPublish } from "../../helpers/nomad-builders/index.js";
import { faultLimits } from "../faults/patch-setup.js";

/** `propose --set/--add` writes only entries the operator's C# devices can load (issue 10 A). */
describe("proposed field edits that C# devices load", () => {
  let node: KuboNode;
  beforeAll(async () => {
    node = await startKubo();
  });
  afterAll(async () => {
    await node?.stop();
  });

  it("clears ForgetMe with a null value block, which C# reads, instead of a null Value, which it throws on", async () => {
    const target = await createProjectTarget(node, { knownId: "forget", name: "Forget" });
    const proposed = await proposePatch(
      { store: node.store },
      {
        target: target.id,
        title: "Forget me, then not",
        description: "",
        changes: {
          kind: "values",
          operations: [
            { op: "set", field: "ForgetMe", value: "true" },
            { op: "set", field: "ForgetMe", value: "null" },
          ],
        },
        publish: testPublish,
      },
    );
    const { review } = await reviewPatch({ store: node.store }, { key: proposed.key, limits: faultLimits });
    expect(review.refusals).toEqual([]);
    expect(review.entries.map((e) => e.effect)).toEqual(["changed", "changed"]);
    expect((review.after as { ForgetMe: unknown }).ForgetMe).toBeNull();
    const cleared = review.entries[1]?.content as { Value: unknown; Unset: boolean };
    expect(cleared.Value).not.toBeNull();
  });

  it("refuses to write a publisher's parent or child publishers, which the C# replay throws on", async () => {
    const created = await createNomadObject(
      { store: node.store },
      { module: wacPublisherModule, name: "graph", publish: testPublish },
    );
    const role = JSON.stringify({
      PublisherId: created.keys.roaming.id,
      Role: { Id: "p", Name: "P", Description: "" },
    });
    for (const field of ["ParentPublishers", "ChildPublishers"]) {
      const error = await proposePatch(
        { store: node.store },
        {
          target: created.keys.roaming.id,
          title: "Graph",
          description: "",
          changes: { kind: "values", operations: [{ op: "add", field, value: role }] },
          publish: testPublish,
        },
      ).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UsageError);
      expect((error as Error).message).toContain(`has no field "${field}"`);
    }
  });

  it("refuses, before publishing, a field edit naming an object that does not load (C# loads it to apply it)", async () => {
    const target = await createProjectTarget(node, { knownId: "orphan", name: "Orphan" });
    const missing = (await node.store.generateKey("publisher-never-published")).id;
    const keysBefore = (await node.store.listKeys()).length;
    const error = await proposePatch(
      { store: node.store },
      {
        target: target.id,
        title: "Move to a publisher that does not exist",
        description: "",
        changes: { kind: "values", operations: [{ op: "set", field: "Publisher", value: missing }] },
        publish: testPublish,
        resolveTimeoutMs: faultLimits.resolveTimeoutMs,
      },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PolicyRefusal);
    expect((error as Error).message).toMatch(
      /^Nothing was published: Entry 0 would stop every C# device loading the target: .*does not load \(its name does not resolve\).*\(csharp-reference-unresolved\)$/,
    );
    expect((await node.store.listKeys()).length).toBe(keysBefore);
  });
});
