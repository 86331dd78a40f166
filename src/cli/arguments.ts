import type { Command } from "commander";
import { CID } from "multiformats/cid";
import { DecodeError, UsageError } from "../errors.js";
import { checkKeyNamePrefix, parseIpnsName } from "../nomad/index.js";

/**
 * A key typed on the command line is checked before any node is reached. A malformed one is a bad
 * argument, so exit 64 (EX_USAGE) as docs/cli.md says; 65 (EX_DATAERR) stays for data read from IPFS.
 */
export function checkKeyArgument(text: string, what: string): void {
  try {
    parseIpnsName(text, what);
  } catch (error) {
    if (!(error instanceof DecodeError)) throw error;
    const hint = looksLikeKeyName(text)
      ? "that is the name of a key on a node; commands take its id (k51…), which `nomad-patch status` or `ipfs key list -l` on that node shows"
      : undefined;
    throw new UsageError(error.message, { cause: error, hint });
  }
}

/**
 * `Nomad.Kubo.Storage.Roaming.Docs`: the key names the docs and `ipfs key list` show are dotted, and no
 * form of an IPNS name has a dot, so an operator who pastes one meant the key's id.
 */
function looksLikeKeyName(text: string): boolean {
  return /^[^\s/]+\.[^\s/]+$/.test(text.trim());
}

/** `--expect` and `--expect-result` name versions: a CID, or the command could only end in "moved". */
export function checkCidOption(text: string | undefined, option: string): void {
  if (text === undefined) return;
  try {
    CID.parse(text);
  } catch {
    throw new UsageError(`${option} takes a CID (bafy…), got ${JSON.stringify(text.slice(0, 120))}`);
  }
}

/**
 * `--key-name-prefix`, for an object whose C# app sets its own `KeyNamePrefix` (the key names are
 * `{prefix}.Roaming.{name}`, `{prefix}.Local.{name}`); checked before any node is reached (exit 64).
 */
export function withKeyNamePrefixOption(command: Command): Command {
  return command.option(
    "--key-name-prefix <prefix>",
    "the C# app's KeyNamePrefix, when it sets its own (default: the module's, e.g. Nomad.Kubo.Storage)",
    (value: string) => checkKeyNamePrefix(value),
  );
}
