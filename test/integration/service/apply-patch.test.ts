import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CID } from "multiformats/cid";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PolicyRefusal } from "../../../src/errors.js";
import type { IpldValue } from "../../../src/nomad/index.js";
import { appendEntries } from "../../../src/service/append-entries.js";
import { PatchMovedError, TargetMovedError } from "../../../src/service/apply-errors.js";
import { openFileJournal } from "../../../src/service/apply-journal.js";
import { applyPatch } from "../../../src/service/apply-patch.js";
import { createNomadObject } from "../../../src/service/create-nomad-object.js";
import { loadTarget } from "../../../src/service/load-target.js";
import { reviewPatch } from "../../../src/service/review-patch.js";
import { connect, type KuboNode, startKubo, startKuboPair } from "../../helpers/kubo.js";
import {
  proposePatch,
  type RawEntry,
  readStreamEntries,
  repointPatch,
} from "../../helpers/nomad-builders/index.js";

const limits = { maxEntries: 100, maxBytes: 8 * 1024 * 1024, resolveTimeoutMs: 15_000 };

/** A patch of ValueUpdateEvent entries, each value put as its own block, as the SDK writes them. */
async function proposeValues(
  node: KuboNode,
  target: string,
  base: CID | null,
  entries: { eventId: string; value: IpldValue }[],
) {
  return proposePatch(node, {
    target,
    title: "Rename",
    description: "Please",
    base,
    entries: await valueEntries(node, entries),
  });
}

async function valueEntries(
  node: KuboNode,
  entries: { eventId: string; value: IpldValue }[],
): Promise<RawEntry[]> {
  return Promise.all(
    entries.map(async (e) => ({
      eventId: e.eventId,
      content: { Key: null, Value: await node.store.dagPut(e.value), Unset: false },
    })),
  );
}

async function streamCids(node: KuboNode, target: string): Promise<string[]> {
  return (await readStreamEntries(node, target)).map((e) => e.cid);
}

describe("reviewing and applying a patch between two operators", () => {
  let pair: Awaited<ReturnType<typeof startKuboPair>>;
  let reader: KuboNode;
  let project: Awaited<ReturnType<typeof createNomadObject>>;
  let dataDir: string;

  beforeAll(async () => {
    pair = await startKuboPair();
    reader = await startKubo();
    await connect(reader, pair.operator);
    await connect(reader, pair.contributor);
    dataDir = await mkdtemp(join(tmpdir(), "nomad-patch-apply-"));
    project = await createNomadObject(
      { store: pair.operator.store },
      { module: "wac-project", name: "my-app" },
    );
  });
  afterAll(async () => {
    await pair?.stop();
    await reader?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("reviews a rename, applies it once, and a third node that knows only the roaming key sees it", async () => {
    const target = project.keys.roaming.id;
    const patch = await proposeValues(pair.contributor, target, project.roamingCid, [
      { eventId: "UpdateNameAsync", value: "My Renamed App" },
    ]);
    const { review } = await reviewPatch({ store: pair.operator.store }, { key: patch.key, limits });
    expect(review.refusals).toEqual([]);
    expect(review.target.canApply).toBe(true);
    expect(review.entries.map((e) => e.effect)).toEqual(["changed"]);
    expect(review.moduleView).toEqual({
      kind: "fields",
      fields: [{ path: "Name", change: "changed", before: "", after: "My Renamed App" }],
    });
    expect(review.predictedResultCid).toMatch(/^bafyrei/);

    const journal = await openFileJournal(dataDir);
    const expect_ = {
      expectPatchCid: review.patch.cid,
      expectResultCid: review.predictedResultCid as string,
    };
    const outcome = await applyPatch(
      { store: pair.operator.store, journal },
      { key: patch.key, ...expect_, limits },
    );
    expect(outcome.status).toBe("applied");
    expect(outcome.roamingCid).toBe(review.predictedResultCid);
    expect(outcome.entryCids).toHaveLength(1);
    expect(await streamCids(pair.operator, target)).toEqual(outcome.entryCids);

    const seen = await loadTarget(
      { store: reader.store },
      { target, resolve: { nocache: true, timeoutMs: 15_000 } },
    );
    expect(seen.state.Name).toBe("My Renamed App");
    expect(seen.published?.cid.toString()).toBe(outcome.roamingCid);

    const again = await applyPatch(
      { store: pair.operator.store, journal },
      { key: patch.key, ...expect_, limits },
    );
    expect(again.status).toBe("already-applied");
    expect(await streamCids(pair.operator, target)).toEqual(outcome.entryCids);
  });

  it("refuses an approval once the key points elsewhere, and when the target moved", async () => {
    const target = project.keys.roaming.id;
    const published = await pair.operator.store.resolveName(target, { nocache: true });
    const patch = await proposeValues(pair.contributor, target, published ?? null, [
      { eventId: "UpdateDescriptionAsync", value: "A fine app" },
    ]);
    const { review } = await reviewPatch({ store: pair.operator.store }, { key: patch.key, limits });
    const approved = {
      expectPatchCid: review.patch.cid,
      expectResultCid: review.predictedResultCid as string,
    };
    const journal = await openFileJournal(dataDir);

    // The target moves: the operator's own device writes first.
    await appendEntries(
      { store: pair.operator.store },
      {
        target,
        entries: [
          {
            targetId: target,
            eventId: "UpdateCategoryAsync",
            content: { Key: null, Value: await pair.operator.store.dagPut("Tools"), Unset: false },
          },
        ],
      },
    );
    const moved = await applyPatch(
      { store: pair.operator.store, journal },
      { key: patch.key, ...approved, limits },
    ).catch((e) => e);
    expect(moved).toBeInstanceOf(TargetMovedError);

    // The contributor re-points the key.
    await repointPatch(pair.contributor, {
      key: patch.key,
      target,
      addEntries: await valueEntries(pair.contributor, [
        { eventId: "UpdateDescriptionAsync", value: "Another" },
      ]),
      removeEntries: patch.entryCids,
    });
    const repointed = await applyPatch(
      { store: pair.operator.store, journal },
      { key: patch.key, ...approved, limits },
    ).catch((e) => e);
    expect(repointed).toBeInstanceOf(PatchMovedError);
    expect(await journal.get(review.patch.cid)).toBeUndefined();
  });

  it("refuses a patch that would add a source, naming the entry", async () => {
    const target = project.keys.roaming.id;
    const intruder = await pair.contributor.store.generateKey("intruder-local");
    const patch = await proposePatch(pair.contributor, {
      target,
      title: "Pairing in disguise",
      base: null,
      entries: [
        ...(await valueEntries(pair.contributor, [{ eventId: "UpdateNameAsync", value: "harmless" }])),
        // What pairing writes: the content is the new source's name as a bare string block.
        { eventId: "NomadEventStreamSourceAddEvent", content: intruder.id },
      ],
    });
    const { review } = await reviewPatch({ store: pair.operator.store }, { key: patch.key, limits });
    expect(review.refusals.map((r) => [r.code, r.entryIndex])).toEqual([["reserved-event-id", 1]]);
    expect(review.entries[1]?.effect).toBe("refused");
    const journal = await openFileJournal(dataDir);
    const refused = await applyPatch(
      { store: pair.operator.store, journal },
      {
        key: patch.key,
        expectPatchCid: review.patch.cid,
        expectResultCid: review.predictedResultCid ?? "x",
        limits,
      },
    ).catch((e) => e);
    expect(refused).toBeInstanceOf(PolicyRefusal);
    expect((refused as Error).message).toContain(
      `Entry 1 would make ${intruder.id} a device with full write access to the target (NomadEventStreamSourceAddEvent)`,
    );
  });

  it("finishes an apply that crashed between the local and the roaming publish, with each entry once", async () => {
    const target = project.keys.roaming.id;
    const published = await pair.operator.store.resolveName(target, { nocache: true });
    const patch = await proposeValues(pair.contributor, target, published ?? null, [
      { eventId: "AddFeatureAsync", value: "offline mode" },
      { eventId: "AddFeatureAsync", value: "dark theme" },
    ]);
    const { review } = await reviewPatch({ store: pair.operator.store }, { key: patch.key, limits });
    const approved = {
      expectPatchCid: review.patch.cid,
      expectResultCid: review.predictedResultCid as string,
    };
    const before = await streamCids(pair.operator, target);

    const crash = new Error("power cut");
    const first = await applyPatch(
      { store: pair.operator.store, journal: await openFileJournal(dataDir) },
      { key: patch.key, ...approved, limits, afterLocalPublish: () => Promise.reject(crash) },
    ).catch((e) => e);
    expect(first).toBe(crash);
    expect((await openFileJournal(dataDir).then((j) => j.get(review.patch.cid)))?.state).toBe(
      "local-published",
    );

    // A new process (a fresh journal over the same directory) re-runs the approval.
    const outcome = await applyPatch(
      { store: pair.operator.store, journal: await openFileJournal(dataDir) },
      { key: patch.key, ...approved, limits },
    );
    expect(outcome.status).toBe("applied");
    const after = await streamCids(pair.operator, target);
    expect(after).toEqual([...before, ...outcome.entryCids]);
    expect(new Set(after).size).toBe(after.length);
    const seen = await loadTarget({ store: pair.operator.store }, { target });
    expect(seen.state.Features).toEqual(["offline mode", "dark theme"]);
    expect(outcome.roamingCid).toBe(review.predictedResultCid);
  });
});
