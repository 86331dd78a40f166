import { isIpldMap } from "../nomad/ipld.js";
import { CREATE_FILE, CREATE_FOLDER, DELETE_ITEM, FILE_UPDATE } from "../nomad/modules/storage-events.js";
import type { CompatibilityRule as Rule } from "./csharp-rule.js";

/**
 * The CID `ipfs add` gives an empty file. OwlCore.Nomad.Storage.Kubo
 * `NomadKuboStorageExtensions.ApplyFileUpdateAsync` guards against it as a string, so a FileUpdateEvent to
 * exactly this CID makes every C# device fail to load the folder (other CIDs of empty content pass).
 */
export const EMPTY_FILE_CID = "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH";

const FOLDER_EVENT_IDS: readonly string[] = [CREATE_FILE, CREATE_FOLDER, DELETE_ITEM];

/** The event kind C# Storage dispatches on: the content's own, never the entry's label. */
export function storageContentKind(content: unknown): string | undefined {
  if (!isIpldMap(content)) return undefined;
  if (typeof content.eventId === "string") return content.eventId;
  if ("StorableItemId" in content || "NewContentId" in content) return FILE_UPDATE;
  return undefined;
}

/**
 * Storage (OwlCore.Nomad.Storage 0.10, Storage.Kubo 0.17), one small rule each, naming the C# code that
 * throws (docs/format.md has the full paths): once such an entry is in a stream, every C# device fails to
 * load the folder. Files: OwlCore.Nomad.Storage.Kubo/src/Extensions/NomadKuboStorageExtensions.cs,
 * OwlCore.Nomad.Storage.Kubo/src/NomadKuboFolder.cs and NomadKuboFile.cs (dispatch on the content),
 * OwlCore.Nomad.Storage/src/Models/FolderUpdateEventSerializationHelpers.cs, OwlCore.Nomad.Storage/src/NomadFolder.cs.
 */
export const storageRules: readonly Rule[] = [
  function labelMatchesContent({ entry, content }) {
    const kind = storageContentKind(content);
    if (kind === undefined || kind === entry.eventId) return undefined;
    return {
      code: "label-content-mismatch",
      why: `it is labelled ${entry.eventId} but its content is a ${kind}, which is what C# applies (NomadKuboFolder.ApplyEntryUpdateAsync)`,
    };
  },
  function fileUpdateContentNamesItsKind({ content }) {
    if (!isIpldMap(content) || storageContentKind(content) !== FILE_UPDATE) return undefined;
    if (content.EventId === undefined || content.EventId === FILE_UPDATE) return undefined;
    return {
      code: "label-content-mismatch",
      why: `it is labelled ${FILE_UPDATE} but its content says EventId ${JSON.stringify(content.EventId)}`,
    };
  },
  function folderEventIdsMatchTarget({ entry, content }) {
    if (!isIpldMap(content) || !FOLDER_EVENT_IDS.includes(String(content.eventId))) return undefined;
    const { workingFolderId, storableItemId, storableItemName } = content;
    if (workingFolderId !== entry.targetId) {
      return {
        code: "content-target-mismatch",
        why: `its workingFolderId ${JSON.stringify(workingFolderId)} is not its TargetId, and C# throws on that (NomadKuboStorageExtensions.TryAdvanceEventStreamAsync)`,
      };
    }
    const expected = `${entry.targetId}/${String(storableItemName)}`;
    if (storableItemId === expected) return undefined;
    return {
      code: "content-target-mismatch",
      why: `its storableItemId ${JSON.stringify(storableItemId)} is not TargetId/name, the id C# gives that item (NomadFolder.CreateFileAsync): it names an item elsewhere`,
    };
  },
  function createSaysOverwrite({ content }) {
    if (!isIpldMap(content)) return undefined;
    if (content.eventId !== CREATE_FILE && content.eventId !== CREATE_FOLDER) return undefined;
    if (typeof content.overwrite === "boolean") return undefined;
    return {
      code: "create-without-overwrite",
      why: `a ${content.eventId} without a true/false overwrite makes C# throw (FolderUpdateEventSerializationHelpers.Read)`,
    };
  },
  function fileUpdateTargetsItsFile({ entry, content }) {
    if (!isIpldMap(content) || storageContentKind(content) !== FILE_UPDATE) return undefined;
    if (content.StorableItemId === entry.targetId) return undefined;
    return {
      code: "file-update-other-item",
      why: `its StorableItemId ${JSON.stringify(content.StorableItemId)} is not the file it targets, and C# throws on that (NomadKuboStorageExtensions.ApplyFileUpdateAsync)`,
    };
  },
  function fileUpdateNotToEmptyFileCid({ content }) {
    if (!isIpldMap(content) || storageContentKind(content) !== FILE_UPDATE) return undefined;
    if (String(content.NewContentId) !== EMPTY_FILE_CID) return undefined;
    return {
      code: "file-update-empty-cid",
      why: `it sets the file to the empty-file CID ${EMPTY_FILE_CID}, which C# throws on (NomadKuboStorageExtensions.ApplyFileUpdateAsync); a new empty file needs only its create entry`,
    };
  },
];
