import { CID } from "multiformats/cid";
import { describe, expect, it } from "vitest";
import { encodeBlock } from "../../../src/nomad/block.js";
import { createLimiter } from "../../../src/nomad/limiter.js";
import { loadEntries } from "../../../src/nomad/load-entries.js";
import { genericModule } from "../../../src/nomad/modules/generic.js";
import { peerModule } from "../../../src/nomad/modules/peer.js";
import { peerSwarmModule } from "../../../src/nomad/modules/peer-swarm.js";
import { chooseModule, moduleByName } from "../../../src/nomad/modules/registry.js";
import { valueUpdateOf } from "../../../src/nomad/modules/value-content.js";
import { wacProjectModule } from "../../../src/nomad/modules/wac-project.js";
import { wacPublisherModule } from "../../../src/nomad/modules/wac-publisher.js";
import { wacUserModule } from "../../../src/nomad/modules/wac-user.js";
import { decodeEventStream } from "../../../src/nomad/records/event-stream.js";
import { decodeEventStreamEntry } from "../../../src/nomad/records/event-stream-entry.js";
import { entry, valueEntry } from "./builders.js";
import { block, names } from "./fixtures.js";

const { P, PL, R } = names;
const ctx = { rootId: P, sources: [PL] };
const project = () => wacProjectModule.seed({ id: P, sources: [PL] });

describe("WindowsAppCommunity project", () => {
  it("folds fixture 4 (name and link events, Key/Value blocks loaded) to the documented Project, CID for CID", async () => {
    const stream = decodeEventStream(block(names.streams.PL), names.streams.PL);
    const entries = stream.entries.map((cid) => ({
      cid,
      entry: decodeEventStreamEntry(block(cid), cid.toString()),
    }));
    const loaded = await loadEntries(entries, wacProjectModule, async (cid) => block(cid), createLimiter(2));
    expect(loaded[1]?.linked.size).toBe(2);
    const { state, steps } = await wacProjectModule.fold(project(), loaded, ctx);
    expect((await encodeBlock(state)).cid.toString()).toBe(names.roaming.project);
    expect(steps.map((s) => s.effect)).toEqual(["changed", "changed"]);
  });

  it("applies description, features, category, accent colour, publisher and flags", async () => {
    const entries = [
      await valueEntry(P, "UpdateDescriptionAsync", "An app"),
      await valueEntry(P, "AddFeatureAsync", "dark mode"),
      await valueEntry(P, "AddFeatureAsync", "dark mode"),
      await valueEntry(P, "AddFeatureAsync", "sync"),
      await valueEntry(P, "RemoveFeatureAsync", "dark mode"),
      await valueEntry(P, "UpdateCategoryAsync", "Tools"),
      await valueEntry(P, "UpdateAccentColorAsync", "#ff0000"),
      await valueEntry(P, "UpdateAccentColorAsync", undefined, { unset: true }),
      await valueEntry(P, "UpdatePublisherAsync", R),
      await valueEntry(P, "UpdateUnlistedStateAsync", true),
      await valueEntry(P, "UpdateForgetMeStatusAsync", true),
      await valueEntry(P, "UpdateNameAsync", ""),
    ];
    const { state, steps } = await wacProjectModule.fold(project(), entries, ctx);
    expect(state).toMatchObject({
      Description: "An app",
      Features: ["sync"],
      Category: "Tools",
      AccentColor: null,
      Publisher: R,
      IsUnlisted: true,
      ForgetMe: true,
    });
    expect(steps.map((s) => s.effect)).toEqual([...Array(11).fill("changed"), "no-effect"]);
  });

  it("an accent colour with Unset false and no Value sets null, as the C# replay reads it", async () => {
    const entries = [
      await valueEntry(P, "UpdateAccentColorAsync", "#ff0000"),
      await valueEntry(P, "UpdateAccentColorAsync", undefined, { unset: false }),
    ];
    const { state, steps } = await wacProjectModule.fold(project(), entries, ctx);
    expect(state.AccentColor).toBeNull();
    expect(steps.map((s) => s.effect)).toEqual(["changed", "changed"]);
  });

  it("adds and removes links, images and user roles as the SDK does", async () => {
    const link = { Id: "l", Url: "https://x", Name: "X", Description: "" };
    const image = { Id: "i", Name: "icon", Cid: CID.parse("QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o") };
    const role = { Id: "owner", Name: "Owner", Description: "" };
    const roleCid = (await encodeBlock(role)).cid;
    const entries = [
      await valueEntry(P, "AddLinkAsync", link, { key: "l" }),
      await valueEntry(P, "AddLinkAsync", link, { key: "l" }),
      await valueEntry(P, "AddImageAsync", image, { key: "i" }),
      await valueEntry(P, "AddUserRoleAsync", role, { key: R }),
    ];
    const added = (await wacProjectModule.fold(project(), entries, ctx)).state;
    expect(added.Links).toEqual([link, link]);
    expect(added.Images).toEqual([image]);
    expect(added.Users).toEqual([{ UserId: R, Role: roleCid }]);
    const removed = (
      await wacProjectModule.fold(
        added,
        [
          await valueEntry(P, "RemoveLinkAsync", link, { key: "l" }),
          await valueEntry(P, "RemoveUserRoleAsync", role, { key: R }),
        ],
        ctx,
      )
    ).state;
    expect(removed.Links).toEqual([]);
    expect(removed.Users).toEqual([]);
  });

  it("reports unknown EventIds, sub-object targets and bad value blocks without changing the state", async () => {
    const unknown = await valueEntry(P, "AddProjectAsync", R);
    const sub = await valueEntry(`${P}/connection`, "UpdateValueAsync", "v");
    const wrongType = await valueEntry(P, "UpdateNameAsync", 42);
    const noValue = await valueEntry(P, "UpdateNameAsync", undefined);
    const { state, steps } = await wacProjectModule.fold(project(), [unknown, sub, wrongType, noValue], ctx);
    expect(state).toEqual(project());
    expect(steps.map((s) => s.effect)).toEqual(["unknown", "unknown", "invalid", "invalid"]);
    expect(steps[2]?.reason).toMatch(/Expected a string value block, got number 42/);
    expect(steps[3]?.reason).toMatch(/needs a Value, got null/);
  });
});

describe("other value modules", () => {
  it("publisher: projects and parent publishers", async () => {
    const role = { Id: "r", Name: "Parent", Description: "" };
    const { state } = await wacPublisherModule.fold(
      wacPublisherModule.seed({ id: P, sources: [PL] }),
      [
        await valueEntry(P, "AddProjectAsync", R),
        await valueEntry(P, "AddParentPublisherAsync", role, { key: R }),
      ],
      ctx,
    );
    expect(state.Projects).toEqual([R]);
    expect(state.ParentPublishers).toEqual({
      Publishers: [{ PublisherId: R, Role: (await encodeBlock(role)).cid }],
    });
  });

  it("user: project roles", async () => {
    const role = { Id: "dev", Name: "Developer", Description: "" };
    const { state } = await wacUserModule.fold(
      wacUserModule.seed({ id: P, sources: [] }),
      [await valueEntry(P, "AddProjectRoleAsync", role, { key: R })],
      ctx,
    );
    expect(state.Projects).toEqual([{ ProjectId: R, Role: (await encodeBlock(role)).cid }]);
  });

  it("peer: addresses de-duplicate on add", async () => {
    const addr = "/ip4/127.0.0.1/tcp/4001";
    const { state, steps } = await peerModule.fold(
      peerModule.seed({ id: P, sources: [PL] }),
      [await valueEntry(P, "AddAddressAsync", addr), await valueEntry(P, "AddAddressAsync", addr)],
      ctx,
    );
    expect(state).toEqual({ Id: P, Addresses: [addr], Sources: [PL] });
    expect(steps.map((s) => s.effect)).toEqual(["changed", "no-effect"]);
  });

  it("peer swarm: members by roaming id", async () => {
    const { state } = await peerSwarmModule.fold(
      peerSwarmModule.seed({ id: P, sources: [] }),
      [
        await valueEntry(P, "AddAsync", R),
        await valueEntry(P, "AddAsync", PL),
        await valueEntry(P, "RemoveAsync", R),
      ],
      ctx,
    );
    expect(state.Peers).toEqual([PL]);
  });

  it("generic: lists entries, predicts nothing", async () => {
    const e = await valueEntry(P, "Anything", "x");
    const result = await genericModule.fold({ Sources: [] }, [e], ctx);
    expect(result.steps).toEqual([
      { entry: e, effect: "unknown", reason: expect.stringMatching(/cannot be previewed/) },
    ]);
  });
});

describe("module registry", () => {
  it("recognises modules from a roaming value's shape", () => {
    expect(chooseModule(block(names.roaming.docsFolded)).name).toBe("storage");
    expect(chooseModule(block(names.roaming.project)).name).toBe("wac-project");
    expect(chooseModule(wacPublisherModule.seed({ id: P, sources: [] })).name).toBe("wac-publisher");
    expect(chooseModule(wacUserModule.seed({ id: P, sources: [] })).name).toBe("wac-user");
    expect(chooseModule(peerModule.seed({ id: P, sources: [] })).name).toBe("peer");
    expect(chooseModule(peerSwarmModule.seed({ id: P, sources: [] })).name).toBe("peer-swarm");
    expect(chooseModule({ Whatever: 1 }).name).toBe("generic");
  });

  it("prefers configuration, and refuses an unknown module name clearly", () => {
    expect(chooseModule(block(names.roaming.project), "generic").name).toBe("generic");
    expect(() => moduleByName("nope")).toThrow(/Unknown Nomad module "nope"; known: storage, wac-project/);
  });
});

describe("a ValueUpdateEvent read for a fold", () => {
  it("reads the event, and names the content block in the error when it is not one", async () => {
    const good = await valueEntry(P, "AddFeatureAsync", "dark mode");
    expect(valueUpdateOf(good).unset).toBe(false);
    const bad = await entry(P, "AddFeatureAsync", { Key: null, Value: "not a link", Unset: false });
    expect(() => valueUpdateOf(bad)).toThrow(`(at ${bad.entry.content.toString()}/Value)`);
  });
});
