import { type IpldValue, isIpldMap } from "../nomad/ipld.js";
import { CREATE_FILE, CREATE_FOLDER, DELETE_ITEM, FILE_UPDATE } from "../nomad/modules/storage-events.js";
import type { LoadedEntry } from "../nomad/modules/types.js";
import type { ItemChange } from "./change-model.js";
import { storageContentKind } from "./csharp-storage-rules.js";

/** What one entry does to the item it acts on, said the way a reader says it. */
export interface EntryItem {
  readonly change: ItemChange;
  /** The item: a Storage path below the root (`docs/guide.md`) or a field (`Name`, `Links[docs]`). */
  readonly item: string;
}

/**
 * The item an entry creates, deletes or changes, and which of the three it is: a Storage create names the
 * file or folder it creates (its `storableItemId`, which C# makes `{TargetId}/{name}`: OwlCore.Nomad.Storage
 * NomadFolder.cs CreateFileAsync), not the folder it targets. `existedBefore` tells a create that replaces
 * an item (overwrite) from one that adds it. Undefined when the entry says nothing readable.
 */
export function entryItem(
  module: string,
  loaded: LoadedEntry,
  rootId: string,
  existedBefore: (path: string) => boolean,
): EntryItem | undefined {
  if (module === "storage") return storageItem(loaded, rootId, existedBefore);
  return valueItem(loaded);
}

function storageItem(
  loaded: LoadedEntry,
  rootId: string,
  existedBefore: (path: string) => boolean,
): EntryItem | undefined {
  const content = loaded.content;
  const kind = storageContentKind(content);
  if (kind === FILE_UPDATE) {
    const path = pathBelow(loaded.entry.targetId, rootId);
    return path === undefined ? undefined : { change: "changed", item: path };
  }
  if (!isIpldMap(content) || typeof content.storableItemId !== "string") return undefined;
  const path = pathBelow(content.storableItemId, rootId);
  if (path === undefined) return undefined;
  if (kind === DELETE_ITEM) return { change: "removed", item: path };
  if (kind === CREATE_FILE || kind === CREATE_FOLDER)
    return { change: existedBefore(path) ? "changed" : "added", item: path };
  return undefined;
}

function pathBelow(id: string, rootId: string): string | undefined {
  return id.startsWith(`${rootId}/`) ? id.slice(rootId.length + 1) : undefined;
}

/**
 * The state field each value-module EventId writes (WindowsAppCommunity.Sdk Modifiable* and
 * OwlCore.Nomad.Kubo PeerSwarm, as `src/nomad/modules/wac-reducers.ts` and `peer-swarm.ts` replay them),
 * and how a list item of it is named: by the record's `Id`, by the member id in `Key`, or by the value.
 */
const VALUE_FIELDS: Readonly<Record<string, readonly [field: string, key?: "Id" | "Key" | "Value"]>> = {
  UpdateNameAsync: ["Name"],
  UpdateDescriptionAsync: ["Description"],
  UpdateExtendedDescriptionAsync: ["ExtendedDescription"],
  UpdateForgetMeStatusAsync: ["ForgetMe"],
  UpdateUnlistedStateAsync: ["IsUnlisted"],
  UpdateAccentColorAsync: ["AccentColor"],
  UpdatePublisherAsync: ["Publisher"],
  UpdateCategoryAsync: ["Category"],
  AddLinkAsync: ["Links", "Id"],
  RemoveLinkAsync: ["Links", "Id"],
  AddImageAsync: ["Images", "Id"],
  RemoveImageAsync: ["Images", "Id"],
  AddConnectionAsync: ["Connections", "Id"],
  RemoveConnectionAsync: ["Connections", "Id"],
  AddUserRoleAsync: ["Users", "Key"],
  RemoveUserRoleAsync: ["Users", "Key"],
  AddFeatureAsync: ["Features", "Value"],
  RemoveFeatureAsync: ["Features", "Value"],
  AddProjectAsync: ["Projects", "Value"],
  RemoveProjectAsync: ["Projects", "Value"],
  AddProjectRoleAsync: ["Projects", "Key"],
  RemoveProjectRoleAsync: ["Projects", "Key"],
  AddPublisherRoleAsync: ["Publishers", "Key"],
  RemovePublisherRoleAsync: ["Publishers", "Key"],
  AddParentPublisherAsync: ["ParentPublishers", "Key"],
  RemoveParentPublisherAsync: ["ParentPublishers", "Key"],
  AddChildPublisherAsync: ["ChildPublishers", "Key"],
  RemoveChildPublisherAsync: ["ChildPublishers", "Key"],
  AddAsync: ["Peers", "Value"],
  RemoveAsync: ["Peers", "Value"],
};

function valueItem(loaded: LoadedEntry): EntryItem | undefined {
  const eventId = loaded.entry.eventId;
  const known = Object.hasOwn(VALUE_FIELDS, eventId) ? VALUE_FIELDS[eventId] : undefined;
  if (!known) return undefined;
  const [field, keyedBy] = known;
  const change: ItemChange = eventId.startsWith("Add")
    ? "added"
    : eventId.startsWith("Remove")
      ? "removed"
      : "changed";
  const key = keyedBy ? listKey(loaded, keyedBy) : undefined;
  return { change, item: key === undefined ? field : `${field}[${key}]` };
}

/** The name of the list item an entry adds or removes, read from the blocks its content links to. */
function listKey(loaded: LoadedEntry, keyedBy: "Id" | "Key" | "Value"): string | undefined {
  const content = loaded.content;
  if (!isIpldMap(content)) return undefined;
  const block = (link: IpldValue | undefined) =>
    link === undefined || link === null ? undefined : loaded.linked.get(String(link));
  if (keyedBy === "Key") return textOf(block(content.Key));
  const value = block(content.Value);
  if (keyedBy === "Value") return textOf(value);
  return isIpldMap(value) ? textOf(value.Id) : undefined;
}

function textOf(value: IpldValue | undefined): string | undefined {
  return typeof value === "string" ? value : undefined;
}
