import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderReviewJson, renderReviewMarkdown, renderReviewText } from "../../../src/render/index.js";
import {
  DivergentPublishError,
  SourceUnreachableError,
  UnfinishedApplyError,
} from "../../../src/service/apply-errors.js";
import { openFileJournal } from "../../../src/service/apply-journal.js";
import { applyPatch } from "../../../src/service/apply-patch.js";
import { addKnownSources } from "../../../src/service/known-sources.js";
import { loadTarget } from "../../../src/service/load-target.js";
import { type ReviewPatchInput, reviewPatch } from "../../../src/service/review-patch.js";
import { projectValue } from "../../helpers/csharp-device.js";
import { connect, type KuboNode, startKubo } from "../../helpers/kubo.js";
import { jsonOf, runCli } from "../cli/run-cli.js";
import { type BotAndDevice, startBotAndDevice, stopBotAndDevice } from "../csharp/bot-and-device.js";
import {
  bringDeviceBack,
  type DeviceSet,
  foldedProject,
  keyState,
  projectOnTwoDevices,
  proposeValues,
  takeDeviceOffline,
} from "./device-set.js";

const limits = { maxEntries: 100, maxBytes: 8 * 1024 * 1024, resolveTimeoutMs: 15_000 };

/** The review in the three renderings a person or a script reads. */
function renderings(review: Awaited<ReturnType<typeof reviewPatch>>["review"]) {
  return {
    markdown: renderReviewMarkdown(review),
    text: renderReviewText(review, { color: false }),
    json: JSON.parse(renderReviewJson(review)) as Record<string, unknown>,
  };
}

describe("never publishing a roaming value that loses data (C#-shaped device sets)", () => {
  let pair: BotAndDevice["pair"];
  let device: KuboNode;
  let dataDir: string;
  let counter = 0;
  const bot = () => pair.operator;

  beforeAll(async () => {
    ({ pair, device, dataDir } = await startBotAndDevice("safety"));
  });
  afterAll(() => stopBotAndDevice({ pair, device, dataDir }));

  async function attempt(
    set: DeviceSet,
    key: string,
    patchCid: string,
    result: string,
    extra: { targets?: ReviewPatchInput["targets"] } = {},
  ) {
    const journal = await openFileJournal(dataDir);
    const before = await keyState(bot().store, set);
    const error = await applyPatch(
      { store: bot().store, journal },
      { key, expectPatchCid: patchCid, expectResultCid: result, limits, dataDir, ...extra },
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(await keyState(bot().store, set)).toEqual(before);
    expect(await journal.get(patchCid)).toBeUndefined();
    return error;
  }

  it("refuses while a device's stream does not resolve, names it in every rendering, and applies once it is back", async () => {
    const names = ["Operator Name"];
    // A node of its own, which this test stops and brings back.
    let away = await startKubo();
    await connect(bot(), away);
    try {
      const set = await projectOnTwoDevices(bot(), away, {
        knownId: `offline-${++counter}`,
        names,
        published: (keys) => foldedProject(names, [keys.device]),
      });
      const patch = await proposeValues(pair.contributor, set.id, [
        { eventId: "AddFeatureAsync", value: "Dark mode" },
      ]);
      const online = await reviewPatch({ store: bot().store }, { key: patch.key, limits, dataDir });
      expect(online.review.blockers).toEqual([]);
      expect(online.review.target.publishedMatchesFold).toBe(true);
      const result = online.review.predictedResultCid as string;

      await takeDeviceOffline(away, set, bot());
      const { review } = await reviewPatch({ store: bot().store }, { key: patch.key, limits, dataDir });
      expect(review.target.unreachableSources).toEqual([
        { id: set.device.localId, via: "listed in the roaming value's Sources" },
      ]);
      // What the fold without the device would drop is shown too.
      expect(review.blockers?.map((b) => b.code)).toEqual(["source-unreachable", "divergent-publish"]);
      expect(review.publishDrift?.changes).toEqual([
        { path: "Name", change: "changed", before: "Operator Name", after: "" },
      ]);
      const shown = renderings(review);
      for (const text of [shown.markdown, shown.text]) {
        expect(text).toContain(set.device.localId);
        expect(text).toContain("Blocked");
        expect(text).toMatch(/\/refresh or \/apply again/);
      }
      expect(shown.json.blockers).toEqual([
        { code: "source-unreachable", message: expect.stringContaining(set.device.localId) },
        { code: "divergent-publish", message: expect.any(String) },
      ]);
      expect((shown.json.target as Record<string, unknown>).unreachableSources).toEqual([
        { id: set.device.localId, via: "listed in the roaming value's Sources" },
      ]);

      const refused = await attempt(set, patch.key, patch.cid.toString(), result);
      expect(refused).toBeInstanceOf(SourceUnreachableError);
      expect((refused as Error).message).toContain(set.device.localId);

      away = await bringDeviceBack(away, set, bot());
      const journal = await openFileJournal(dataDir);
      const outcome = await applyPatch(
        { store: bot().store, journal },
        { key: patch.key, expectPatchCid: patch.cid.toString(), expectResultCid: result, limits, dataDir },
      );
      expect(outcome.status).toBe("applied");
      const after = await loadTarget({ store: bot().store }, { target: set.id });
      expect(after.state).toMatchObject({ Name: "Operator Name", Features: ["Dark mode"] });
      expect(after.matchesPublished).toBe(true);
    } finally {
      await away.stop();
    }
  });

  it("shows and refuses a publish that would drop what no known source reproduces; the target may allow it", async () => {
    const names = ["Operator Name"];
    const set = await projectOnTwoDevices(bot(), device, {
      knownId: `drift-${++counter}`,
      names,
      // Written by a device the bot does not know: no stream it can read holds this description.
      published: (keys) =>
        projectValue({ Sources: [keys.device], Name: "Operator Name", Description: "Only published" }),
    });
    const patch = await proposeValues(pair.contributor, set.id, [
      { eventId: "AddFeatureAsync", value: "Dark mode" },
    ]);
    const { review } = await reviewPatch({ store: bot().store }, { key: patch.key, limits, dataDir });
    expect(review.publishDrift).toEqual({
      publishedCid: set.roamingCid,
      changes: [{ path: "Description", change: "changed", before: "Only published", after: "" }],
      allowed: false,
    });
    expect(review.blockers?.map((b) => b.code)).toEqual(["divergent-publish"]);
    const shown = renderings(review);
    for (const text of [shown.markdown, shown.text]) {
      expect(text).toContain("Beyond this patch, publishing would change");
      expect(text).toMatch(/Description: changed "Only published" → ""/);
      expect(text).toContain("allowDivergentPublish: true");
    }
    expect(shown.json.publishDrift).toEqual(review.publishDrift);
    expect(shown.json.blockers).toEqual([
      { code: "divergent-publish", message: expect.stringContaining("allowDivergentPublish: true") },
    ]);

    const result = review.predictedResultCid as string;
    expect(await attempt(set, patch.key, patch.cid.toString(), result)).toBeInstanceOf(DivergentPublishError);

    // A patch that itself sets the diverging field publishes nothing beyond its own effect.
    const own = await proposeValues(pair.contributor, set.id, [
      { eventId: "UpdateDescriptionAsync", value: "Mine" },
    ]);
    const ownReview = (await reviewPatch({ store: bot().store }, { key: own.key, limits, dataDir })).review;
    expect(ownReview.publishDrift).toBeNull();
    expect(ownReview.blockers).toEqual([]);

    // The operator accepts the divergence on purpose: the review still lists it, and the apply goes ahead.
    const targets = [{ id: set.id, allowDivergentPublish: true }];
    const allowed = (await reviewPatch({ store: bot().store }, { key: patch.key, limits, dataDir, targets }))
      .review;
    expect(allowed.blockers).toEqual([]);
    expect(allowed.publishDrift?.allowed).toBe(true);
    expect(allowed.warnings.map((w) => w.code)).toContain("divergent-publish-allowed");
    const journal = await openFileJournal(dataDir);
    const outcome = await applyPatch(
      { store: bot().store, journal },
      {
        key: patch.key,
        expectPatchCid: patch.cid.toString(),
        expectResultCid: result,
        limits,
        dataDir,
        targets,
      },
    );
    expect(outcome.status).toBe("applied");
  });

  it("learns the device set of an object whose roaming value names no sources: from config, or from pairing", async () => {
    const names = ["From the command line"];
    // The WindowsAppCommunity command line publishes `Sources: []`; the bot's own stream names nobody.
    const set = await projectOnTwoDevices(bot(), device, {
      knownId: `wac-cli-${++counter}`,
      names,
      published: () => foldedProject(names, []),
    });
    const patch = await proposeValues(pair.contributor, set.id, [
      { eventId: "AddFeatureAsync", value: "Sync" },
    ]);

    const alone = (await reviewPatch({ store: bot().store }, { key: patch.key, limits })).review;
    expect(alone.publishDrift?.changes).toEqual([
      { path: "Name", change: "changed", before: "From the command line", after: "" },
    ]);
    expect(alone.blockers?.map((b) => b.code)).toEqual(["divergent-publish"]);
    const shown = renderings(alone);
    for (const text of [shown.markdown, shown.text]) {
      expect(text).toContain("Blocked");
      expect(text).toMatch(/Name: changed "From the command line" → ""/);
      expect(text).toContain("sources");
    }
    expect(shown.json.blockers).toEqual([{ code: "divergent-publish", message: expect.any(String) }]);
    expect(shown.json.publishDrift).toEqual(alone.publishDrift);
    expect(
      await attempt(set, patch.key, patch.cid.toString(), alone.predictedResultCid as string),
    ).toBeInstanceOf(DivergentPublishError);

    const targets = [{ id: set.id, sources: [set.device.localId] }];
    const configured = (await reviewPatch({ store: bot().store }, { key: patch.key, limits, targets }))
      .review;
    expect(configured.target.publishedMatchesFold).toBe(true);
    expect(configured.publishDrift).toBeNull();
    expect(configured.blockers).toEqual([]);

    // Pairing records the other side's local key in the data directory; every load then reads it.
    await addKnownSources(dataDir, set.id, [set.device.localId]);
    const paired = (await reviewPatch({ store: bot().store }, { key: patch.key, limits, dataDir })).review;
    expect(paired.blockers).toEqual([]);
    expect(paired.predictedResultCid).toBe(configured.predictedResultCid);
    const journal = await openFileJournal(dataDir);
    const outcome = await applyPatch(
      { store: bot().store, journal },
      {
        key: patch.key,
        expectPatchCid: patch.cid.toString(),
        expectResultCid: paired.predictedResultCid as string,
        limits,
        dataDir,
      },
    );
    expect(outcome.status).toBe("applied");
    const after = await loadTarget(
      { store: bot().store },
      { target: set.id, pairedSources: [set.device.localId] },
    );
    expect(after.state).toMatchObject({ Name: "From the command line", Features: ["Sync"] });
    expect(after.matchesPublished).toBe(true);
  });

  it("holds the roaming value back when a device goes offline after the local publish, and a retry completes it", async () => {
    const names = ["Before the crash"];
    let away = await startKubo();
    await connect(bot(), away);
    try {
      const set = await projectOnTwoDevices(bot(), away, {
        knownId: `mid-apply-${++counter}`,
        names,
        published: (keys) => foldedProject(names, [keys.device]),
      });
      const patch = await proposeValues(pair.contributor, set.id, [
        { eventId: "AddFeatureAsync", value: "Later" },
      ]);
      const { review } = await reviewPatch({ store: bot().store }, { key: patch.key, limits, dataDir });
      const input = {
        key: patch.key,
        expectPatchCid: patch.cid.toString(),
        expectResultCid: review.predictedResultCid as string,
        limits,
        dataDir,
      };
      const journal = await openFileJournal(dataDir);
      const error = await applyPatch(
        { store: bot().store, journal },
        { ...input, afterLocalPublish: () => takeDeviceOffline(away, set, bot()) },
      ).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SourceUnreachableError);
      // The entries are in the bot's stream (the journal knows), but the roaming value was not touched.
      expect((await journal.get(patch.cid.toString()))?.state).toBe("local-published");
      expect((await keyState(bot().store, set)).roaming).toBe(set.roamingCid);

      away = await bringDeviceBack(away, set, bot());
      const outcome = await applyPatch({ store: bot().store, journal }, input);
      expect(outcome.status).toBe("applied");
      const after = await loadTarget({ store: bot().store }, { target: set.id });
      expect(after.state).toMatchObject({ Name: "Before the crash", Features: ["Later"] });
      expect(outcome.roamingCid).toBe(review.predictedResultCid);
    } finally {
      await away.stop();
    }
  });

  it("refuses to plan another patch on top of a half-done apply, naming it, until that one is finished", async () => {
    const names = ["Half done"];
    let away = await startKubo();
    await connect(bot(), away);
    try {
      const set = await projectOnTwoDevices(bot(), away, {
        knownId: `half-done-${++counter}`,
        names,
        published: (keys) => foldedProject(names, [keys.device]),
      });
      const first = await proposeValues(pair.contributor, set.id, [
        { eventId: "AddFeatureAsync", value: "First" },
      ]);
      const firstReview = (await reviewPatch({ store: bot().store }, { key: first.key, limits, dataDir }))
        .review;
      const firstInput = {
        key: first.key,
        expectPatchCid: first.cid.toString(),
        expectResultCid: firstReview.predictedResultCid as string,
        limits,
        dataDir,
      };
      const journal = await openFileJournal(dataDir);
      const stopped = await applyPatch(
        { store: bot().store, journal },
        { ...firstInput, afterLocalPublish: () => takeDeviceOffline(away, set, bot()) },
      ).catch((e: unknown) => e);
      expect(stopped).toBeInstanceOf(SourceUnreachableError);
      expect(await journal.unfinished(set.id)).toMatchObject([{ patchCid: first.cid.toString() }]);
      away = await bringDeviceBack(away, set, bot());

      // A second patch, approved while the first is half done: its review shows the first one's entries as
      // a divergent publish; the apply names the real cause and writes nothing.
      const second = await proposeValues(pair.contributor, set.id, [
        { eventId: "AddFeatureAsync", value: "Second" },
      ]);
      const secondReview = (await reviewPatch({ store: bot().store }, { key: second.key, limits, dataDir }))
        .review;
      const secondInput = {
        key: second.key,
        expectPatchCid: second.cid.toString(),
        expectResultCid: secondReview.predictedResultCid as string,
        limits,
        dataDir,
      };
      const before = await keyState(bot().store, set);
      const refused = await applyPatch({ store: bot().store, journal }, secondInput).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(UnfinishedApplyError);
      expect((refused as UnfinishedApplyError).message).toContain(first.key);
      expect((refused as UnfinishedApplyError).hint).toContain(`nomad-patch apply ${first.key}`);
      expect(await keyState(bot().store, set)).toEqual(before);
      expect(await journal.get(second.cid.toString())).toBeUndefined();

      // The first one finished, the second is reviewed again and applies on top of it.
      expect((await applyPatch({ store: bot().store, journal }, firstInput)).status).toBe("applied");
      expect(await journal.unfinished(set.id)).toEqual([]);
      const again = (await reviewPatch({ store: bot().store }, { key: second.key, limits, dataDir })).review;
      const outcome = await applyPatch(
        { store: bot().store, journal },
        { ...secondInput, expectResultCid: again.predictedResultCid as string },
      );
      expect(outcome.status).toBe("applied");
      const after = await loadTarget({ store: bot().store }, { target: set.id });
      expect(after.state).toMatchObject({ Name: "Half done", Features: ["First", "Second"] });
    } finally {
      await away.stop();
    }
  });

  it("nomad-patch apply refuses a divergent publish (exit 3) unless --allow-divergent-publish is given", async () => {
    const names = ["Operator Name"];
    const set = await projectOnTwoDevices(bot(), device, {
      knownId: `cli-${++counter}`,
      names,
      published: (keys) =>
        projectValue({ Sources: [keys.device], Name: "Operator Name", Features: ["Hidden"] }),
    });
    const patch = await proposeValues(pair.contributor, set.id, [
      { eventId: "UpdateDescriptionAsync", value: "New" },
    ]);
    const cliDataDir = join(dataDir, "cli");
    const cli = (...argv: string[]) =>
      runCli(["--kubo", bot().apiUrl, ...argv], { env: { NOMAD_PATCH_DATA_DIR: cliDataDir } });

    const shown = jsonOf<{ publishDrift: unknown; blockers: { code: string }[] }>(
      await cli("--json", "show", patch.key),
    );
    expect(shown.publishDrift).toEqual({
      publishedCid: set.roamingCid,
      changes: [{ path: "Features[Hidden]", change: "removed", before: "Hidden" }],
      allowed: false,
    });
    expect(shown.blockers.map((b) => b.code)).toEqual(["divergent-publish"]);

    const before = await keyState(bot().store, set);
    const refused = await cli("apply", patch.key, "--yes");
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain("--allow-divergent-publish");
    expect(refused.stdout).toContain("Beyond this patch, publishing would change");
    expect(await keyState(bot().store, set)).toEqual(before);

    const applied = await cli("--json", "apply", patch.key, "--yes", "--allow-divergent-publish");
    expect(applied.code).toBe(0);
    expect(jsonOf<{ status: string }>(applied).status).toBe("applied");
  });
});
