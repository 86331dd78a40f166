import { CID } from "multiformats/cid";
import { encodeBlock } from "../../../src/nomad/block.js";
import type { IpldMap, IpldValue } from "../../../src/nomad/ipld.js";
import { storageModule } from "../../../src/nomad/modules/storage.js";
import {
  CREATE_FILE,
  CREATE_FOLDER,
  DELETE_ITEM,
  encodeFileUpdateEvent,
  encodeFolderUpdateEvent,
  FILE_UPDATE,
} from "../../../src/nomad/modules/storage-events.js";
import type { NomadModule } from "../../../src/nomad/modules/types.js";
import { parseTimestampDetailed } from "../../../src/nomad/timestamp.js";
import { buildReview, type ReviewInput } from "../../../src/patch-request/build-review.js";
import type { PatchReview } from "../../../src/patch-request/change-model.js";
import type { ProposedEntry } from "../../../src/patch-request/proposed-entry.js";

/** A Storage target's roaming id, and content CIDs to put in files. */
export const ROOT = "k51qzi5uqu5dh6rtvuvyr9x7jhiwku7m4o1mbp28ibo3t27wr8couy0sz47lep";
export const CONTENT_A = CID.parse("bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e");
export const CONTENT_B = CID.parse("bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku");

export const fileData = (name: string, content: CID | null = CONTENT_A, parent = ROOT) => ({
  StorableItemId: `${parent}/${name}`,
  StorableItemName: name,
  ContentId: content,
});

export const folderData = (name: string, files: unknown[], folders: unknown[] = [], parent = ROOT) => ({
  StorableItemId: `${parent}/${name}`,
  StorableItemName: name,
  Files: files,
  Folders: folders,
  Sources: [],
});

export const rootFolder = (files: unknown[], folders: unknown[] = []): IpldMap =>
  ({
    StorableItemId: ROOT,
    StorableItemName: "Docs",
    Files: files,
    Folders: folders,
    Sources: [],
  }) as IpldMap;

/** A proposed Storage entry, with what a reviewer reads: its TargetId, label and content. */
export interface StorageStep {
  readonly targetId: string;
  readonly eventId: string;
  readonly content: IpldValue;
}

const folderEvent =
  (eventId: typeof CREATE_FILE | typeof CREATE_FOLDER | typeof DELETE_ITEM) =>
  (name: string, folder = ROOT): StorageStep => ({
    targetId: folder,
    eventId,
    content: encodeFolderUpdateEvent({
      eventId,
      storableItemId: `${folder}/${name}`,
      workingFolderId: folder,
      storableItemName: name,
      overwrite: false,
    }) as IpldValue,
  });

export const createFile = folderEvent(CREATE_FILE);
export const createFolder = folderEvent(CREATE_FOLDER);
export const deleteItem = folderEvent(DELETE_ITEM);

export const updateFile = (id: string, content: CID): StorageStep => ({
  targetId: id,
  eventId: FILE_UPDATE,
  content: encodeFileUpdateEvent({ storableItemId: id, newContentId: content }) as IpldValue,
});

/** Reviews `steps` on top of `before` with no I/O: what the service does once everything is loaded. */
export async function reviewSteps(
  before: IpldMap,
  steps: readonly StorageStep[],
  extra: Partial<ReviewInput> & { module?: NomadModule; linked?: ReadonlyMap<string, IpldValue> } = {},
): Promise<PatchReview> {
  const proposed: ProposedEntry[] = [];
  for (const [index, step] of steps.entries()) {
    const content = await encodeBlock(step.content);
    const timestampUtc = `2026-01-02T03:04:0${index % 10}.0000000Z`;
    const { ticks, form } = parseTimestampDetailed(timestampUtc, "test");
    const entry = {
      targetId: step.targetId,
      eventId: step.eventId,
      timestampUtc,
      ticks,
      timestampForm: form,
      content: content.cid,
    };
    const cid = (await encodeBlock({ n: index, ...step } as unknown as IpldValue)).cid;
    proposed.push({
      index,
      cid,
      entry,
      loaded: { cid, entry, content: step.content, linked: extra.linked ?? new Map() },
    });
  }
  const patchCid = (await encodeBlock({ patch: "test" })).cid;
  const beforeCid = (await encodeBlock(before)).cid.toString();
  return buildReview({
    key: ROOT.replace("k51qzi5uqu5dh", "k51qzi5uqu5dp"),
    patchCid,
    record: {
      id: ROOT,
      target: ROOT,
      base: null,
      title: "A patch",
      description: "",
      entries: proposed.map((p) => p.cid),
      sources: [],
    },
    proposed,
    module: extra.module ?? storageModule,
    target: {
      id: ROOT,
      publishedCid: beforeCid,
      foldedCid: beforeCid,
      publishedMatchesFold: true,
      canApply: true,
      historyEntries: 1,
      sourceCount: 1,
    },
    before,
    foldContext: { rootId: ROOT, sources: [] },
    validation: { errors: [], warnings: [] },
    reviewedAt: "2026-01-02T03:04:05.000Z",
    ...extra,
  });
}
