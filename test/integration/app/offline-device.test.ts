import { describe, expect, it } from "vitest";
import { parseMarker } from "../../../src/render/marker.js";
import { loadTarget } from "../../../src/service/load-target.js";
import { connect, startKubo } from "../../helpers/kubo.js";
import {
  bringDeviceBack,
  foldedProject,
  keyState,
  projectOnTwoDevices,
  proposeValues,
  takeDeviceOffline,
} from "../service/device-set.js";
import { appPerTest, kuboPairPerSuite } from "./harness.js";
import { configYaml } from "./nomad-data.js";
import { commentCreated, issueOpened } from "./payloads.js";

const WRITER = { permission: "write", role_name: "write" };

describe("the GitHub App when one of the operator's devices goes offline between review and approval", () => {
  const pair = kuboPairPerSuite();
  const apps = appPerTest();

  it("refuses the apply naming the device, writes nothing, and the same approval applies once it is back", async () => {
    const bot = pair.operator;
    let device = await startKubo();
    try {
      await connect(bot, device);
      const names = ["Operator Name"];
      const set = await projectOnTwoDevices(bot, device, {
        knownId: `app-offline-${process.pid}`,
        names,
        published: (keys) => foldedProject(names, [keys.device]),
      });
      const patch = await proposeValues(pair.contributor, set.id, [
        { eventId: "AddFeatureAsync", value: "Offline maps" },
      ]);
      const app = await apps.start(bot.store, {
        config: configYaml(set.id),
        permissions: { maintainer: WRITER },
      });
      const issue = { number: 31, body: `Patch: ${patch.key}` };
      await app.deliver("issues", issueOpened(issue));
      await app.settle();
      const review = app.gh.botComments(31).find((c) => parseMarker(c.body)?.kind === "review");
      const marker = parseMarker(review?.body);
      expect(marker).toMatchObject({ kind: "review", cid: patch.cid.toString(), state: "ready" });

      await takeDeviceOffline(device, set, bot);
      const before = await keyState(bot.store, set);
      await app.deliver("issue_comment", commentCreated(issue, "/apply", "maintainer"));
      await app.settle();
      expect(app.failures).toEqual([]);
      const failed = app.gh.botComments(31).at(-1);
      expect(parseMarker(failed?.body)).toMatchObject({
        kind: "status",
        state: "failed",
        cid: patch.cid.toString(),
      });
      expect(failed?.body).toContain("SOURCE_UNREACHABLE");
      expect(failed?.body).toContain(set.device.localId);
      expect(failed?.body).toContain("Nothing was written");
      expect(app.gh.sent("POST", "/issues/31/labels").map((r) => r.body)).toEqual([
        { labels: ["nomad-patch: failed"] },
      ]);
      expect(await keyState(bot.store, set)).toEqual(before);

      device = await bringDeviceBack(device, set, bot);
      await app.deliver("issue_comment", commentCreated(issue, "/apply", "maintainer"));
      await app.settle();
      expect(app.failures).toEqual([]);
      const outcome = parseMarker(app.gh.botComments(31).at(-1)?.body);
      expect(outcome).toMatchObject({ kind: "status", state: "applied", cid: patch.cid.toString() });
      const after = await loadTarget({ store: bot.store }, { target: set.id });
      expect(after.state).toMatchObject({ Name: "Operator Name", Features: ["Offline maps"] });
      expect(after.matchesPublished).toBe(true);
      expect(after.published?.cid.toString()).not.toBe(before.roaming);
    } finally {
      await device.stop();
    }
  });
});
