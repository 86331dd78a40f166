import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UnreplayableHistoryError } from "../../../src/service/apply-errors.js";
import { openFileJournal } from "../../../src/service/apply-journal.js";
import { applyPatch } from "../../../src/service/apply-patch.js";
import { reviewPatch } from "../../../src/service/review-patch.js";
import {
  generateKey,
  projectValue,
  publish,
  publishStream,
  putJson,
  valueEntry,
} from "../../helpers/csharp-device.js";
import type { KuboNode } from "../../helpers/kubo.js";
import { proposeValues } from "../service/device-set.js";
import {
  type BotAndDevice,
  CSHARP_TEST_LIMITS,
  PROJECT_PREFIX,
  startBotAndDevice,
  stopBotAndDevice,
} from "./bot-and-device.js";

const limits = CSHARP_TEST_LIMITS;
const PREFIX = PROJECT_PREFIX;

/**
 * A device of the owner runs a newer WindowsAppCommunity.Sdk, which writes an event this project's fold
 * (and the SDK's replay switch it follows, src/Nomad/ModifiableProject.cs `ApplyEntryUpdateAsync`) does not
 * know. A C# device of the version followed here throws on it (`NotImplementedException`), so it loads and
 * publishes nothing; the newer device applies it. A roaming value folded here would leave that device's
 * change out, for every reader.
 */
describe("a device's entries of an event type the fold does not know", () => {
  let pair: BotAndDevice["pair"];
  let device: KuboNode;
  let dataDir: string;
  const bot = () => pair.operator;

  beforeAll(async () => {
    ({ pair, device, dataDir } = await startBotAndDevice("newer-events"));
  });
  afterAll(() => stopBotAndDevice({ pair, device, dataDir }));

  async function projectWithNewerEvent(name: string) {
    const roamingName = `${PREFIX}.Roaming.${name}`;
    const localName = `${PREFIX}.Local.${name}`;
    const id = await generateKey(bot(), roamingName);
    await generateKey(bot(), localName);
    const deviceLocalId = await generateKey(device, localName);
    const newer = await valueEntry(device, {
      targetId: id,
      eventId: "UpdateTagsAsync",
      value: ["windows", "tools"],
      timestampUtc: "2025-06-02T08:31:00Z",
    });
    const entries = [
      await valueEntry(device, {
        targetId: id,
        eventId: "UpdateNameAsync",
        value: "Operator Name",
        timestampUtc: "2025-06-02T08:30:00Z",
      }),
      newer,
    ];
    await publishStream(device, localName, name, entries);
    await publishStream(bot(), localName, name, []);
    await publish(
      bot(),
      roamingName,
      await putJson(bot(), projectValue({ Sources: [deviceLocalId], Name: "Operator Name" })),
    );
    return { id, newer };
  }

  it("block the apply, naming the entry, and nothing is published; a target that allows a divergent publish goes ahead", async () => {
    const { id, newer } = await projectWithNewerEvent("newer-event");
    const patch = await proposeValues(pair.contributor, id, [
      { eventId: "AddFeatureAsync", value: "Dark mode" },
    ]);
    const { review } = await reviewPatch({ store: bot().store }, { key: patch.key, limits, dataDir });
    expect(review.refusals).toEqual([]);
    const blocker = review.blockers?.find((b) => b.code === "history-unreplayable");
    expect(blocker?.message).toContain(newer);
    expect(blocker?.message).toContain("UpdateTagsAsync");
    expect(review.target.rejectedHistory).toMatchObject({
      count: 1,
      skipped: 1,
      entries: [{ cid: newer, eventId: "UpdateTagsAsync", skipped: true }],
    });

    const before = (await bot().store.resolveName(id, { nocache: true }))?.toString();
    const approved = {
      key: patch.key,
      expectPatchCid: patch.cid.toString(),
      expectResultCid: review.predictedResultCid as string,
      limits,
      dataDir,
    };
    const refused = await applyPatch(
      { store: bot().store, journal: await openFileJournal(dataDir) },
      approved,
    ).catch((e) => e);
    expect(refused).toBeInstanceOf(UnreplayableHistoryError);
    expect((refused as Error).message).toContain(newer);
    expect((await bot().store.resolveName(id, { nocache: true }))?.toString()).toBe(before);

    // The operator accepts publishing values that differ from a device's: a warning, and the apply goes ahead.
    const allowed = await reviewPatch(
      { store: bot().store },
      { key: patch.key, limits, dataDir, allowDivergentPublish: true },
    );
    expect(allowed.review.blockers ?? []).toEqual([]);
    expect(allowed.review.warnings.map((w) => w.code)).toContain("history-unreplayable-allowed");
    const outcome = await applyPatch(
      { store: bot().store, journal: await openFileJournal(dataDir) },
      { ...approved, allowDivergentPublish: true },
    );
    expect(outcome.status).toBe("applied");
  });
});
