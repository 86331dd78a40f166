import { UsageError } from "../errors.js";

export interface NomadKeyNames {
  readonly local: string;
  readonly roaming: string;
}

/**
 * Nomad's key naming convention: `{prefix}.Local.{name}` and `{prefix}.Roaming.{name}` (PeerSwarm's
 * singletons have no name: `{prefix}.Local`). Pairing needs the same local key name on every device.
 * The prefix is each C# repository's `KeyNamePrefix`, which an app may set to its own
 * (OwlCore.Nomad.Storage.Kubo:src/RoamingFolderRepository.cs and WindowsAppCommunity.Sdk:src/Nomad/
 * ProjectRepository.cs, PublisherRepository.cs, UserRepository.cs, `GetNewKeyNames`:
 * `$"{KeyNamePrefix}.Local.{name}"`, `$"{KeyNamePrefix}.Roaming.{name}"`).
 */
export function nomadKeyNames(prefix: string, name?: string): NomadKeyNames {
  checkKeyNamePrefix(prefix);
  const suffix = name === undefined || name === "" ? "" : `.${name}`;
  return { local: `${prefix}.Local${suffix}`, roaming: `${prefix}.Roaming${suffix}` };
}

/**
 * Refuses a key-name prefix that no C# app could pair under, saying why:
 * - empty, or with an empty part (`..`, a dot at either end): a typo, and Kubo refuses key names that begin
 *   with a period (its keystore's `validateName`);
 * - with `/`: Kubo refuses it in a key name;
 * - with white space or a control character: the C# receiver imports the key by running
 *   `ipfs key import {roamingKeyName} {file}` as one unquoted command line
 *   (OwlCore.Nomad.Kubo:src/KeyExchange.cs `ReceiveRoamingKeyAsync`), which a space splits;
 * - with a `Roaming` or `Local` part after the first: C# finds a roaming key's local key by replacing every
 *   `.Roaming.` with `.Local.` (RoamingFolderRepository.cs and the WindowsAppCommunity repositories,
 *   `GetExistingKeyNamesAsync`), which would then name another key than `GetNewKeyNames` made.
 */
export function checkKeyNamePrefix(prefix: string): string {
  const problem =
    prefix.trim() === ""
      ? "cannot be empty"
      : // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
        /[\s\u0000-\u001f\u007f]/.test(prefix)
        ? "cannot hold white space or control characters (the C# apps import keys by an unquoted command line)"
        : prefix.includes("/")
          ? "cannot hold `/` (Kubo refuses it in key names)"
          : prefix.split(".").some((part) => part === "")
            ? "cannot begin or end with a dot or hold `..`"
            : /\.(Roaming|Local)(\.|$)/.test(prefix)
              ? "cannot have a `Roaming` or `Local` part after the first (C# finds the local key by replacing `.Roaming.` with `.Local.`)"
              : undefined;
  if (problem !== undefined)
    throw new UsageError(
      `The key-name prefix ${JSON.stringify(prefix)} ${problem}: give the C# app's KeyNamePrefix, such as Nomad.Kubo.Storage`,
    );
  return prefix;
}

/**
 * The prefix and name of a roaming key's name (`Nomad.Storage.Roaming.Docs` → `Nomad.Storage`, `Docs`), for
 * any prefix; `undefined` when the name has no `.Roaming` part. The first `.Roaming.` splits it, as no valid
 * prefix holds one.
 */
export function splitRoamingKeyName(
  keyName: string,
): { readonly prefix: string; readonly name: string | undefined } | undefined {
  const at = keyName.indexOf(".Roaming.");
  if (at > 0) return { prefix: keyName.slice(0, at), name: keyName.slice(at + ".Roaming.".length) };
  if (keyName.endsWith(".Roaming") && keyName.length > ".Roaming".length)
    return { prefix: keyName.slice(0, -".Roaming".length), name: undefined };
  return undefined;
}

/** The repositories find a roaming key's local partner by replacing `.Roaming.` with `.Local.`. */
export function localKeyNameFor(roamingKeyName: string): string | undefined {
  if (roamingKeyName.includes(".Roaming.")) return roamingKeyName.replace(".Roaming.", ".Local.");
  if (roamingKeyName.endsWith(".Roaming")) return `${roamingKeyName.slice(0, -".Roaming".length)}.Local`;
  return undefined;
}
