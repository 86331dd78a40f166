import { foldByTarget } from "../fold-step.js";
import { isIpldMap } from "../ipld.js";
import { appendItem } from "../list-draft.js";
import type { NomadModule, Reducer } from "./types.js";
import { except, listField, requiredString, valueUpdateLinks } from "./value-content.js";

/** OwlCore.Nomad.Kubo.PeerSwarm `PeerSwarm {Id, Peers, Sources}`: member peers by roaming id. */
const reducers: Record<string, Reducer> = {
  AddAsync: (state, entry, ctx) => ({
    ...state,
    Peers: appendItem(listField(state, "Peers"), requiredString(entry, "Value"), ctx),
  }),
  RemoveAsync: (state, entry) => ({
    ...state,
    Peers: except(listField(state, "Peers"), requiredString(entry, "Value")),
  }),
};

export const peerSwarmModule: NomadModule = {
  name: "peer-swarm",
  keyPrefix: "Nomad.Kubo.PeerSwarm",
  predictsEffects: true,
  recognise: (value) => isIpldMap(value) && "Peers" in value && "Id" in value,
  seed: ({ id, sources }) => ({ Id: id, Peers: [], Sources: [...sources] }),
  streamLabel: () => "Peer Swarm",
  linksToLoad: valueUpdateLinks,
  fold: (state, entries, ctx) => foldByTarget(reducers, state, entries, ctx),
};
