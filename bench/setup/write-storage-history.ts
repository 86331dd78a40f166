import type { CID } from "multiformats/cid";
import type { KuboStore } from "../../src/ipfs/kubo-store.js";
import { unixFsLeaf } from "../../src/ipfs/unixfs-leaf.js";
import {
  CREATE_FILE,
  CREATE_FOLDER,
  type EncodedBlock,
  encodeBlock,
  encodeEventStream,
  encodeEventStreamEntry,
  encodeFileUpdateEvent,
  encodeFolderUpdateEvent,
  FILE_UPDATE,
  formatTimestamp,
  parseIpnsName,
  storageModule,
  ticksFromMilliseconds,
} from "../../src/nomad/index.js";
import { createNomadObject } from "../../src/service/create-nomad-object.js";
import { loadTarget } from "../../src/service/load-target.js";
import { withLocalBlocks } from "./local-blocks.js";
import { benchPublish, type WrittenTarget } from "./write-history.js";

export interface WrittenStorage extends WrittenTarget {
  /** The local stream the history lives in (the one device's). */
  readonly streamCid: CID;
  /** The files' paths below the root, as `export` writes them. */
  readonly paths: readonly string[];
  /** Every block of the history, to give the contributor's node in one import. */
  readonly written: readonly EncodedBlock[];
}

/** Folders of the root; the files are spread evenly across them. */
const FOLDERS = 10;

/** A source file of about a kilobyte: forty numbered lines, the revision in every fifth. */
export function storageFileText(path: string, revision: number): string {
  return Array.from({ length: 40 }, (_, line) =>
    line % 5 === 0 ? `${path} line ${line} revision ${revision}` : `${path} line ${line} unchanged text`,
  ).join("\n");
}

/**
 * A Storage (OwlCore.Nomad.Storage) folder whose one device holds `entries` entries over `files`
 * files: the folders and files created, each file given its content, then revisions of the files in
 * turn until the history is `entries` long. Written fast like the project history: every block
 * (file bytes as Kubo's `add` writes them, events, entries, stream) in one CAR import, the stream
 * published once, the fold published as the roaming value.
 */
export async function writeStorageHistory(
  store: KuboStore,
  spec: { readonly name: string; readonly entries: number; readonly files: number },
): Promise<WrittenStorage> {
  const created = await createNomadObject(
    { store },
    { module: storageModule, name: spec.name, publish: benchPublish },
  );
  const root = created.keys.roaming.id;
  const start = ticksFromMilliseconds(Date.UTC(2024, 0, 1));
  const blocks: EncodedBlock[] = [];
  const entryCids: CID[] = [];
  const append = async (targetId: string, eventId: string, content: unknown) => {
    const contentBlock = await encodeBlock(content);
    const timestampUtc = formatTimestamp(start + BigInt(entryCids.length) * 10_000_000n);
    const entry = await encodeBlock(
      encodeEventStreamEntry({ targetId, eventId, timestampUtc, content: contentBlock.cid }),
    );
    blocks.push(contentBlock, entry);
    entryCids.push(entry.cid);
  };
  const folderEvent = (eventId: typeof CREATE_FILE | typeof CREATE_FOLDER, folder: string, name: string) =>
    encodeFolderUpdateEvent({
      eventId,
      storableItemId: `${folder}/${name}`,
      workingFolderId: folder,
      storableItemName: name,
      overwrite: false,
    });
  const update = async (id: string, path: string, revision: number) => {
    const file = (await unixFsLeaf(new TextEncoder().encode(storageFileText(path, revision))))!;
    blocks.push(file);
    await append(id, FILE_UPDATE, encodeFileUpdateEvent({ storableItemId: id, newContentId: file.cid }));
  };

  const folders = Array.from({ length: FOLDERS }, (_, i) => `folder-${String(i).padStart(2, "0")}`);
  for (const folder of folders) await append(root, CREATE_FOLDER, folderEvent(CREATE_FOLDER, root, folder));
  const files = Array.from({ length: spec.files }, (_, i) => {
    const folder = folders[i % FOLDERS]!;
    const name = `file-${String(i).padStart(4, "0")}.txt`;
    return {
      folderId: `${root}/${folder}`,
      name,
      id: `${root}/${folder}/${name}`,
      path: `${folder}/${name}`,
    };
  });
  for (const file of files) {
    await append(file.folderId, CREATE_FILE, folderEvent(CREATE_FILE, file.folderId, file.name));
    await update(file.id, file.path, 0);
  }
  for (let revision = 1; entryCids.length < spec.entries; revision++)
    for (const file of files) {
      if (entryCids.length >= spec.entries) break;
      await update(file.id, file.path, revision);
    }

  const stream = await encodeBlock(
    encodeEventStream({ label: storageModule.streamLabel(spec.name), entries: entryCids }),
  );
  blocks.push(stream);
  // One CAR import instead of one request per block; a loaded machine may need longer than the default bound.
  await store.importBlocks(blocks, { timeoutMs: 300_000 });
  await store.publishName(created.keys.local.name, stream.cid, benchPublish);
  const loaded = await loadTarget(
    { store: withLocalBlocks(store, blocks) },
    {
      target: root,
      knownStreams: new Map([[parseIpnsName(created.keys.local.id), stream.cid]]),
      concurrency: 32,
    },
  );
  const roamingCid = await store.dagPut(loaded.state);
  await store.publishName(created.keys.roaming.name, roamingCid, benchPublish);
  return {
    id: root,
    roamingCid,
    streamCid: stream.cid,
    blocks: blocks.length + 2,
    paths: files.map((f) => f.path),
    written: blocks,
  };
}
