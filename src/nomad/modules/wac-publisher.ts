import { foldByTarget } from "../fold-step.js";
import { isIpldMap } from "../ipld.js";
import type { NomadModule } from "./types.js";
import { valueUpdateLinks } from "./value-content.js";
import {
  accentColorReducers,
  entityReducers,
  projectCollectionReducers,
  publisherGraphReducers,
  userRoleReducers,
} from "./wac-reducers.js";

/**
 * WindowsAppCommunity.Sdk `Publisher`. Its role collection writes `AddPublisherRoleAsync` while the
 * publisher graph expects `Add/RemoveParent/ChildPublisherAsync`; the former stays "unknown" here.
 */
const reducers = {
  ...entityReducers,
  ...accentColorReducers,
  ...userRoleReducers,
  ...projectCollectionReducers,
  ...publisherGraphReducers,
};

export const wacPublisherModule: NomadModule = {
  name: "wac-publisher",
  keyPrefix: "WindowsAppCommunity.Sdk.Publisher",
  predictsEffects: true,
  recognise: (value) => isIpldMap(value) && "ParentPublishers" in value && "ChildPublishers" in value,
  seed: ({ sources }) => ({
    Name: "",
    Description: "",
    ExtendedDescription: "",
    AccentColor: null,
    Links: [],
    Images: [],
    Users: [],
    Projects: [],
    ParentPublishers: { Publishers: [] },
    ChildPublishers: { Publishers: [] },
    Connections: [],
    ForgetMe: null,
    IsUnlisted: false,
    Sources: [...sources],
  }),
  streamLabel: (name) => `Publisher ${name}`,
  linksToLoad: valueUpdateLinks,
  fold: (state, entries, ctx) => foldByTarget(reducers, state, entries, ctx),
};
