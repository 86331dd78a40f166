import type { CID } from "multiformats/cid";
import { DecodeError } from "../../errors.js";
import { expectLink, expectMap, expectNonBlankString, expectString, field } from "../shape.js";

/**
 * Storage content blocks (docs/format.md). Folder events use camelCase (a hand-written converter in
 * OwlCore.Nomad.Storage); the file event uses Newtonsoft's default PascalCase.
 */
export const CREATE_FILE = "CreateFileInFolderEvent";
export const CREATE_FOLDER = "CreateFolderInFolderEvent";
export const DELETE_ITEM = "DeleteFromFolderEvent";
export const FILE_UPDATE = "FileUpdateEvent";

export interface FolderUpdateEvent {
  readonly eventId: typeof CREATE_FILE | typeof CREATE_FOLDER | typeof DELETE_ITEM;
  readonly storableItemId: string;
  readonly workingFolderId: string;
  readonly storableItemName: string;
  /** Only on create events; false when absent. */
  readonly overwrite: boolean;
}

export interface FileUpdateEvent {
  readonly storableItemId: string;
  readonly newContentId: CID;
}

export function decodeFolderUpdateEvent(value: unknown, where: string): FolderUpdateEvent {
  const map = expectMap(value, where, "a folder update event");
  const eventId = expectNonBlankString(map, "eventId", where);
  if (eventId !== CREATE_FILE && eventId !== CREATE_FOLDER && eventId !== DELETE_ITEM) {
    throw new DecodeError(
      `Expected ${CREATE_FILE}, ${CREATE_FOLDER} or ${DELETE_ITEM}, got ${JSON.stringify(eventId)}`,
      field(where, "eventId"),
    );
  }
  const overwrite = map.overwrite;
  if (overwrite !== undefined && typeof overwrite !== "boolean") {
    throw new DecodeError(`Expected true or false, got ${typeof overwrite}`, field(where, "overwrite"));
  }
  return {
    eventId,
    storableItemId: expectNonBlankString(map, "storableItemId", where),
    workingFolderId: expectNonBlankString(map, "workingFolderId", where),
    storableItemName: expectString(map, "storableItemName", where),
    overwrite: overwrite ?? false,
  };
}

export function encodeFolderUpdateEvent(event: FolderUpdateEvent) {
  const common = {
    eventId: event.eventId,
    storableItemId: event.storableItemId,
    workingFolderId: event.workingFolderId,
    storableItemName: event.storableItemName,
  };
  return event.eventId === DELETE_ITEM ? common : { ...common, overwrite: event.overwrite };
}

export function decodeFileUpdateEvent(value: unknown, where: string): FileUpdateEvent {
  const map = expectMap(value, where, "a FileUpdateEvent");
  return {
    storableItemId: expectNonBlankString(map, "StorableItemId", where),
    newContentId: expectLink(map, "NewContentId", where),
  };
}

export function encodeFileUpdateEvent(event: FileUpdateEvent) {
  return { StorableItemId: event.storableItemId, NewContentId: event.newContentId, EventId: FILE_UPDATE };
}
