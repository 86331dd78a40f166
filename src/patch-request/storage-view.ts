import { CID } from "multiformats/cid";
import type { IpldValue } from "../nomad/ipld.js";
import type { FileData, FolderData } from "../nomad/modules/storage.js";
import type { StorageItemChange } from "./change-model.js";

/**
 * The Storage module's view of a patch: which files and folders it adds, changes and
 * removes, by path below the root folder. Walked by name, as a person reads a folder.
 */
export function diffStorageTrees(before: IpldValue, after: IpldValue): StorageItemChange[] {
  const items: StorageItemChange[] = [];
  walk(asFolder(before), asFolder(after), "", items);
  return items;
}

function walk(before: FolderData, after: FolderData, prefix: string, out: StorageItemChange[]): void {
  const beforeFiles = byName(before.Files);
  const afterFiles = byName(after.Files);
  for (const name of union(beforeFiles, afterFiles)) {
    const b = beforeFiles.get(name);
    const a = afterFiles.get(name);
    const path = prefix + name;
    if (!b && a)
      out.push({
        path,
        kind: "file",
        change: "added",
        beforeContent: null,
        afterContent: cidText(a.ContentId),
      });
    else if (b && !a)
      out.push({
        path,
        kind: "file",
        change: "removed",
        beforeContent: cidText(b.ContentId),
        afterContent: null,
      });
    else if (b && a && cidText(b.ContentId) !== cidText(a.ContentId)) {
      out.push({
        path,
        kind: "file",
        change: "changed",
        beforeContent: cidText(b.ContentId),
        afterContent: cidText(a.ContentId),
      });
    }
  }
  const beforeFolders = byName(before.Folders);
  const afterFolders = byName(after.Folders);
  for (const name of union(beforeFolders, afterFolders)) {
    const b = beforeFolders.get(name);
    const a = afterFolders.get(name);
    const path = prefix + name;
    if (!b && a) {
      out.push({ path, kind: "folder", change: "added" });
      walk(emptyFolder(a), a, `${path}/`, out);
    } else if (b && !a) {
      out.push({ path, kind: "folder", change: "removed" });
      walk(b, emptyFolder(b), `${path}/`, out);
    } else if (b && a) walk(b, a, `${path}/`, out);
  }
}

/** Every file and folder path below the root folder, `/`-separated, as `diffStorageTrees` names them. */
export function storagePaths(root: IpldValue): Set<string> {
  const paths = new Set<string>();
  const visit = (folder: FolderData, prefix: string) => {
    for (const file of folder.Files) paths.add(prefix + file.StorableItemName);
    for (const child of folder.Folders) {
      paths.add(prefix + child.StorableItemName);
      visit(asFolder(child), `${prefix + child.StorableItemName}/`);
    }
  };
  visit(asFolder(root), "");
  return paths;
}

function asFolder(value: IpldValue): FolderData {
  const map = (value ?? {}) as Partial<FolderData>;
  return {
    StorableItemId: map.StorableItemId ?? "",
    StorableItemName: map.StorableItemName ?? "",
    Files: Array.isArray(map.Files) ? map.Files : [],
    Folders: Array.isArray(map.Folders) ? map.Folders : [],
    Sources: Array.isArray(map.Sources) ? map.Sources : [],
  };
}

function emptyFolder(like: FolderData): FolderData {
  return { ...like, Files: [], Folders: [] };
}

/** The first item of each name wins, as the fold's own lookups do. */
function byName<T extends { StorableItemName: string }>(items: readonly T[]): Map<string, T> {
  const map = new Map<string, T>();
  for (const item of items) if (!map.has(item.StorableItemName)) map.set(item.StorableItemName, item);
  return map;
}

function union(a: Map<string, unknown>, b: Map<string, unknown>): string[] {
  return [...new Set([...a.keys(), ...b.keys()])].sort();
}

function cidText(cid: CID | null | undefined): string | null {
  return CID.asCID(cid)?.toString() ?? null;
}

export type { FileData };
