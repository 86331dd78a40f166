import type { CID } from "multiformats/cid";
import { DecodeError } from "../../errors.js";
import { applyStep } from "../fold-step.js";
import { type IpldMap, isIpldMap } from "../ipld.js";
import {
  CREATE_FILE,
  CREATE_FOLDER,
  DELETE_ITEM,
  decodeFileUpdateEvent,
  decodeFolderUpdateEvent,
  FILE_UPDATE,
} from "./storage-events.js";
import type { FoldContext, FoldStep, LoadedEntry, NomadModule, Reducer } from "./types.js";

/** `NomadFileData` and `NomadFolderData` (OwlCore.Nomad.Storage models), as they appear in roaming values. */
export type FileData = {
  readonly StorableItemId: string;
  readonly StorableItemName: string;
  readonly ContentId: CID | null;
};
export type FolderData = {
  readonly StorableItemId: string;
  readonly StorableItemName: string;
  readonly Files: readonly FileData[];
  readonly Folders: readonly FolderData[];
  readonly Sources: readonly string[];
};

const matches = (item: { StorableItemId: string; StorableItemName: string }, id: string, name: string) =>
  item.StorableItemId === id || item.StorableItemName === name;

/** Folder events, after OwlCore.Nomad.Storage `NomadFolder.ApplyFolderUpdateAsync` (docs/format.md, Storage). */
const applyFolderEvent: Reducer = (state, entry, ctx) => {
  const folder = state as FolderData;
  const event = decodeFolderUpdateEvent(entry.content, entry.entry.content.toString());
  if (event.workingFolderId !== folder.StorableItemId) {
    throw new DecodeError(
      `workingFolderId ${event.workingFolderId} is not the folder the entry targets (${folder.StorableItemId})`,
      `${entry.entry.content}/workingFolderId`,
    );
  }
  const { storableItemId: id, storableItemName: name } = event;
  if (event.eventId === DELETE_ITEM) {
    // Only the first match of each kind goes; a missing item was "removed in another timeline".
    const folderAt = folder.Folders.findIndex((x) => matches(x, id, name));
    const fileAt = folder.Files.findIndex((x) => matches(x, id, name));
    return {
      ...folder,
      Folders: folder.Folders.filter((_, i) => i !== folderAt),
      Files: folder.Files.filter((_, i) => i !== fileAt),
    };
  }
  const key = event.eventId === CREATE_FILE ? "Files" : "Folders";
  let list: readonly (FileData | FolderData)[] = folder[key];
  let existing = list.find((x) => matches(x, id, name));
  if (event.overwrite && existing) {
    list = list.filter((x) => x !== existing);
    existing = undefined;
  }
  const created: FileData | FolderData =
    existing ??
    (event.eventId === CREATE_FILE
      ? { StorableItemId: id, StorableItemName: name, ContentId: null }
      : // Nested folders take the handler's source list, not the root's own (a quirk of the C# 0.17 code, see docs/decisions.md).
        { StorableItemId: id, StorableItemName: name, Files: [], Folders: [], Sources: [...ctx.sources] });
  if (!list.some((x) => x.StorableItemId === created.StorableItemId)) list = [...list, created];
  return { ...folder, [key]: list };
};

const applyFileUpdate: Reducer = (state, entry) => {
  const file = state as FileData;
  const event = decodeFileUpdateEvent(entry.content, entry.entry.content.toString());
  if (event.storableItemId !== file.StorableItemId) {
    throw new DecodeError(
      `StorableItemId ${event.storableItemId} is not the file the entry targets (${file.StorableItemId})`,
      `${entry.entry.content}/StorableItemId`,
    );
  }
  return { ...file, ContentId: event.newContentId };
};

const folderReducers: Record<string, Reducer> = {
  [CREATE_FILE]: applyFolderEvent,
  [CREATE_FOLDER]: applyFolderEvent,
  [DELETE_ITEM]: applyFolderEvent,
};
const fileReducers: Record<string, Reducer> = { [FILE_UPDATE]: applyFileUpdate };

/**
 * Replays like the C# handlers do: a node applies the entries targeting its own id, in order; then each
 * child that exists afterwards replays its own subset (NomadKuboFolder `FolderDataToInstanceAsync`).
 * So a file's updates apply even if they predate its latest creation, and an entry whose target is gone
 * by the end has no effect.
 */
function foldNode(
  node: IpldMap,
  isFolder: boolean,
  entries: readonly LoadedEntry[],
  ctx: FoldContext,
  steps: FoldStep[],
  seen: Set<LoadedEntry>,
): IpldMap {
  const reducers = isFolder ? folderReducers : fileReducers;
  let current = node;
  for (const entry of entries) {
    if (entry.entry.targetId !== node.StorableItemId) continue;
    seen.add(entry);
    const reducer = Object.hasOwn(reducers, entry.entry.eventId) ? reducers[entry.entry.eventId] : undefined;
    if (!reducer) {
      steps.push({
        entry,
        effect: "unknown",
        reason: `EventId ${entry.entry.eventId} is not a storage ${isFolder ? "folder" : "file"} event`,
      });
      continue;
    }
    const applied = applyStep(current, entry, reducer, ctx);
    current = applied.state;
    steps.push(applied.step);
  }
  if (!isFolder) return current;
  const folder = current as FolderData;
  const Folders = folder.Folders.map(
    (child) => foldNode(child, true, entries, ctx, steps, seen) as FolderData,
  );
  const Files = folder.Files.map((child) => foldNode(child, false, entries, ctx, steps, seen) as FileData);
  return { ...folder, Folders, Files };
}

export const storageModule: NomadModule = {
  name: "storage",
  keyPrefix: "Nomad.Kubo.Storage",
  predictsEffects: true,
  recognise: (value) =>
    isIpldMap(value) && "StorableItemId" in value && "Folders" in value && "Files" in value,
  seed: ({ id, name, sources }) => ({
    StorableItemId: id,
    StorableItemName: name ?? "",
    Files: [],
    Folders: [],
    Sources: [...sources],
  }),
  streamLabel: (name) => name,
  linksToLoad: () => [],
  fold: (state, entries, ctx) => {
    const steps: FoldStep[] = [];
    const seen = new Set<LoadedEntry>();
    const folded = foldNode(state, true, entries, ctx, steps, seen);
    for (const entry of entries) {
      if (!seen.has(entry))
        steps.push({
          entry,
          effect: "no-effect",
          reason: `no folder or file ${entry.entry.targetId} exists to apply it to`,
        });
    }
    return { state: folded, steps };
  },
};
