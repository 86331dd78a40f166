import { foldByTarget } from "../fold-step.js";
import { isIpldMap } from "../ipld.js";
import type { NomadModule } from "./types.js";
import { valueUpdateLinks } from "./value-content.js";
import { accentColorReducers, entityReducers, projectReducers, userRoleReducers } from "./wac-reducers.js";

/** WindowsAppCommunity.Sdk `Project` (SDK src/Models/Project.cs, src/Nomad/ModifiableProject.cs). */
const reducers = { ...entityReducers, ...accentColorReducers, ...userRoleReducers, ...projectReducers };

export const wacProjectModule: NomadModule = {
  name: "wac-project",
  keyPrefix: "WindowsAppCommunity.Sdk.Project",
  predictsEffects: true,
  recognise: (value) => isIpldMap(value) && "Features" in value && "Category" in value && "Users" in value,
  seed: ({ sources }) => ({
    Publisher: null,
    Name: "",
    Description: "",
    ExtendedDescription: "",
    Images: [],
    Features: [],
    AccentColor: null,
    Category: "",
    Projects: [],
    Users: [],
    Links: [],
    Connections: [],
    ForgetMe: null,
    IsUnlisted: false,
    Sources: [...sources],
  }),
  streamLabel: (name) => `Project ${name}`,
  linksToLoad: valueUpdateLinks,
  fold: (state, entries, ctx) => foldByTarget(reducers, state, entries, ctx),
};
