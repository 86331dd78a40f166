import { describe, expect, it } from "vitest";
import { moduleOfRoamingKeyName } from "../../../src/nomad/index.js";

describe("the module a roaming key's name stands for", () => {
  it("reads module and name, the longest prefix winning, and nothing for other names", () => {
    const read = (name: string) => {
      const found = moduleOfRoamingKeyName(name);
      return found && [found.module.name, found.name];
    };
    expect(read("Nomad.Kubo.Storage.Roaming.Docs")).toEqual(["storage", "Docs"]);
    expect(read("WindowsAppCommunity.Sdk.Project.Roaming.my.app")).toEqual(["wac-project", "my.app"]);
    expect(read("Nomad.Kubo.PeerSwarm.Peer.Roaming")).toEqual(["peer", undefined]);
    expect(read("Nomad.Kubo.PeerSwarm.Roaming")).toEqual(["peer-swarm", undefined]);
    expect(read("Nomad.Kubo.Storage.RoamingDocs")).toBeUndefined();
    expect(read("self")).toBeUndefined();
  });
});
