import type { CID } from "multiformats/cid";
import type { IpldMap, IpldValue } from "../ipld.js";
import { appendItem } from "../list-draft.js";
import { expectLink, expectString } from "../shape.js";
import type { LoadedEntry, Reducer } from "./types.js";
import {
  except,
  listField,
  requiredBlock,
  requiredBool,
  requiredRecord,
  requiredString,
  valueUpdateOf,
  without,
} from "./value-content.js";

/**
 * Reducers shared by the WindowsAppCommunity.Sdk project, publisher and user modules (docs/format.md),
 * written after the SDK's `Modifiable*` apply methods, quirks included (noted where they bite).
 */
const set =
  (key: string, read: (entry: LoadedEntry) => IpldValue): Reducer =>
  (state, entry) => ({ ...state, [key]: read(entry) });

const append =
  (key: string, read: (entry: LoadedEntry) => IpldValue): Reducer =>
  (state, entry, ctx) => ({ ...state, [key]: appendItem(listField(state, key), read(entry), ctx) });

const removeExcept =
  (key: string, read: (entry: LoadedEntry) => IpldValue): Reducer =>
  (state, entry) => ({ ...state, [key]: except(listField(state, key), read(entry)) });

const removeWhere =
  (key: string, read: (entry: LoadedEntry) => IpldValue): Reducer =>
  (state, entry) => ({ ...state, [key]: without(listField(state, key), read(entry)) });

const stringValue = (entry: LoadedEntry) => requiredString(entry, "Value");

/** Newtonsoft reads the value block into the C# record: known fields only, each required. */
function link(entry: LoadedEntry): IpldMap {
  const { cid, record } = requiredRecord(entry, "Value", "a Link");
  const at = cid.toString();
  const pick = (key: string) => expectString(record, key, at);
  return { Id: pick("Id"), Url: pick("Url"), Name: pick("Name"), Description: pick("Description") };
}

function image(entry: LoadedEntry): IpldMap {
  const { cid, record } = requiredRecord(entry, "Value", "an Image");
  const at = cid.toString();
  return {
    Id: expectString(record, "Id", at),
    Name: expectString(record, "Name", at),
    Cid: expectLink(record, "Cid", at),
  };
}

// The SDK writes a connection's value as a bare string but replays it as a `Connection {Id, Value}`
// record, so C#-written connection entries fail on replay; this reads what replay reads.
function connection(entry: LoadedEntry): IpldMap {
  const { cid, record } = requiredRecord(entry, "Value", "a Connection {Id, Value}");
  const at = cid.toString();
  return { Id: expectString(record, "Id", at), Value: expectLink(record, "Value", at) };
}

/** Null with Unset means "not said"; otherwise a bool block (ForgetMe is a nullable bool). */
function nullableBool(entry: LoadedEntry): boolean | null {
  const event = valueUpdateOf(entry);
  if (event.value === null && event.unset) return null;
  const { block } = requiredBlock(entry, "Value");
  return block === null ? null : requiredBool(entry, "Value");
}

/**
 * The accent colour is read only when `Unset` is false and a Value is given; anything else sets null
 * (WindowsAppCommunity.Sdk src/Nomad/ModifiableAccentColor.cs ApplyEntryUpdateAsync).
 */
function nullableString(entry: LoadedEntry): string | null {
  const event = valueUpdateOf(entry);
  return event.unset || event.value === null ? null : requiredString(entry, "Value");
}

export const entityReducers: Readonly<Record<string, Reducer>> = {
  UpdateNameAsync: set("Name", stringValue),
  UpdateDescriptionAsync: set("Description", stringValue),
  UpdateExtendedDescriptionAsync: set("ExtendedDescription", stringValue),
  UpdateForgetMeStatusAsync: set("ForgetMe", nullableBool),
  UpdateUnlistedStateAsync: set("IsUnlisted", (entry) => requiredBool(entry, "Value")),
  AddLinkAsync: append("Links", link),
  RemoveLinkAsync: removeExcept("Links", link),
  AddImageAsync: append("Images", image),
  RemoveImageAsync: removeExcept("Images", image),
  AddConnectionAsync: append("Connections", connection),
  RemoveConnectionAsync: removeExcept("Connections", connection),
};

export const accentColorReducers: Readonly<Record<string, Reducer>> = {
  UpdateAccentColorAsync: set("AccentColor", nullableString),
};

/** A `{MemberId, Role}` pair: Key holds the member's id, Value links to the Role block itself. */
function rolePair(idField: string) {
  return (entry: LoadedEntry): IpldMap => {
    const id = requiredString(entry, "Key");
    const role: CID = requiredRecord(entry, "Value", "a Role {Id, Name, Description}").cid;
    return { [idField]: id, Role: role };
  };
}

/**
 * Role removal as the SDK writes it: keep only pairs whose member *and* role both differ, so removing one
 * role also drops every other role of that member and every other member holding that role.
 */
function removeRolePair(key: string, idField: string, nested?: string): Reducer {
  return (state, entry) => {
    const pair = rolePair(idField)(entry);
    const holder = nested ? (state[key] as IpldMap) : state;
    const list = listField(holder, nested ?? key);
    const kept = list.filter((item) => {
      const map = item as IpldMap;
      return map[idField] !== pair[idField] && String(map.Role) !== String(pair.Role);
    });
    return nested ? { ...state, [key]: { ...holder, [nested]: kept } } : { ...state, [key]: kept };
  };
}

function addRolePair(key: string, idField: string, nested?: string): Reducer {
  return (state, entry, ctx) => {
    const pair = rolePair(idField)(entry);
    if (!nested) return { ...state, [key]: appendItem(listField(state, key), pair, ctx) };
    const holder = state[key] as IpldMap;
    return { ...state, [key]: { ...holder, [nested]: appendItem(listField(holder, nested), pair, ctx) } };
  };
}

export const userRoleReducers: Readonly<Record<string, Reducer>> = {
  AddUserRoleAsync: addRolePair("Users", "UserId"),
  RemoveUserRoleAsync: removeRolePair("Users", "UserId"),
};

export const projectReducers: Readonly<Record<string, Reducer>> = {
  UpdatePublisherAsync: set("Publisher", stringValue),
  UpdateCategoryAsync: set("Category", stringValue),
  AddFeatureAsync: append("Features", stringValue),
  RemoveFeatureAsync: removeWhere("Features", stringValue),
};

export const projectCollectionReducers: Readonly<Record<string, Reducer>> = {
  AddProjectAsync: append("Projects", stringValue),
  RemoveProjectAsync: removeWhere("Projects", stringValue),
};

export const publisherGraphReducers: Readonly<Record<string, Reducer>> = {
  AddParentPublisherAsync: addRolePair("ParentPublishers", "PublisherId", "Publishers"),
  RemoveParentPublisherAsync: removeRolePair("ParentPublishers", "PublisherId", "Publishers"),
  AddChildPublisherAsync: addRolePair("ChildPublishers", "PublisherId", "Publishers"),
  RemoveChildPublisherAsync: removeRolePair("ChildPublishers", "PublisherId", "Publishers"),
};

export const memberRoleReducers: Readonly<Record<string, Reducer>> = {
  AddProjectRoleAsync: addRolePair("Projects", "ProjectId"),
  RemoveProjectRoleAsync: removeRolePair("Projects", "ProjectId"),
  AddPublisherRoleAsync: addRolePair("Publishers", "PublisherId"),
  RemovePublisherRoleAsync: removeRolePair("Publishers", "PublisherId"),
};
