/**
 * The EventIds the WindowsAppCommunity.Sdk replay handles without throwing, per object kind, read from the
 * `switch (streamEntry.EventId)` of each `Modifiable*.ApplyEntryUpdateAsync` (WindowsAppCommunity.Sdk
 * src/Nomad). Any other EventId throws there. Where an event names another object, `names` says which kind
 * and which value block holds its id: the replay loads that object through its repository and fails when
 * it does not load (OwlCore.Nomad.Kubo/src/NomadKuboRepositoryBase.cs GetAsync).
 */
export interface NamedObject {
  readonly kind: "publisher" | "project" | "user";
  readonly from: "Key" | "Value";
  /** The C# method that loads it. */
  readonly csharp: string;
}

export interface ReplayedEvents {
  /** The C# method whose switch this is. */
  readonly csharp: string;
  /** What the C# code does with any other EventId. */
  readonly otherwise: string;
  readonly events: Readonly<Record<string, NamedObject | null>>;
}

// Messages cite the class; the files are WindowsAppCommunity.Sdk/src/Nomad/{class}.cs.

// ModifiableEntity.cs handles these for every kind of object.
const entity = {
  UpdateNameAsync: null,
  UpdateDescriptionAsync: null,
  UpdateExtendedDescriptionAsync: null,
  UpdateForgetMeStatusAsync: null,
  UpdateUnlistedStateAsync: null,
  AddConnectionAsync: null,
  RemoveConnectionAsync: null,
  AddLinkAsync: null,
  RemoveLinkAsync: null,
  AddImageAsync: null,
  RemoveImageAsync: null,
} as const;

const user: NamedObject = {
  kind: "user",
  from: "Key",
  csharp: "ModifiableUserRoleCollection.ApplyEntryUpdateAsync",
};
const userRoles = { AddUserRoleAsync: user, RemoveUserRoleAsync: user };

export const EVENTS_CSHARP_REPLAYS: Readonly<Record<string, ReplayedEvents>> = {
  "wac-project": {
    csharp: "ModifiableProject.ApplyEntryUpdateAsync",
    // Add/RemoveProjectAsync (dependencies) included: the project's switch has no case for them.
    otherwise: "throw new NotImplementedException()",
    events: {
      ...entity,
      UpdateAccentColorAsync: null,
      ...userRoles,
      UpdatePublisherAsync: {
        kind: "publisher",
        from: "Value",
        csharp: "ModifiableProject.ApplyEntryUpdateAsync",
      },
      UpdateCategoryAsync: null,
      AddFeatureAsync: null,
      RemoveFeatureAsync: null,
    },
  },
  "wac-publisher": {
    csharp: "ModifiablePublisher.ApplyEntryUpdateAsync",
    // The parent/child publisher cases cast ParentPublishers to ModifiablePublisherCollection, a type
    // FromHandlerConfig never builds (it builds ModifiablePublisherRoleCollection): evaluating them throws
    // InvalidCastException for every EventId not matched above them. Add/RemoveUserAsync reach the user
    // role collection, whose switch throws on them (ModifiableUserRoleCollection.cs).
    otherwise: "InvalidCastException from the parent/child publisher cases",
    events: {
      ...entity,
      UpdateAccentColorAsync: null,
      ...userRoles,
      AddProjectAsync: {
        kind: "project",
        from: "Value",
        csharp: "ModifiableProjectCollection.ApplyEntryUpdateAsync",
      },
      RemoveProjectAsync: {
        kind: "project",
        from: "Value",
        csharp: "ModifiableProjectCollection.ApplyEntryUpdateAsync",
      },
    },
  },
  "wac-user": {
    csharp: "ModifiableUser.ApplyEntryUpdateAsync",
    otherwise: "throw new NotImplementedException()",
    events: {
      ...entity,
      AddPublisherRoleAsync: {
        kind: "publisher",
        from: "Key",
        csharp: "ModifiablePublisherRoleCollection.ApplyEntryUpdateAsync",
      },
      RemovePublisherRoleAsync: {
        kind: "publisher",
        from: "Key",
        csharp: "ModifiablePublisherRoleCollection.ApplyEntryUpdateAsync",
      },
      AddProjectRoleAsync: {
        kind: "project",
        from: "Key",
        csharp: "ModifiableProjectRoleCollection.ApplyEntryUpdateAsync",
      },
      RemoveProjectRoleAsync: {
        kind: "project",
        from: "Key",
        csharp: "ModifiableProjectRoleCollection.ApplyEntryUpdateAsync",
      },
    },
  },
};
