/**
 * Which EventId changes which field of a value module's roaming value (docs/format.md), so
 * `propose --set/--add/--remove Field=value` writes what the module's own app would write.
 *
 * - `text`, `flag`: set only; the value block is a string or a bool.
 * - `optional-text`, `optional-flag`: set; `null` clears (Unset with a null Value).
 * - `item`: a list of strings (features, addresses, member ids).
 * - `record`: a list of records keyed by `Id` (links, images, connections): Key = the id.
 * - `role`: `{MemberId, Role}` pairs: Key = the member id, Value = the Role record.
 */
export type FieldSpec =
  | { readonly type: "text" | "flag" | "optional-text" | "optional-flag"; readonly set: string }
  | { readonly type: "item" | "record"; readonly add: string; readonly remove: string }
  | {
      readonly type: "role";
      readonly add: string;
      readonly remove: string;
      readonly idField: string;
    };

const entity: Record<string, FieldSpec> = {
  Name: { type: "text", set: "UpdateNameAsync" },
  Description: { type: "text", set: "UpdateDescriptionAsync" },
  ExtendedDescription: { type: "text", set: "UpdateExtendedDescriptionAsync" },
  ForgetMe: { type: "optional-flag", set: "UpdateForgetMeStatusAsync" },
  IsUnlisted: { type: "flag", set: "UpdateUnlistedStateAsync" },
  Links: { type: "record", add: "AddLinkAsync", remove: "RemoveLinkAsync" },
  Images: { type: "record", add: "AddImageAsync", remove: "RemoveImageAsync" },
  Connections: { type: "record", add: "AddConnectionAsync", remove: "RemoveConnectionAsync" },
};

const accent: Record<string, FieldSpec> = {
  AccentColor: { type: "optional-text", set: "UpdateAccentColorAsync" },
};

const users: FieldSpec = {
  type: "role",
  add: "AddUserRoleAsync",
  remove: "RemoveUserRoleAsync",
  idField: "UserId",
};

export const valueFields: Readonly<Record<string, Readonly<Record<string, FieldSpec>>>> = {
  "wac-project": {
    ...entity,
    ...accent,
    Category: { type: "text", set: "UpdateCategoryAsync" },
    Publisher: { type: "text", set: "UpdatePublisherAsync" },
    Features: { type: "item", add: "AddFeatureAsync", remove: "RemoveFeatureAsync" },
    Users: users,
  },
  "wac-publisher": {
    ...entity,
    ...accent,
    Users: users,
    Projects: { type: "item", add: "AddProjectAsync", remove: "RemoveProjectAsync" },
    // No ParentPublishers/ChildPublishers: the C# publisher replay throws on their events
    // (docs/format.md "What the C# replay rejects"), so propose never writes them.
  },
  "wac-user": {
    ...entity,
    Projects: {
      type: "role",
      add: "AddProjectRoleAsync",
      remove: "RemoveProjectRoleAsync",
      idField: "ProjectId",
    },
    Publishers: {
      type: "role",
      add: "AddPublisherRoleAsync",
      remove: "RemovePublisherRoleAsync",
      idField: "PublisherId",
    },
  },
  peer: { Addresses: { type: "item", add: "AddAddressAsync", remove: "RemoveAddressAsync" } },
  "peer-swarm": { Peers: { type: "item", add: "AddAsync", remove: "RemoveAsync" } },
  "peer-swarm-tracker": { PeerSwarms: { type: "item", add: "AddAsync", remove: "RemoveAsync" } },
};
