import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { KuboUnavailableError } from "../../../src/ipfs/errors.js";
import { openFileJournal } from "../../../src/service/apply-journal.js";
import { applyPatch } from "../../../src/service/apply-patch.js";
import { reviewPatch } from "../../../src/service/review-patch.js";
import { connect } from "../../helpers/kubo.js";
import { createProjectTarget } from "../../helpers/nomad-builders/index.js";
import { type FaultPoint, withFault } from "./fault-store.js";
import { faultLimits, operatorAndContributor, proposeFeatures, streamOf } from "./patch-setup.js";

/**
 * Kubo SIGKILLed at each step of an apply, restarted on the same repository, and the same approval
 * run again by a new process (a fresh journal over the same data directory): every entry lands in
 * the operator's stream exactly once and the predicted roaming value is published.
 */
describe("Kubo killed in the middle of an apply", () => {
  const nodes = operatorAndContributor("nomad-patch-faults-");

  const points: { name: string; point: (roamingKeyName: string) => FaultPoint; journalState: string }[] = [
    {
      // The entries and the stream go in one import: the crash comes as it starts. The stream was read
      // without them just before, so the record says nothing was published and the next approval plans again.
      name: "while writing the entry blocks",
      point: () => ({ method: "importBlocks", nth: 1 }),
      journalState: "failed",
    },
    {
      name: "between the local and the roaming publish",
      point: (roaming) => ({ method: "publishName", nth: 1, when: (name) => name === roaming }),
      journalState: "local-published",
    },
    {
      // The pin (one, of the stream over the entries) comes before the first publish: the stream is known
      // not to hold the entries, so the record says nothing was published and the next approval plans again.
      name: "while pinning what the entries reference, before publishing",
      point: () => ({ method: "pin", nth: 1 }),
      journalState: "failed",
    },
  ];

  for (const [i, { name, point, journalState }] of points.entries()) {
    it(`finishes exactly once after a SIGKILL ${name}`, async () => {
      const project = await createProjectTarget(nodes.operator, { knownId: `killed-${i}`, name: "Before" });
      const patch = await proposeFeatures(nodes.contributor, project.id, ["one", "two", "three"]);
      const { review } = await reviewPatch(
        { store: nodes.operator.store },
        { key: patch.key, limits: faultLimits },
      );
      const approval = {
        key: patch.key,
        expectPatchCid: review.patch.cid,
        expectResultCid: review.predictedResultCid as string,
        limits: faultLimits,
      };
      const before = await streamOf(nodes.operator.store, project.localId);
      const dataDir = join(nodes.work, `apply-${i}`);

      const victim = nodes.operator;
      const faulty = withFault(victim.store, point(project.keyNames.roaming), () => victim.kill("SIGKILL"));
      const crashed = await applyPatch(
        { store: faulty, journal: await openFileJournal(dataDir) },
        approval,
      ).catch((e: unknown) => e);
      expect(crashed).toBeInstanceOf(KuboUnavailableError);
      expect((await (await openFileJournal(dataDir)).get(review.patch.cid))?.state).toBe(journalState);

      nodes.operator = await victim.restart();
      await connect(nodes.operator, nodes.contributor);
      const outcome = await applyPatch(
        { store: nodes.operator.store, journal: await openFileJournal(dataDir) },
        approval,
      );
      expect(outcome.status).toBe("applied");
      expect(outcome.roamingCid).toBe(review.predictedResultCid);

      const after = await streamOf(nodes.operator.store, project.localId);
      expect(after).toEqual([...before, ...outcome.entryCids]);
      expect(new Set(after).size).toBe(after.length);
      expect((await nodes.operator.store.resolveName(project.id, { nocache: true }))?.toString()).toBe(
        outcome.roamingCid,
      );

      const again = await applyPatch(
        { store: nodes.operator.store, journal: await openFileJournal(dataDir) },
        approval,
      );
      expect(again.status).toBe("already-applied");
      expect(await streamOf(nodes.operator.store, project.localId)).toEqual(after);
    });
  }
});
