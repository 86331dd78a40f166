import { NomadPatchError } from "../errors.js";
import type { IpfsStore, IpnsKey } from "../ipfs/store.js";
import { localKeyNameFor, parseIpnsName } from "../nomad/index.js";

export interface DeviceKeys {
  readonly local: IpnsKey;
  readonly roaming: IpnsKey;
}

/**
 * This node is not a device of the target (no roaming key, or no local key beside it): read-only, exit 5, as
 * docs/cli.md's exit codes say, with how to become one.
 */
export class NotADeviceError extends NomadPatchError {
  readonly code = "READ_ONLY";
  override readonly exitCode = 5;
  constructor(message: string, hint: string) {
    super(message, { hint });
  }
}

/** This node's keys for a target: the roaming key with that id and its `.Local.` partner. */
export async function findDeviceKeys(store: IpfsStore, target: string): Promise<DeviceKeys> {
  const targetId = parseIpnsName(target, "target");
  const keys = await store.listKeys();
  const roaming = keys.find((k) => safeName(k.id) === targetId);
  if (!roaming)
    throw new NotADeviceError(
      `This node does not hold the roaming key ${targetId}, so it cannot write to it`,
      `run this on a device of it (\`nomad-patch status\` lists what a node can modify), or make this node one: \`nomad-patch init ${targetId} --roaming-key-file FILE\`, or \`pair receive\` from a device that holds it`,
    );
  const localName = localKeyNameFor(roaming.name);
  const local = localName ? keys.find((k) => k.name === localName) : undefined;
  if (!local) {
    throw new NotADeviceError(
      `This node holds the roaming key ${roaming.name} but no local key ${localName ?? "(no .Roaming. in its name)"}`,
      `\`nomad-patch init ${targetId}\` creates the local key and publishes its empty stream`,
    );
  }
  return { local, roaming };
}

function safeName(id: string): string | undefined {
  try {
    return parseIpnsName(id);
  } catch {
    return undefined;
  }
}
