import { CID } from "multiformats/cid";
import { describe, expect, it } from "vitest";
import { type IpldValue, type LoadedEntry, SOURCE_ADD_EVENT_ID } from "../../../src/nomad/index.js";
import {
  checkCSharpCompatibility,
  EMPTY_FILE_CID,
  storageContentKind,
} from "../../../src/patch-request/csharp-compatibility.js";
import type { ProposedEntry } from "../../../src/patch-request/proposed-entry.js";
import { referencedObjects } from "../../../src/patch-request/referenced-objects.js";
import { entry, valueEntry } from "../nomad/builders.js";

const T = "k51qzi5uqu5dh6rtvuvyr9x7jhiwku7m4o1mbp28ibo3t27wr8couy0sz47lep";
const OTHER = "k51qzi5uqu5dh0b977vhvmrl8f8xivun0fojxria3arhf8dnmf6ekbjvq60dap";
const TEXT = CID.parse("QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o");

const proposed = (loaded: LoadedEntry[]): ProposedEntry[] =>
  loaded.map((l, index) => ({ index, cid: l.cid, entry: l.entry, loaded: l }));

function check(module: string, loaded: LoadedEntry[], references = new Map<string, string | null>()) {
  return checkCSharpCompatibility({ module, entries: proposed(loaded), references }).map((p) => [
    p.entryIndex,
    p.code,
  ]);
}

const folderEvent = (eventId: string, fields: Record<string, IpldValue> = {}) => ({
  eventId,
  storableItemId: `${T}/a.txt`,
  workingFolderId: T,
  storableItemName: "a.txt",
  overwrite: false,
  ...fields,
});

describe("the C# compatibility check: Storage", () => {
  it("accepts entries exactly as OwlCore.Nomad.Storage writes them", async () => {
    const entries = [
      await entry(T, "CreateFileInFolderEvent", folderEvent("CreateFileInFolderEvent")),
      await entry(`${T}/a.txt`, "FileUpdateEvent", {
        StorableItemId: `${T}/a.txt`,
        NewContentId: TEXT,
        EventId: "FileUpdateEvent",
      }),
      await entry(
        T,
        "CreateFolderInFolderEvent",
        folderEvent("CreateFolderInFolderEvent", { overwrite: true }),
      ),
      await entry(T, "DeleteFromFolderEvent", {
        eventId: "DeleteFromFolderEvent",
        storableItemId: `${T}/a.txt`,
        workingFolderId: T,
        storableItemName: "a.txt",
      }),
    ];
    expect(check("storage", entries)).toEqual([]);
  });

  it("refuses a file update to the empty-file CID and one for another file (A.1)", async () => {
    const entries = [
      await entry(`${T}/a.txt`, "FileUpdateEvent", {
        StorableItemId: `${T}/a.txt`,
        NewContentId: CID.parse(EMPTY_FILE_CID),
        EventId: "FileUpdateEvent",
      }),
      await entry(`${T}/a.txt`, "FileUpdateEvent", { StorableItemId: `${T}/b.txt`, NewContentId: TEXT }),
    ];
    expect(check("storage", entries)).toEqual([
      [0, "csharp-file-update-empty-cid"],
      [1, "csharp-file-update-other-item"],
    ]);
  });

  it("refuses creates without a true/false overwrite (A.2); a delete needs none", async () => {
    const { overwrite: _, ...noOverwrite } = folderEvent("CreateFileInFolderEvent");
    const entries = [
      await entry(T, "CreateFileInFolderEvent", noOverwrite),
      await entry(
        T,
        "CreateFolderInFolderEvent",
        folderEvent("CreateFolderInFolderEvent", { overwrite: null }),
      ),
      await entry(T, "DeleteFromFolderEvent", { ...noOverwrite, eventId: "DeleteFromFolderEvent" }),
    ];
    expect(check("storage", entries)).toEqual([
      [0, "csharp-create-without-overwrite"],
      [1, "csharp-create-without-overwrite"],
    ]);
  });

  it("refuses a label that is not what the content does, and content ids that leave the target (B)", async () => {
    const entries = [
      await entry(T, "CreateFileInFolderEvent", folderEvent("DeleteFromFolderEvent")),
      await entry(`${T}/a.txt`, "CreateFileInFolderEvent", {
        StorableItemId: `${T}/a.txt`,
        NewContentId: TEXT,
      }),
      await entry(`${T}/a.txt`, "FileUpdateEvent", {
        StorableItemId: `${T}/a.txt`,
        NewContentId: TEXT,
        EventId: "DeleteFromFolderEvent",
      }),
      await entry(
        T,
        "CreateFileInFolderEvent",
        folderEvent("CreateFileInFolderEvent", { workingFolderId: OTHER }),
      ),
      await entry(
        T,
        "CreateFileInFolderEvent",
        folderEvent("CreateFileInFolderEvent", { storableItemId: `${OTHER}/a.txt` }),
      ),
      await entry(
        T,
        "CreateFileInFolderEvent",
        folderEvent("CreateFileInFolderEvent", { storableItemName: "b.txt" }),
      ),
    ];
    expect(check("storage", entries)).toEqual([
      [0, "csharp-label-content-mismatch"],
      [1, "csharp-label-content-mismatch"],
      [2, "csharp-label-content-mismatch"],
      [3, "csharp-content-target-mismatch"],
      [4, "csharp-content-target-mismatch"],
      [5, "csharp-content-target-mismatch"],
    ]);
  });

  it("names the event kind C# dispatches on: the content's", () => {
    expect(storageContentKind(folderEvent("DeleteFromFolderEvent"))).toBe("DeleteFromFolderEvent");
    expect(storageContentKind({ StorableItemId: "x", NewContentId: TEXT })).toBe("FileUpdateEvent");
    expect(storageContentKind("text")).toBeUndefined();
  });
});

describe("the C# compatibility check: WindowsAppCommunity", () => {
  it("refuses EventIds the C# replay of each object kind throws on (A.3)", async () => {
    const value = (eventId: string) => valueEntry(T, eventId, "x");
    expect(
      check("wac-publisher", [
        await value("AddParentPublisherAsync"),
        await value("RemoveChildPublisherAsync"),
        await value("AddPublisherRoleAsync"),
        await value("RemovePublisherRoleAsync"),
        await value("AddUserAsync"),
        await value("UpdateNameAsync"),
        await value("UpdateAccentColorAsync"),
      ]),
    ).toEqual([
      [0, "csharp-event-unknown-to-csharp"],
      [1, "csharp-event-unknown-to-csharp"],
      [2, "csharp-event-unknown-to-csharp"],
      [3, "csharp-event-unknown-to-csharp"],
      [4, "csharp-event-unknown-to-csharp"],
    ]);
    expect(
      check("wac-project", [
        await value("AddProjectAsync"),
        await value("RemoveProjectAsync"),
        await value("MadeUpAsync"),
        await value("AddFeatureAsync"),
      ]),
    ).toEqual([
      [0, "csharp-event-unknown-to-csharp"],
      [1, "csharp-event-unknown-to-csharp"],
      [2, "csharp-event-unknown-to-csharp"],
    ]);
    expect(
      check("wac-user", [await value("UpdateAccentColorAsync"), await value("UpdateNameAsync")]),
    ).toEqual([[0, "csharp-event-unknown-to-csharp"]]);
    // Source events are refused by validation already; the generic module has no C# replay to match.
    expect(check("wac-project", [await value(SOURCE_ADD_EVENT_ID)])).toEqual([]);
    expect(check("generic", [await value("MadeUpAsync")])).toEqual([]);
  });

  it("refuses a forget-me status without a Value, which C# guards against, but not a null block", async () => {
    const entries = [
      await valueEntry(T, "UpdateForgetMeStatusAsync", undefined, { unset: true }),
      await valueEntry(T, "UpdateForgetMeStatusAsync", null),
      await valueEntry(T, "UpdateForgetMeStatusAsync", true),
    ];
    expect(check("wac-user", entries)).toEqual([[0, "csharp-forget-me-without-value"]]);
  });

  it("refuses entries naming objects that do not load (A.4), given what the service found", async () => {
    const role = { Id: "owner", Name: "Owner", Description: "" };
    const entries = [
      await valueEntry(T, "UpdatePublisherAsync", OTHER),
      await valueEntry(T, "AddUserRoleAsync", role, { key: "k51-not-a-name" }),
      await valueEntry(T, "AddUserRoleAsync", role, { key: T }),
    ];
    expect(referencedObjects("wac-project", proposed(entries))).toEqual([
      expect.objectContaining({ entryIndex: 0, id: OTHER, kind: "publisher" }),
      expect.objectContaining({ entryIndex: 1, id: "k51-not-a-name", kind: "user" }),
      expect.objectContaining({ entryIndex: 2, id: T, kind: "user" }),
    ]);
    const references = new Map([
      [OTHER, "its name does not resolve"],
      ["k51-not-a-name", "it is not an IPNS name"],
      [T, null],
    ]);
    const problems = checkCSharpCompatibility({
      module: "wac-project",
      entries: proposed(entries),
      references,
    });
    expect(problems.map((p) => [p.entryIndex, p.code])).toEqual([
      [0, "csharp-reference-unresolved"],
      [1, "csharp-reference-unresolved"],
    ]);
    expect(problems[0]?.message).toContain("its name does not resolve");
    expect(problems[0]?.message).toContain("ModifiableProject.ApplyEntryUpdateAsync");
    // An id nobody looked up counts as not loading.
    expect(check("wac-publisher", [await valueEntry(T, "AddProjectAsync", OTHER)])).toEqual([
      [0, "csharp-reference-unresolved"],
    ]);
  });
});
