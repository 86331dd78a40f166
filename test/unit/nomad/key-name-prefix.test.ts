import { describe, expect, it } from "vitest";
import { receiveFlags } from "../../../src/cli/commands/pair.js";
import { UsageError } from "../../../src/errors.js";
import { checkKeyNamePrefix, nomadKeyNames, splitRoamingKeyName } from "../../../src/nomad/index.js";

describe("key names from a C# app's own KeyNamePrefix", () => {
  it("forms them as the C# repositories' GetNewKeyNames does", () => {
    // OwlCore.Nomad.Storage.Kubo:tests/KuboNomadFolderTests.Pair.cs pairs a folder under KeyNamePrefix = "Nomad.Storage".
    expect(nomadKeyNames("Nomad.Storage", "PairingTestAsync")).toEqual({
      local: "Nomad.Storage.Local.PairingTestAsync",
      roaming: "Nomad.Storage.Roaming.PairingTestAsync",
    });
    expect(nomadKeyNames("Contoso.Projects", "my-app").roaming).toBe("Contoso.Projects.Roaming.my-app");
  });

  it("refuses a prefix no C# app could pair under, saying why", () => {
    const refused: [string, string][] = [
      ["", "cannot be empty"],
      ["   ", "cannot be empty"],
      ["Nomad Storage", "white space"],
      ["Nomad.Storage\n", "white space"],
      ["Nomad\u0007Storage", "control characters"],
      ["Nomad/Storage", "cannot hold `/`"],
      [".Nomad", "begin or end with a dot"],
      ["Nomad.", "begin or end with a dot"],
      ["Nomad..Storage", "hold `..`"],
      ["App.Roaming.Data", "`Roaming` or `Local` part"],
      ["App.Local", "`Roaming` or `Local` part"],
    ];
    for (const [prefix, reason] of refused) {
      const error = (() => {
        try {
          checkKeyNamePrefix(prefix);
        } catch (e) {
          return e;
        }
      })();
      expect(error, JSON.stringify(prefix)).toBeInstanceOf(UsageError);
      expect((error as UsageError).message).toContain(reason);
      expect((error as UsageError).exitCode).toBe(64);
      expect(() => nomadKeyNames(prefix, "x")).toThrow(UsageError);
    }
    for (const prefix of [
      "Nomad.Kubo.Storage",
      "WindowsAppCommunity.Sdk.Project",
      "Roaming.First",
      "Nomad.Storage",
    ])
      expect(checkKeyNamePrefix(prefix)).toBe(prefix);
  });

  it("splits a roaming key's name into prefix and name, for any prefix", () => {
    expect(splitRoamingKeyName("Nomad.Storage.Roaming.My Docs")).toEqual({
      prefix: "Nomad.Storage",
      name: "My Docs",
    });
    expect(splitRoamingKeyName("Nomad.Kubo.PeerSwarm.Roaming")).toEqual({
      prefix: "Nomad.Kubo.PeerSwarm",
      name: undefined,
    });
    expect(splitRoamingKeyName("self")).toBeUndefined();
    expect(splitRoamingKeyName(".Roaming.x")).toBeUndefined();
  });

  it("tells the new device the prefix only when it is not the module's", () => {
    expect(receiveFlags("Nomad.Kubo.Storage.Roaming.Docs", "storage")).toBe("--module storage --name Docs");
    expect(receiveFlags("Nomad.Storage.Roaming.PairingTestAsync", "storage")).toBe(
      "--module storage --key-name-prefix Nomad.Storage --name PairingTestAsync",
    );
    expect(receiveFlags("Contoso.Projects.Roaming.my app", "wac-project")).toBe(
      "--module wac-project --key-name-prefix Contoso.Projects --name 'my app'",
    );
  });
});
