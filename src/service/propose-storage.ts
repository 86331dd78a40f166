import { readFile } from "node:fs/promises";
import type { CID } from "multiformats/cid";
import { UsageError } from "../errors.js";
import type { IpfsStore } from "../ipfs/store.js";
import { unixFsLeaf } from "../ipfs/unixfs-leaf.js";
import {
  CREATE_FILE,
  CREATE_FOLDER,
  DELETE_ITEM,
  encodeFileUpdateEvent,
  encodeFolderUpdateEvent,
  FILE_UPDATE,
  type FileData,
  type FolderData,
  type IpldValue,
} from "../nomad/index.js";
import type { EntryDraft } from "./propose-entries.js";
import { type FileSource, type LocalFolder, readLocalFolder } from "./propose-storage-read.js";

export interface FolderChange {
  /** Path below the root, `/`-separated. */
  readonly path: string;
  readonly kind: "file" | "folder";
  readonly change: "added" | "changed" | "removed";
}

export interface FolderPlan {
  readonly drafts: EntryDraft[];
  readonly changes: FolderChange[];
}

/**
 * The Storage entries that turn the target's folder into the local one, as OwlCore.Nomad.Storage writes
 * them (docs/format.md): per folder, deletions first (so a file can become a folder of the same name),
 * then new files (CreateFileInFolderEvent on the folder + FileUpdateEvent on the file, none for an empty
 * file, which C# refuses: docs/format.md "What the C# replay rejects"), changed files
 * (FileUpdateEvent), new folders (CreateFolderInFolderEvent), then each sub-folder in name order.
 * File bytes are added to the node (UnixFS, CIDv0) and pinned, so the bot can fetch them.
 */
export async function planFolderChanges(
  store: IpfsStore,
  input: { readonly state: FolderData; readonly dir: string | LocalFolder; readonly maxFileBytes?: number },
): Promise<FolderPlan> {
  const local = typeof input.dir === "string" ? await readLocalFolder(input.dir) : input.dir;
  const plan: FolderPlan = { drafts: [], changes: [] };
  await planFolder(store, plan, input.state, local, "");
  return plan;
}

async function planFolder(
  store: IpfsStore,
  plan: FolderPlan,
  folder: FolderData,
  local: LocalFolder,
  prefix: string,
): Promise<void> {
  const id = folder.StorableItemId;
  const at = (name: string) => (prefix === "" ? name : `${prefix}/${name}`);
  const keptFiles = folder.Files.filter((f) => local.files.has(f.StorableItemName));
  const keptFolders = folder.Folders.filter((f) => local.folders.has(f.StorableItemName));
  for (const item of [...folder.Files, ...folder.Folders]) {
    const isFile = "ContentId" in item;
    if ((isFile ? keptFiles : keptFolders).includes(item as never)) continue;
    plan.drafts.push(folderEvent(DELETE_ITEM, id, item.StorableItemName, item.StorableItemId));
    plan.changes.push({
      path: at(item.StorableItemName),
      kind: isFile ? "file" : "folder",
      change: "removed",
    });
  }
  for (const [name, source] of [...local.files].sort(byName)) {
    const existing = keptFiles.find((f) => f.StorableItemName === name);
    if (existing && (await unchangedByCid(existing, source))) continue;
    const { cid, bytes } = await contentOf(store, source);
    if (existing && (await sameContent(store, existing, cid, bytes))) continue;
    const fileId = existing?.StorableItemId ?? `${id}/${name}`;
    if (bytes?.length === 0 && existing) {
      // C# throws on a FileUpdateEvent to the empty-file CID, and re-creating the file would replay its
      // old updates (they target the same id): no entry empties a file that C# can load.
      throw new UsageError(
        `${at(name)} has content in the target and cannot be emptied: C# devices refuse a file update to the empty file (OwlCore.Nomad.Storage.Kubo NomadKuboStorageExtensions.ApplyFileUpdateAsync); delete it instead, or keep some content`,
      );
    }
    if (!existing) plan.drafts.push(folderEvent(CREATE_FILE, id, name, fileId));
    // A new file starts empty (ContentId null), as C# creates it: an empty one needs no update.
    if (cid !== null && bytes?.length !== 0) plan.drafts.push(fileUpdate(fileId, cid));
    plan.changes.push({ path: at(name), kind: "file", change: existing ? "changed" : "added" });
  }
  const children: [FolderData, LocalFolder, string][] = [];
  for (const [name, sub] of [...local.folders].sort(byName)) {
    const existing = keptFolders.find((f) => f.StorableItemName === name);
    const folderId = existing?.StorableItemId ?? `${id}/${name}`;
    if (!existing) {
      plan.drafts.push(folderEvent(CREATE_FOLDER, id, name, folderId));
      plan.changes.push({ path: at(name), kind: "folder", change: "added" });
    }
    const data = existing ?? emptyFolder(folderId, name);
    children.push([data, sub, at(name)]);
  }
  for (const [data, sub, path] of children) await planFolder(store, plan, data, sub, path);
}

/** The content CID (added and pinned here when the bytes are new) and, when known, the bytes. */
async function contentOf(
  store: IpfsStore,
  source: FileSource,
): Promise<{ readonly cid: CID | null; readonly bytes?: Uint8Array }> {
  if (typeof source !== "string" && "cid" in source) return { cid: source.cid };
  const bytes = typeof source === "string" ? await readFile(source) : source.bytes;
  return { cid: await store.addFile(bytes, { pin: true }), bytes };
}

/**
 * A file whose bytes give, as Kubo's `add` would store them, the very CID the target has: unchanged,
 * known without adding it to the node (one request saved per file of an exported copy). Any other
 * case (a larger file, other UnixFS settings) goes through `add` and the comparison below.
 */
async function unchangedByCid(file: FileData, source: FileSource): Promise<boolean> {
  if (file.ContentId === null || typeof source !== "string") return false;
  const leaf = await unixFsLeaf(await readFile(source));
  return leaf?.cid.equals(file.ContentId) === true;
}

const byName = <T>(a: [string, T], b: [string, T]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

function emptyFolder(id: string, name: string): FolderData {
  return { StorableItemId: id, StorableItemName: name, Files: [], Folders: [], Sources: [] };
}

/**
 * Same CID, or (when the target's file was added with other UnixFS settings) the same bytes. A file
 * with no content yet equals an empty local file. Unreadable content counts as changed: proposing the
 * local bytes is then the safe side.
 */
async function sameContent(
  store: IpfsStore,
  file: FileData,
  cid: CID | null,
  bytes: Uint8Array | undefined,
): Promise<boolean> {
  if (file.ContentId === null || cid === null) return file.ContentId === cid || bytes?.length === 0;
  if (file.ContentId.equals(cid)) return true;
  if (bytes === undefined) return false;
  try {
    const theirs = await store.catFile(file.ContentId, { maxBytes: bytes.length });
    return Buffer.compare(Buffer.from(theirs), Buffer.from(bytes)) === 0;
  } catch {
    return false;
  }
}

function folderEvent(
  eventId: typeof CREATE_FILE | typeof CREATE_FOLDER | typeof DELETE_ITEM,
  folderId: string,
  name: string,
  itemId: string,
): EntryDraft {
  const content = encodeFolderUpdateEvent({
    eventId,
    storableItemId: itemId,
    workingFolderId: folderId,
    storableItemName: name,
    overwrite: false,
  });
  return { targetId: folderId, eventId, content: content as IpldValue };
}

function fileUpdate(fileId: string, cid: CID): EntryDraft {
  const content = encodeFileUpdateEvent({ storableItemId: fileId, newContentId: cid });
  return { targetId: fileId, eventId: FILE_UPDATE, content: content as IpldValue };
}
