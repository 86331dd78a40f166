import type { CID } from "multiformats/cid";
import { DecodeError, NomadPatchError } from "../../errors.js";
import { type FoldBudget, spend } from "../fold-budget.js";
import { applyStep, budgetOf } from "../fold-step.js";
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
 * child that exists afterwards replays its own subset (NomadKuboFolder `FolderDataToInstanceAsync`,
 * OwlCore.Nomad.Storage.Kubo/src/NomadKuboFolder.cs). So a file's updates apply even if they predate its
 * latest creation, and an entry whose target is gone by the end has no effect. An id that several folders
 * hold is replayed under each of them, as C# does: that is what the budget bounds (docs/decisions.md).
 */
async function foldNode(node: IpldMap, isFolder: boolean, fold: NodeFold): Promise<IpldMap> {
  const { byTarget, ctx, steps, seen, budget, ancestors } = fold;
  const id = node.StorableItemId as string;
  if (isFolder && ancestors.includes(id)) throw new FolderCycleError(ancestors, id);
  await spend(budget, nodeBytes(node));
  const reducers = isFolder ? folderReducers : fileReducers;
  let current = node;
  for (const entry of byTarget.get(node.StorableItemId as string) ?? []) {
    await spend(budget);
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
  const Folders: FolderData[] = [];
  ancestors.push(id);
  for (const child of folder.Folders) Folders.push((await foldNode(child, true, fold)) as FolderData);
  ancestors.pop();
  const Files: FileData[] = [];
  for (const child of folder.Files) Files.push((await foldNode(child, false, fold)) as FileData);
  return { ...folder, Folders, Files };
}

interface NodeFold {
  /** Entries by the id they target, each list in fold order: a node finds its own without a scan. */
  readonly byTarget: ReadonlyMap<string, readonly LoadedEntry[]>;
  readonly ctx: FoldContext;
  readonly steps: FoldStep[];
  readonly seen: Set<LoadedEntry>;
  readonly budget: FoldBudget;
  /** The ids of the folders above the node being replayed, outermost first. */
  readonly ancestors: string[];
}

/**
 * A folder whose subtree holds an item with its own id. The C# replay (`FolderDataToInstanceAsync`) would
 * rebuild it inside itself until the stack overflows, so no device can load it; stopping at the first
 * repeat says what is wrong, where the budget would only say that the fold was too long.
 */
export class FolderCycleError extends NomadPatchError {
  readonly code = "FOLDER_CYCLE";
  override readonly exitCode = 65; // EX_DATAERR
  constructor(ancestors: readonly string[], id: string) {
    const path = ancestors.slice(ancestors.indexOf(id) + 1);
    super(
      `The folder ${id} contains itself (through ${[...path, id].join(" → ")}): no device can load a folder tree that never ends`,
    );
  }
}

/** Roughly what a node adds to the roaming value: its id, name and (for folders) the copied Sources. */
function nodeBytes(node: IpldMap): number {
  const text = (value: unknown) => (typeof value === "string" ? value.length : 0);
  const sources = Array.isArray(node.Sources) ? node.Sources.reduce((n, s) => n + text(s) + 2, 0) : 0;
  return 64 + text(node.StorableItemId) + text(node.StorableItemName) + sources;
}

function entriesByTarget(entries: readonly LoadedEntry[]): Map<string, LoadedEntry[]> {
  const byTarget = new Map<string, LoadedEntry[]>();
  for (const entry of entries) {
    const list = byTarget.get(entry.entry.targetId);
    if (list) list.push(entry);
    else byTarget.set(entry.entry.targetId, [entry]);
  }
  return byTarget;
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
  fold: async (state, entries, ctx) => {
    const steps: FoldStep[] = [];
    const seen = new Set<LoadedEntry>();
    const budget = budgetOf(ctx);
    const folded = await foldNode(state, true, {
      byTarget: entriesByTarget(entries),
      ctx,
      steps,
      seen,
      budget,
      ancestors: [],
    });
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
