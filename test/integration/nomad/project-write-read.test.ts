import { CID } from "multiformats/cid";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeBlock, parseTimestamp, wacProjectModule } from "../../../src/nomad/index.js";
import { appendEntries } from "../../../src/service/append-entries.js";
import { createNomadObject } from "../../../src/service/create-nomad-object.js";
import { loadTarget } from "../../../src/service/load-target.js";
import { putValueUpdate } from "../../../src/service/value-update-content.js";
import { type KuboNode, startKubo } from "../../helpers/kubo.js";
import { dagGetJsonAsCSharpDoes } from "./kubo-http.js";

const publish = { allowOffline: true };

describe("a WindowsAppCommunity project written by this project's writer", () => {
  let node: KuboNode;
  beforeAll(async () => {
    node = await startKubo();
  });
  afterAll(async () => {
    await node?.stop();
  });

  it("folds name, description and link events to the expected Project, and C# reads every block back", async () => {
    const store = node.store;
    const created = await createNomadObject({ store }, { module: wacProjectModule, name: "my-app", publish });
    expect(created.keys.local.name).toBe("WindowsAppCommunity.Sdk.Project.Local.my-app");
    expect(created.keys.roaming.name).toBe("WindowsAppCommunity.Sdk.Project.Roaming.my-app");
    const P = created.keys.roaming.id;
    const PL = created.keys.local.id;
    const link = { Id: "link-1", Url: "https://example.com", Name: "Website", Description: "Homepage" };

    // A clock stuck on one instant: the writer must still space the entries 100 ns apart, in order.
    const stuck = parseTimestamp("2025-06-02T08:30:00Z");
    const written = await appendEntries(
      { store },
      {
        target: P,
        publish,
        now: () => stuck,
        entries: [
          {
            targetId: P,
            eventId: "UpdateNameAsync",
            content: await putValueUpdate(store, { value: "Draft" }),
          },
          {
            targetId: P,
            eventId: "UpdateNameAsync",
            content: await putValueUpdate(store, { value: "My App" }),
          },
          {
            targetId: P,
            eventId: "UpdateDescriptionAsync",
            content: await putValueUpdate(store, { value: "An app" }),
          },
          {
            targetId: P,
            eventId: "AddLinkAsync",
            content: await putValueUpdate(store, { key: "link-1", value: link }),
          },
        ],
      },
    );
    expect(written.timestamps).toEqual([
      "2025-06-02T08:30:00Z",
      "2025-06-02T08:30:00.0000001Z",
      "2025-06-02T08:30:00.0000002Z",
      "2025-06-02T08:30:00.0000003Z",
    ]);

    const expected = {
      ...wacProjectModule.seed({ id: P, sources: [PL] }),
      Name: "My App",
      Description: "An app",
      Links: [link],
    };
    const loaded = await loadTarget({ store }, { target: P });
    expect(loaded.module.name).toBe("wac-project");
    expect(loaded.state).toEqual(expected);
    expect(loaded.matchesPublished).toBe(true);
    expect(loaded.published?.cid.toString()).toBe(written.roamingCid.toString());
    expect(loaded.entries.map((e) => e.entry.timestampUtc)).toEqual(written.timestamps);
    expect((await encodeBlock(expected)).cid.toString()).toBe(written.roamingCid.toString());

    // Read back as the C# client does (dag/get, output-codec=dag-json), field by field.
    const api = node.apiUrl;
    const stream = (await dagGetJsonAsCSharpDoes(api, written.streamCid.toString())) as Record<
      string,
      unknown
    >;
    expect(stream).toEqual({
      Label: "Project my-app",
      Entries: written.entryCids.map((c) => ({ "/": c.toString() })),
    });

    const entry = (await dagGetJsonAsCSharpDoes(api, written.entryCids[3]!.toString())) as Record<
      string,
      unknown
    >;
    expect(Object.keys(entry).sort()).toEqual(["Content", "EventId", "TargetId", "TimestampUtc"]);
    expect(entry).toMatchObject({
      TargetId: P,
      EventId: "AddLinkAsync",
      TimestampUtc: "2025-06-02T08:30:00.0000003Z",
    });
    const contentCid = (entry.Content as { "/": string })["/"];
    expect(CID.parse(contentCid).code).toBe(0x71);

    const content = (await dagGetJsonAsCSharpDoes(api, contentCid)) as Record<
      string,
      { "/": string } | boolean
    >;
    expect(Object.keys(content).sort()).toEqual(["Key", "Unset", "Value"]);
    expect(content.Unset).toBe(false);
    expect(await dagGetJsonAsCSharpDoes(api, (content.Key as { "/": string })["/"])).toBe("link-1");
    expect(await dagGetJsonAsCSharpDoes(api, (content.Value as { "/": string })["/"])).toEqual(link);

    const nameContent = (await dagGetJsonAsCSharpDoes(
      api,
      (
        ((await dagGetJsonAsCSharpDoes(api, written.entryCids[0]!.toString())) as Record<string, unknown>)
          .Content as { "/": string }
      )["/"],
    )) as Record<string, unknown>;
    expect(nameContent.Key).toBeNull();

    const roaming = (await dagGetJsonAsCSharpDoes(api, written.roamingCid.toString())) as Record<
      string,
      unknown
    >;
    expect(roaming).toEqual({
      AccentColor: null,
      Category: "",
      Connections: [],
      Description: "An app",
      ExtendedDescription: "",
      Features: [],
      ForgetMe: null,
      Images: [],
      IsUnlisted: false,
      Links: [link],
      Name: "My App",
      Projects: [],
      Publisher: null,
      Sources: [PL],
      Users: [],
    });
  });

  it("keeps writing strictly after the stream's last entry, even with a clock that went backwards", async () => {
    const store = node.store;
    const created = await createNomadObject({ store }, { module: wacProjectModule, name: "clock", publish });
    const P = created.keys.roaming.id;
    const t = parseTimestamp("2025-06-02T09:00:00.5Z");
    const first = await appendEntries(
      { store },
      {
        target: P,
        publish,
        now: () => t,
        entries: [
          { targetId: P, eventId: "UpdateNameAsync", content: await putValueUpdate(store, { value: "one" }) },
        ],
      },
    );
    const second = await appendEntries(
      { store },
      {
        target: P,
        publish,
        now: () => t - 10_000_000n,
        entries: [
          { targetId: P, eventId: "UpdateNameAsync", content: await putValueUpdate(store, { value: "two" }) },
        ],
      },
    );
    expect(first.timestamps).toEqual(["2025-06-02T09:00:00.5Z"]);
    expect(second.timestamps).toEqual(["2025-06-02T09:00:00.5000001Z"]);
    expect(second.loaded.state.Name).toBe("two");
  });
});
