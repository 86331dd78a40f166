import { foldByTarget } from "../fold-step.js";
import { isIpldMap } from "../ipld.js";
import type { NomadModule } from "./types.js";
import { valueUpdateLinks } from "./value-content.js";
import { entityReducers, memberRoleReducers } from "./wac-reducers.js";

/** WindowsAppCommunity.Sdk `User`: entity fields plus the projects and publishers the user has roles in. */
const reducers = { ...entityReducers, ...memberRoleReducers };

export const wacUserModule: NomadModule = {
  name: "wac-user",
  keyPrefix: "WindowsAppCommunity.Sdk.User",
  predictsEffects: true,
  recognise: (value) =>
    isIpldMap(value) &&
    "Publishers" in value &&
    "Projects" in value &&
    !("Users" in value) &&
    "Links" in value,
  seed: ({ sources }) => ({
    Name: "",
    Description: "",
    ExtendedDescription: "",
    Connections: [],
    Links: [],
    Images: [],
    Projects: [],
    Publishers: [],
    ForgetMe: null,
    IsUnlisted: false,
    Sources: [...sources],
  }),
  streamLabel: (name) => `User ${name}`,
  linksToLoad: valueUpdateLinks,
  fold: (state, entries, ctx) => foldByTarget(reducers, state, entries, ctx),
};
