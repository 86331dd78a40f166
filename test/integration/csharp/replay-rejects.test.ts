import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CID } from "multiformats/cid";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PolicyRefusal } from "../../../src/errors.js";
import { wacPublisherModule } from "../../../src/nomad/index.js";
import {
  renderReviewJson,
  renderReviewMarkdown,
  renderReviewText,
  reviewStatus,
} from "../../../src/render/index.js";
import { openFileJournal } from "../../../src/service/apply-journal.js";
import { applyPatch } from "../../../src/service/apply-patch.js";
import { createNomadObject } from "../../../src/service/create-nomad-object.js";
import { proposePatch } from "../../../src/service/propose-patch.js";
import { reviewPatch } from "../../../src/service/review-patch.js";
import { type KuboNode, startKubo } from "../../helpers/kubo.js";
import {
  type BuiltTarget,
  createProjectTarget,
  createStorageTarget,
  type StorageTarget,
  testPublish,
} from "../../helpers/nomad-builders/index.js";
import { faultLimits, streamOf } from "../faults/patch-setup.js";
import { link, proposeCSharpEntries, putJson, valueUpdate } from "./csharp-shaped.js";

const EMPTY_FILE = "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH";

interface Case {
  readonly name: string;
  readonly target: () => BuiltTarget;
  /** The entries, written in the C# shape; the first one is the offending entry. */
  readonly entries: () => Promise<{ targetId: string; eventId: string; content: CID }[]>;
  readonly code: string;
  /** What the reason must name: the C# code that throws. */
  readonly names: string;
}

/**
 * docs/format.md "What the C# replay rejects": each entry that would make every C# device fail to load
 * the target, written with raw Kubo calls in the exact C# shape, is refused in the review (Markdown, text
 * and JSON) and by the apply engine, and nothing reaches any stream or key.
 */
describe("entries the C# replay throws on are refused everywhere", () => {
  let node: KuboNode;
  let storage: StorageTarget;
  let project: BuiltTarget;
  let publisher: BuiltTarget;
  let missing: string;
  let work: string;
  beforeAll(async () => {
    node = await startKubo();
    storage = await createStorageTarget(node, { name: "Docs", files: { "readme.txt": "hello\n" } });
    project = await createProjectTarget(node, { knownId: "compat", name: "Compat" });
    const created = await createNomadObject(
      { store: node.store },
      { module: wacPublisherModule, name: "compat", publish: testPublish },
    );
    publisher = {
      id: created.keys.roaming.id,
      localId: created.keys.local.id,
      keyNames: { local: created.keys.local.name, roaming: created.keys.roaming.name },
      roamingCid: created.roamingCid,
    };
    // A key that was never published: an object id that does not resolve.
    missing = (await node.store.generateKey("never-published")).id;
    work = await mkdtemp(join(tmpdir(), "nomad-patch-csharp-"));
  });
  afterAll(async () => {
    await node?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  const file = () => `${storage.id}/readme.txt`;
  const folderEvent = (eventId: string, name: string, extra: Record<string, unknown> = {}) =>
    putJson(node, {
      eventId,
      storableItemId: `${storage.id}/${name}`,
      workingFolderId: storage.id,
      storableItemName: name,
      overwrite: false,
      ...extra,
    });
  const value = (eventId: string, target: () => BuiltTarget, update: Parameters<typeof valueUpdate>[1]) =>
    valueUpdate(node, update).then((content) => [{ targetId: target().id, eventId, content }]);

  const cases: Case[] = [
    {
      name: "A.1 a FileUpdateEvent to the empty-file CID",
      target: () => storage,
      entries: async () => [
        {
          targetId: file(),
          eventId: "FileUpdateEvent",
          content: await putJson(node, {
            StorableItemId: file(),
            NewContentId: link(EMPTY_FILE),
            EventId: "FileUpdateEvent",
          }),
        },
      ],
      code: "csharp-file-update-empty-cid",
      names: "NomadKuboStorageExtensions.ApplyFileUpdateAsync",
    },
    {
      name: "A.1 a FileUpdateEvent whose StorableItemId is another file",
      target: () => storage,
      entries: async () => [
        {
          targetId: file(),
          eventId: "FileUpdateEvent",
          content: await putJson(node, {
            StorableItemId: `${storage.id}/other.txt`,
            NewContentId: link(storage.contents["readme.txt"]!),
            EventId: "FileUpdateEvent",
          }),
        },
      ],
      code: "csharp-file-update-other-item",
      names: "NomadKuboStorageExtensions.ApplyFileUpdateAsync",
    },
    {
      name: "a FileUpdateEvent addressed to a folder",
      target: () => storage,
      entries: async () => [
        {
          targetId: storage.id,
          eventId: "FileUpdateEvent",
          content: await putJson(node, {
            StorableItemId: storage.id,
            NewContentId: link(storage.contents["readme.txt"]!),
            EventId: "FileUpdateEvent",
          }),
        },
      ],
      code: "csharp-event-unknown-to-csharp",
      names: "FolderUpdateEventSerializationHelpers.Read",
    },
    {
      name: "A.2 a CreateFileInFolderEvent without overwrite",
      target: () => storage,
      entries: async () => [
        {
          targetId: storage.id,
          eventId: "CreateFileInFolderEvent",
          content: await putJson(node, {
            eventId: "CreateFileInFolderEvent",
            storableItemId: `${storage.id}/new.txt`,
            workingFolderId: storage.id,
            storableItemName: "new.txt",
          }),
        },
      ],
      code: "csharp-create-without-overwrite",
      names: "FolderUpdateEventSerializationHelpers.Read",
    },
    {
      name: "B an entry labelled a create whose content is a delete",
      target: () => storage,
      entries: async () => [
        {
          targetId: storage.id,
          eventId: "CreateFileInFolderEvent",
          content: await putJson(node, {
            eventId: "DeleteFromFolderEvent",
            storableItemId: file(),
            workingFolderId: storage.id,
            storableItemName: "readme.txt",
          }),
        },
      ],
      code: "csharp-label-content-mismatch",
      names: "NomadKuboFolder.ApplyEntryUpdateAsync",
    },
    {
      name: "B a create whose workingFolderId is not its TargetId",
      target: () => storage,
      entries: async () => [
        {
          targetId: storage.id,
          eventId: "CreateFolderInFolderEvent",
          content: await folderEvent("CreateFolderInFolderEvent", "sub", {
            workingFolderId: `${storage.id}/sub`,
          }),
        },
      ],
      code: "csharp-content-target-mismatch",
      names: "NomadKuboStorageExtensions.TryAdvanceEventStreamAsync",
    },
    {
      name: "B and issue 9 §6: a create whose storableItemId points into another target",
      target: () => storage,
      entries: async () => [
        {
          targetId: storage.id,
          eventId: "CreateFileInFolderEvent",
          content: await folderEvent("CreateFileInFolderEvent", "x.txt", {
            storableItemId: `${project.id}/x.txt`,
          }),
        },
      ],
      code: "csharp-content-target-mismatch",
      names: "NomadFolder.CreateFileAsync",
    },
    {
      name: "A.3 a publisher's AddParentPublisherAsync",
      target: () => publisher,
      entries: () =>
        value("AddParentPublisherAsync", () => publisher, {
          key: project.id,
          value: { Id: "parent", Name: "Parent", Description: "" },
        }),
      code: "csharp-event-unknown-to-csharp",
      names: "InvalidCastException",
    },
    {
      name: "A.3 a publisher's AddPublisherRoleAsync",
      target: () => publisher,
      entries: () =>
        value("AddPublisherRoleAsync", () => publisher, {
          key: project.id,
          value: { Id: "member", Name: "Member", Description: "" },
        }),
      code: "csharp-event-unknown-to-csharp",
      names: "ModifiablePublisher.ApplyEntryUpdateAsync",
    },
    {
      name: "A.3 a project's AddProjectAsync (dependencies)",
      target: () => project,
      entries: () => value("AddProjectAsync", () => project, { value: publisher.id }),
      code: "csharp-event-unknown-to-csharp",
      names: "ModifiableProject.ApplyEntryUpdateAsync",
    },
    {
      name: "A.3 an EventId the C# project does not know",
      target: () => project,
      entries: () => value("UpdateSloganAsync", () => project, { value: "Fast" }),
      code: "csharp-event-unknown-to-csharp",
      names: "NotImplementedException",
    },
    {
      name: "A.3 UpdateForgetMeStatusAsync with a null value",
      target: () => project,
      entries: () => value("UpdateForgetMeStatusAsync", () => project, { unset: true }),
      code: "csharp-forget-me-without-value",
      names: "ModifiableEntity.ApplyEntryUpdateAsync",
    },
    {
      name: "A.4 UpdatePublisherAsync naming a publisher that does not resolve",
      target: () => project,
      entries: () => value("UpdatePublisherAsync", () => project, { value: missing }),
      code: "csharp-reference-unresolved",
      names: "does not resolve",
    },
    {
      name: "A.4 a publisher's AddProjectAsync naming a project whose value is not a record",
      target: () => publisher,
      entries: async () => {
        // Published, but pointing at a bare string: the C# repository cannot read a Project from it.
        const key = await node.store.generateKey(`not-a-project-${(await node.store.listKeys()).length}`);
        await node.store.publishName(key.name, await putJson(node, "not a project"), testPublish);
        return value("AddProjectAsync", () => publisher, { value: key.id });
      },
      code: "csharp-reference-unresolved",
      names: "its roaming value is not a record",
    },
    {
      name: "A.4 a project's AddUserRoleAsync naming a user that does not resolve",
      target: () => project,
      entries: () =>
        value("AddUserRoleAsync", () => project, {
          key: missing,
          value: { Id: "dev", Name: "Developer", Description: "" },
        }),
      code: "csharp-reference-unresolved",
      names: "ModifiableUserRoleCollection.ApplyEntryUpdateAsync",
    },
    {
      name: "an entry whose content the replay cannot read (a name that is not a string)",
      target: () => project,
      entries: () => value("UpdateNameAsync", () => project, { value: 42 }),
      code: "csharp-replay-throws",
      names: "Expected a string value block",
    },
  ];

  it.each(cases)("$name", async (c) => {
    const target = c.target();
    const patch = await proposeCSharpEntries(node, target.id, c.name, await c.entries());
    const { review } = await reviewPatch({ store: node.store }, { key: patch.key, limits: faultLimits });

    expect(review.refusals.map((r) => [r.code, r.entryIndex])).toEqual([[c.code, 0]]);
    const reason = review.refusals[0]?.message ?? "";
    expect(reason).toContain("would stop every C# device loading the target");
    expect(reason).toContain(c.names);
    expect(review.entries[0]?.effect).toBe("refused");
    expect(reviewStatus(review).state).toBe("refused");
    const markdown = renderReviewMarkdown(review);
    expect(markdown).toContain("**Refused:**");
    expect(markdown).toContain("would stop every C# device loading the target");
    expect(markdown).toContain(c.names.replaceAll("_", "\\_"));
    expect(renderReviewText(review, { color: false })).toContain(reason);
    expect(JSON.parse(renderReviewJson(review)).refusals).toEqual([
      { code: c.code, message: reason, entryIndex: 0 },
    ]);

    // The apply engine reviews again and refuses: no journal record, no stream, no roaming value.
    const roamingBefore = await node.store.resolveName(target.id, { nocache: true });
    const streamBefore = await streamOf(node.store, target.localId);
    const dir = join(work, patch.cid.toString());
    const error = await applyPatch(
      { store: node.store, journal: await openFileJournal(dir) },
      {
        key: patch.key,
        expectPatchCid: patch.cid.toString(),
        expectResultCid: review.predictedResultCid ?? review.target.foldedCid,
        limits: faultLimits,
      },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PolicyRefusal);
    expect((error as Error).message).toContain(reason);
    expect(await readdir(join(dir, "journal"))).toEqual([]);
    expect(await streamOf(node.store, target.localId)).toEqual(streamBefore);
    expect((await node.store.resolveName(target.id, { nocache: true }))?.toString()).toBe(
      roamingBefore?.toString(),
    );
  });

  // The same entries, given to `propose --entries`: refused before anything is written or published.
  it.each(cases)("propose --entries refuses $name", async (c) => {
    const target = c.target();
    const entries = (await c.entries()).map((e) => ({
      TargetId: e.targetId,
      EventId: e.eventId,
      Content: link(e.content),
    }));
    const keysBefore = (await node.store.listKeys()).map((k) => k.name).sort();
    const error = await proposePatch(
      { store: node.store },
      {
        target: target.id,
        title: c.name,
        description: "",
        changes: { kind: "entries", text: JSON.stringify(entries), source: "entries.json" },
        publish: testPublish,
        resolveTimeoutMs: faultLimits.resolveTimeoutMs,
      },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PolicyRefusal);
    const message = (error as Error).message;
    expect(message).toContain("Nothing was published: entries.json[0]: Entry 0 would stop every C# device");
    expect(message).toContain(`(${c.code})`);
    expect(message).toContain(c.names);
    expect((await node.store.listKeys()).map((k) => k.name).sort()).toEqual(keysBefore);
  });
});
