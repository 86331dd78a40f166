import { foldByTarget } from "../fold-step.js";
import { isIpldMap } from "../ipld.js";
import type { NomadModule, Reducer } from "./types.js";
import { except, listField, requiredString, valueUpdateLinks } from "./value-content.js";

/** OwlCore.Nomad.Kubo.PeerSwarm `Peer {Id, Addresses, Sources}`: the multiaddrs a peer is reachable at. */
const reducers: Record<string, Reducer> = {
  // Adding an address it already has changes nothing (ModifiablePeer checks before appending).
  AddAddressAsync: (state, entry) => {
    const address = requiredString(entry, "Value");
    const addresses = listField(state, "Addresses");
    return addresses.includes(address) ? state : { ...state, Addresses: [...addresses, address] };
  },
  RemoveAddressAsync: (state, entry) => ({
    ...state,
    Addresses: except(listField(state, "Addresses"), requiredString(entry, "Value")),
  }),
};

export const peerModule: NomadModule = {
  name: "peer",
  keyPrefix: "Nomad.Kubo.PeerSwarm.Peer",
  predictsEffects: true,
  recognise: (value) => isIpldMap(value) && "Addresses" in value && "Id" in value,
  seed: ({ id, sources }) => ({ Id: id, Addresses: [], Sources: [...sources] }),
  streamLabel: () => "Peer",
  linksToLoad: valueUpdateLinks,
  fold: (state, entries, ctx) => foldByTarget(reducers, state, entries, ctx),
};
