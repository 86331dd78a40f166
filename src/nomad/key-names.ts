import { UsageError } from "../errors.js";

export interface NomadKeyNames {
  readonly local: string;
  readonly roaming: string;
}

/**
 * Nomad's key naming convention: `{prefix}.Local.{name}` and `{prefix}.Roaming.{name}` (PeerSwarm's
 * singletons have no name: `{prefix}.Local`). Pairing needs the same local key name on every device.
 */
export function nomadKeyNames(prefix: string, name?: string): NomadKeyNames {
  if (prefix.trim() === "") throw new UsageError("A Nomad key prefix cannot be empty");
  const suffix = name === undefined || name === "" ? "" : `.${name}`;
  return { local: `${prefix}.Local${suffix}`, roaming: `${prefix}.Roaming${suffix}` };
}

/** The repositories find a roaming key's local partner by replacing `.Roaming.` with `.Local.`. */
export function localKeyNameFor(roamingKeyName: string): string | undefined {
  if (roamingKeyName.includes(".Roaming.")) return roamingKeyName.replace(".Roaming.", ".Local.");
  if (roamingKeyName.endsWith(".Roaming")) return `${roamingKeyName.slice(0, -".Roaming".length)}.Local`;
  return undefined;
}
