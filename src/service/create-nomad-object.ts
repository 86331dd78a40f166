import type { CID } from "multiformats/cid";
import { UsageError } from "../errors.js";
import type { IpfsStore, PublishOptions } from "../ipfs/store.js";
import {
  encodeEventStream,
  moduleByName,
  type NomadModule,
  nomadKeyNames,
  parseIpnsName,
} from "../nomad/index.js";
import type { DeviceKeys } from "./find-device-keys.js";

export interface CreatedObject {
  readonly keys: DeviceKeys;
  readonly streamCid: CID;
  readonly roamingCid: CID;
}

/**
 * Create a Nomad object with this node as its first device:
 * 1. refuse names this node already has; generate `{prefix}.Local.{name}` and `{prefix}.Roaming.{name}` (Ed25519);
 * 2. put and publish an empty local stream;
 * 3. put and publish the module's seed, `Sources: [local id]`; pin both.
 */
export async function createNomadObject(
  deps: { readonly store: IpfsStore },
  input: {
    readonly module: NomadModule | string;
    readonly name?: string;
    /** A C# app's own `KeyNamePrefix`; default: the module's. */
    readonly keyNamePrefix?: string;
    readonly publish?: PublishOptions;
  },
): Promise<CreatedObject> {
  const { store } = deps;
  const module = typeof input.module === "string" ? moduleByName(input.module) : input.module;
  const names = nomadKeyNames(input.keyNamePrefix ?? module.keyPrefix, input.name);
  const taken = (await store.listKeys()).filter((k) => k.name === names.local || k.name === names.roaming);
  if (taken.length > 0)
    throw new UsageError(
      `This node already has ${taken.map((k) => `${k.name} (${k.id})`).join(" and ")}: pick another name`,
    );
  const local = await store.generateKey(names.local);
  const roaming = await store.generateKey(names.roaming);
  const streamCid = await store.dagPut(
    encodeEventStream({ label: module.streamLabel(input.name ?? ""), entries: [] }),
    { pin: true },
  );
  await store.publishName(local.name, streamCid, { lifetime: "24h", ...input.publish });
  const seed = module.seed({
    id: parseIpnsName(roaming.id),
    sources: [parseIpnsName(local.id)],
    name: input.name,
  });
  const roamingCid = await store.dagPut(seed, { pin: true });
  await store.publishName(roaming.name, roamingCid, { lifetime: "24h", ...input.publish });
  return { keys: { local, roaming }, streamCid, roamingCid };
}
