import { UsageError } from "../errors.js";
import type { IpfsStore, IpnsKey } from "../ipfs/store.js";
import { localKeyNameFor, parseIpnsName } from "../nomad/index.js";

export interface DeviceKeys {
  readonly local: IpnsKey;
  readonly roaming: IpnsKey;
}

/** This node's keys for a target: the roaming key with that id and its `.Local.` partner. */
export async function findDeviceKeys(store: IpfsStore, target: string): Promise<DeviceKeys> {
  const targetId = parseIpnsName(target, "target");
  const keys = await store.listKeys();
  const roaming = keys.find((k) => safeName(k.id) === targetId);
  if (!roaming)
    throw new UsageError(`This node does not hold the roaming key ${targetId}, so it cannot write to it`);
  const localName = localKeyNameFor(roaming.name);
  const local = localName ? keys.find((k) => k.name === localName) : undefined;
  if (!local) {
    throw new UsageError(
      `This node holds the roaming key ${roaming.name} but no local key ${localName ?? "(no .Roaming. in its name)"}`,
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
