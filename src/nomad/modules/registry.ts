import { UsageError } from "../../errors.js";
import type { IpldValue } from "../ipld.js";
import { genericModule } from "./generic.js";
import { peerModule } from "./peer.js";
import { peerSwarmModule } from "./peer-swarm.js";
import { peerSwarmTrackerModule } from "./peer-swarm-tracker.js";
import { storageModule } from "./storage.js";
import type { NomadModule } from "./types.js";
import { wacProjectModule } from "./wac-project.js";
import { wacPublisherModule } from "./wac-publisher.js";
import { wacUserModule } from "./wac-user.js";

/** Known modules, most specific shape first; the generic fallback must stay last. */
export const modules: readonly NomadModule[] = [
  storageModule,
  wacProjectModule,
  wacPublisherModule,
  wacUserModule,
  peerSwarmTrackerModule,
  peerSwarmModule,
  peerModule,
  genericModule,
];

export function moduleByName(name: string): NomadModule {
  const found = modules.find((m) => m.name === name);
  if (!found)
    throw new UsageError(
      `Unknown Nomad module ${JSON.stringify(name)}; known: ${modules.map((m) => m.name).join(", ")}`,
    );
  return found;
}

/** The configured module if named, else the first whose shape the roaming value has (generic at worst). */
export function chooseModule(roamingValue: IpldValue | undefined, configuredName?: string): NomadModule {
  if (configuredName) return moduleByName(configuredName);
  if (roamingValue === undefined) return genericModule;
  return modules.find((m) => m.recognise(roamingValue)) ?? genericModule;
}

/**
 * The module and name suffix a roaming key's name stands for (`Nomad.Kubo.Storage.Roaming.Docs` → storage,
 * `Docs`): what a new device must be told to take the same key names. The longest prefix wins
 * (`…PeerSwarm.Peer` over `…PeerSwarm`); `undefined` for a name no module makes.
 */
export function moduleOfRoamingKeyName(
  keyName: string,
): { readonly module: NomadModule; readonly name: string | undefined } | undefined {
  const matches = modules
    .map((module) => ({ module, head: `${module.keyPrefix}.Roaming` }))
    .filter(({ head }) => keyName === head || keyName.startsWith(`${head}.`))
    .sort((a, b) => b.head.length - a.head.length);
  const best = matches[0];
  if (!best) return undefined;
  const name = keyName === best.head ? undefined : keyName.slice(best.head.length + 1);
  return { module: best.module, name };
}
