import type { PatchReview } from "../../../src/patch-request/change-model.js";
import { buildReview, entry, fakeCid, field, storageItem, TARGET } from "./review-builder.js";

/** The four reviews every rendering is shown on: Storage, fields, refused, unknown module. */
export function storageReview(): PatchReview {
  return buildReview({
    title: "Docs: add a guide, fix the readme",
    description: "Adds a **getting started** guide.\n\nAlso removes `old.txt`.",
    module: "storage",
    name: "Website",
    entries: [
      entry(0, "CreateFileInFolderEvent", "changed", {
        targetId: `${TARGET}/docs`,
        change: "added",
        item: "docs/guide.md",
      }),
      entry(1, "FileUpdateEvent", "changed", {
        targetId: `${TARGET}/readme.md`,
        change: "changed",
        item: "readme.md",
      }),
      entry(2, "DeleteFromFolderEvent", "changed", { targetId: TARGET, change: "removed", item: "old.txt" }),
      entry(3, "FileUpdateEvent", "no-effect", {
        targetId: `${TARGET}/img/logo.png`,
        reason: "already so",
        item: "img/logo.png",
      }),
    ],
    moduleView: {
      kind: "storage",
      items: [
        storageItem("docs", "added", { kind: "folder" }),
        storageItem("docs/guide.md", "added", {
          afterContent: fakeCid("guide"),
          textDiff: "--- /dev/null\n+++ docs/guide.md\n@@ -0,0 +1,2 @@\n+# Guide\n+Start here.\n",
        }),
        storageItem("readme.md", "changed", {
          beforeContent: fakeCid("readme-1"),
          afterContent: fakeCid("readme-2"),
          textDiff: "--- readme.md\n+++ readme.md\n@@ -1 +1 @@\n-Helo\n+Hello\n",
        }),
        storageItem("old.txt", "removed", { beforeContent: fakeCid("old") }),
        storageItem("img/logo.png", "changed", { textDiffNote: "binary" }),
      ],
    },
    jsonDiff: ' {\n-  "Files": 3\n+  "Files": 4\n }\n',
  });
}

export function fieldsReview(): PatchReview {
  return buildReview({
    title: "Rename the project and add a link",
    module: "wac-project",
    name: "Nomad Tools",
    entries: [
      entry(0, "UpdateNameAsync", "changed", { change: "changed", item: "Name" }),
      entry(1, "AddLinkAsync", "changed", { change: "added", item: "Links[docs]" }),
      entry(2, "UpdateDescriptionAsync", "no-effect", {
        reason: "the description is already this text",
        item: "Description",
      }),
    ],
    moduleView: {
      kind: "fields",
      fields: [
        field("Name", "changed", "Nomad tools", "Nomad Tools"),
        field("Links[docs]", "added", undefined, { Name: "Docs", Url: "https://example.org/docs" }),
        field("Features[2]", "removed", "beta"),
      ],
    },
    jsonDiff: '-  "Name": "Nomad tools",\n+  "Name": "Nomad Tools",\n',
  });
}

export function refusedReview(): PatchReview {
  return buildReview({
    title: "Let me help",
    module: "wac-project",
    entries: [
      entry(0, "NameUpdateEvent", "changed"),
      entry(1, "NomadEventStreamSourceAddEvent", "refused", { reason: "adding a source is pairing" }),
    ],
    moduleView: { kind: "fields", fields: [field("Name", "changed", "A", "B")] },
    refusals: [
      {
        code: "reserved-event-id",
        message: "NomadEventStreamSourceAddEvent is reserved: a patch can never add a source.",
        entryIndex: 1,
      },
    ],
    jsonDiff: '-  "Name": "A",\n+  "Name": "B",\n',
  });
}

export function genericReview(): PatchReview {
  return buildReview({
    title: "Tweak settings",
    module: "generic",
    base: fakeCid("older"),
    canApply: false,
    entries: [
      entry(0, "SetThemeAsync", "unknown", { content: { Theme: "dark" }, reason: "unknown module" }),
      entry(1, "SetFontAsync", "unknown", { content: null, reason: "content unreachable" }),
    ],
    moduleView: { kind: "none", note: "The generic module cannot fold these EventIds." },
    predictedResultCid: null,
    jsonDiff: "",
  });
}
