import type { CID } from "multiformats/cid";
import type { IpfsStore, PublishOptions } from "../../src/ipfs/store.js";
import {
  CREATE_FILE,
  CREATE_FOLDER,
  decodeEventStream,
  decodeEventStreamEntry,
  encodeFileUpdateEvent,
  encodeFolderUpdateEvent,
  FILE_UPDATE,
  type IpldValue,
  parseIpnsName,
  storageModule,
  wacProjectModule,
} from "../../src/nomad/index.js";
import { appendEntries, type NewEntry } from "../../src/service/append-entries.js";
import { createNomadObject } from "../../src/service/create-nomad-object.js";
import { type EntryDraft, putProposedEntries } from "../../src/service/propose-entries.js";
import { proposePatch as proposeFromChanges } from "../../src/service/propose-patch.js";
import { publishPatchRequest } from "../../src/service/propose-publish.js";
import { updatePatchRequest } from "../../src/service/propose-update.js";
import { putValueUpdate } from "../../src/service/value-update-content.js";

/**
 * Builders for Nomad test data on real Kubo nodes: a target owned by an operator node, a patch
 * request written by a contributor node, and a way to read what landed in a device's stream.
 * Anything with a `store` is a node (a `KuboNode` from `./kubo.js`).
 */
export interface NodeLike {
  readonly store: IpfsStore;
}

/** Tests run on private loopback swarms: publish even when the DHT has nobody else to tell. */
export const testPublish: PublishOptions = { allowOffline: true };

export interface BuiltTarget {
  /** The roaming key id: the target's identity. */
  readonly id: string;
  /** The operator device's local key id (the one source). */
  readonly localId: string;
  readonly keyNames: { readonly local: string; readonly roaming: string };
  /** The published roaming value after the builder's entries. */
  readonly roamingCid: CID;
}

export interface StorageTarget extends BuiltTarget {
  /** Sub-object ids by path below the root (`docs`, `docs/a.md`). */
  readonly ids: Readonly<Record<string, string>>;
  /** UnixFS CIDs of the files, by path. */
  readonly contents: Readonly<Record<string, CID>>;
}

/**
 * A Storage folder owned by `node`: `files` by path (`a/b.txt` creates folder `a` first), plus
 * `folders` that stay empty. Events are written as OwlCore.Nomad.Storage writes them (§7).
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

export interface ProjectLink {
  readonly Id: string;
  readonly Url: string;
  readonly Name: string;
  readonly Description: string;
}

/** A WindowsAppCommunity project owned by `node`, with a name and optional description, features, links. */
export async function createProjectTarget(
  node: NodeLike,
  spec: {
    readonly knownId: string;
    readonly name: string;
    readonly description?: string;
    readonly features?: readonly string[];
    readonly links?: readonly ProjectLink[];
  },
): Promise<BuiltTarget> {
  const { store } = node;
  const created = await createNomadObject(
    { store },
    { module: wacProjectModule, name: spec.knownId, publish: testPublish },
  );
  const P = created.keys.roaming.id;
  const value = (eventId: string, update: Parameters<typeof putValueUpdate>[1]) =>
    putValueUpdate(store, update).then((content): NewEntry => ({ targetId: P, eventId, content }));
  const entries: NewEntry[] = [await value("UpdateNameAsync", { value: spec.name })];
  if (spec.description !== undefined)
    entries.push(await value("UpdateDescriptionAsync", { value: spec.description }));
  for (const feature of spec.features ?? []) entries.push(await value("AddFeatureAsync", { value: feature }));
  for (const link of spec.links ?? [])
    entries.push(await value("AddLinkAsync", { key: link.Id, value: { ...link } }));
  const written = await appendEntries({ store }, { target: P, entries, publish: testPublish });
  return {
    id: P,
    localId: created.keys.local.id,
    keyNames: { local: created.keys.local.name, roaming: created.keys.roaming.name },
    roamingCid: written.roamingCid,
  };
}

/** A raw entry for a patch; `targetId` defaults to the target itself. Reserved EventIds are allowed here. */
export interface RawEntry {
  readonly targetId?: string;
  readonly eventId: string;
  readonly content: IpldValue;
}

/**
 * A patch request written on the contributor's node: raw `entries` (nothing checked, so tests can
 * build hostile patches), or the changes between the target and an edited folder (`fromFolder`).
 * `base` defaults to what the target's roaming key resolves to on the contributor's node.
 */
export async function proposePatch(
  contributor: NodeLike,
  spec: {
    readonly target: string;
    readonly title: string;
    readonly description?: string;
    readonly entries?: readonly RawEntry[];
    readonly fromFolder?: string;
    readonly base?: CID | null;
    readonly name?: string;
  },
): Promise<{ readonly key: string; readonly cid: CID; readonly entryCids: readonly CID[] }> {
  const { store } = contributor;
  if (spec.fromFolder !== undefined) {
    const proposed = await proposeFromChanges(
      { store },
      {
        target: spec.target,
        title: spec.title,
        description: spec.description ?? "",
        changes: { kind: "folder", dir: spec.fromFolder },
        name: spec.name,
        publish: testPublish,
      },
    );
    return { key: proposed.key, cid: proposed.cid, entryCids: proposed.record.entries };
  }
  const target = parseIpnsName(spec.target, "target");
  const drafts: EntryDraft[] = (spec.entries ?? []).map((e) => ({
    targetId: e.targetId ?? target,
    eventId: e.eventId,
    content: e.content,
  }));
  const entryCids = await putProposedEntries(store, drafts);
  const base = spec.base !== undefined ? spec.base : ((await store.resolveName(target)) ?? null);
  const published = await publishPatchRequest(
    { store },
    {
      target,
      base,
      title: spec.title,
      description: spec.description ?? "",
      entries: entryCids,
      name: spec.name,
      publish: testPublish,
    },
  );
  return { key: published.key, cid: published.cid, entryCids };
}

/** Publish a new version under the same patch key (title, entries added or removed); returns its CID. */
export async function repointPatch(
  contributor: NodeLike,
  spec: {
    readonly key: string;
    readonly target?: string;
    readonly title?: string;
    readonly addEntries?: readonly RawEntry[];
    readonly removeEntries?: readonly CID[];
  },
): Promise<CID> {
  const { store } = contributor;
  const addEntries = spec.addEntries?.length
    ? await putProposedEntries(
        store,
        spec.addEntries.map((e) => ({
          targetId: e.targetId ?? parseIpnsName(spec.target ?? "", "target (needed to add entries)"),
          eventId: e.eventId,
          content: e.content,
        })),
      )
    : undefined;
  const updated = await updatePatchRequest(
    { store },
    {
      key: spec.key,
      title: spec.title,
      addEntries,
      removeEntries: spec.removeEntries,
      publish: testPublish,
    },
  );
  return updated.cid;
}

export interface StreamEntryView {
  readonly cid: string;
  readonly targetId: string;
  readonly eventId: string;
  readonly timestampUtc: string;
  readonly content: IpldValue;
}

/** The entries of `node`'s own local stream for `target` (the device's `.Local.` key), content decoded. */
export async function readStreamEntries(node: NodeLike, target: string): Promise<StreamEntryView[]> {
  const { store } = node;
  const id = parseIpnsName(target, "target");
  const keys = await store.listKeys();
  const roaming = keys.find((k) => k.id === id);
  const local = roaming && keys.find((k) => k.name === roaming.name.replace(".Roaming", ".Local"));
  if (!local) throw new Error(`The node holds no device keys for ${id}`);
  // Kubo may answer a resolve of a name it publishes from a cache; a test wants the latest record.
  const streamCid = await store.resolveName(local.id, { nocache: true });
  if (!streamCid) throw new Error(`The local key ${local.id} does not resolve`);
  const stream = decodeEventStream(await store.dagGet(streamCid), streamCid.toString());
  return Promise.all(
    stream.entries.map(async (cid) => {
      const entry = decodeEventStreamEntry(await store.dagGet(cid), cid.toString());
      return {
        cid: cid.toString(),
        targetId: entry.targetId,
        eventId: entry.eventId,
        timestampUtc: entry.timestampUtc,
        content: (await store.dagGet(entry.content)) as IpldValue,
      };
    }),
  );
}
