import type { CID } from "multiformats/cid";
import {
  CREATE_FILE,
  CREATE_FOLDER,
  encodeFileUpdateEvent,
  encodeFolderUpdateEvent,
  FILE_UPDATE,
  type IpldValue,
  storageModule,
} from "../../../src/nomad/index.js";
import { appendEntries, type NewEntry } from "../../../src/service/append-entries.js";
import { createNomadObject } from "../../../src/service/create-nomad-object.js";
import { type BuiltTarget, type NodeLike, testPublish } from "./node.js";

export interface StorageTarget extends BuiltTarget {
  /** Sub-object ids by path below the root (`docs`, `docs/a.md`). */
  readonly ids: Readonly<Record<string, string>>;
  /** UnixFS CIDs of the files, by path. */
  readonly contents: Readonly<Record<string, CID>>;
}

/**
 * A Storage folder owned by `node`: `files` by path (`a/b.txt` creates folder `a` first), plus
 * `folders` that stay empty. Events are written as OwlCore.Nomad.Storage writes them (docs/format.md).
 */
export async function createStorageTarget(
  node: NodeLike,
  spec: {
    readonly name: string;
    readonly files?: Readonly<Record<string, string | Uint8Array>>;
    readonly folders?: readonly string[];
  },
): Promise<StorageTarget> {
  const { store } = node;
  const created = await createNomadObject(
    { store },
    { module: storageModule, name: spec.name, publish: testPublish },
  );
  const root = created.keys.roaming.id;
  const ids: Record<string, string> = {};
  const contents: Record<string, CID> = {};
  const entries: NewEntry[] = [];
  const idOf = (path: string) => (path === "" ? root : ids[path]!);
  const ensureFolder = (path: string) => {
    if (path === "" || ids[path]) return;
    const parent = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : "";
    ensureFolder(parent);
    const name = path.slice(parent === "" ? 0 : parent.length + 1);
    ids[path] = `${idOf(parent)}/${name}`;
    entries.push(folderEntry(CREATE_FOLDER, idOf(parent), name));
  };
  for (const folder of spec.folders ?? []) ensureFolder(folder);
  for (const [path, text] of Object.entries(spec.files ?? {})) {
    const parent = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : "";
    ensureFolder(parent);
    const name = path.slice(parent === "" ? 0 : parent.length + 1);
    const id = `${idOf(parent)}/${name}`;
    ids[path] = id;
    const bytes = typeof text === "string" ? new TextEncoder().encode(text) : text;
    contents[path] = await store.addFile(bytes, { pin: true });
    entries.push(folderEntry(CREATE_FILE, idOf(parent), name));
    entries.push({
      targetId: id,
      eventId: FILE_UPDATE,
      content: encodeFileUpdateEvent({ storableItemId: id, newContentId: contents[path] }),
    });
  }
  const roamingCid =
    entries.length === 0
      ? created.roamingCid
      : (await appendEntries({ store }, { target: root, entries, publish: testPublish })).roamingCid;
  return {
    id: root,
    localId: created.keys.local.id,
    keyNames: { local: created.keys.local.name, roaming: created.keys.roaming.name },
    roamingCid,
    ids,
    contents,
  };
}

function folderEntry(eventId: typeof CREATE_FILE | typeof CREATE_FOLDER, folder: string, name: string) {
  const content = encodeFolderUpdateEvent({
    eventId,
    storableItemId: `${folder}/${name}`,
    workingFolderId: folder,
    storableItemName: name,
    overwrite: false,
  });
  return { targetId: folder, eventId, content: content as IpldValue };
}
