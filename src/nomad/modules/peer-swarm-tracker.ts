import { foldByTarget } from "../fold-step.js";
import { isIpldMap } from "../ipld.js";
import { appendItem } from "../list-draft.js";
import type { NomadModule, Reducer } from "./types.js";
import { listField, requiredString, valueUpdateLinks, without } from "./value-content.js";

/** OwlCore.Nomad.Kubo.PeerSwarm `PeerSwarmTracker {Id, PeerSwarms, Sources}`. */
const reducers: Record<string, Reducer> = {
  AddAsync: (state, entry, ctx) => ({
    ...state,
    PeerSwarms: appendItem(listField(state, "PeerSwarms"), requiredString(entry, "Value"), ctx),
  }),
  RemoveAsync: (state, entry) => ({
    ...state,
    PeerSwarms: without(listField(state, "PeerSwarms"), requiredString(entry, "Value")),
  }),
};

export const peerSwarmTrackerModule: NomadModule = {
  name: "peer-swarm-tracker",
  keyPrefix: "Nomad.Kubo.PeerSwarm.Tracker",
  predictsEffects: true,
  recognise: (value) => isIpldMap(value) && "PeerSwarms" in value && "Id" in value,
  seed: ({ id, sources }) => ({ Id: id, PeerSwarms: [], Sources: [...sources] }),
  streamLabel: () => "Peer Swarm Tracker",
  linksToLoad: valueUpdateLinks,
  fold: (state, entries, ctx) => foldByTarget(reducers, state, entries, ctx),
};
