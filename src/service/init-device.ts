import { base36 } from "multiformats/bases/base36";
import { CID } from "multiformats/cid";
import { identity } from "multiformats/hashes/identity";
import { UsageError } from "../errors.js";
import type { IpfsStore, PublishOptions, ResolveOptions } from "../ipfs/store.js";
import {
  chooseModule,
  encodeEventStream,
  type IpldValue,
  isIpldMap,
  LIBP2P_KEY_CODE,
  localKeyNameFor,
  moduleByName,
  nomadKeyNames,
  parseIpnsName,
  SOURCE_ADD_EVENT_ID,
} from "../nomad/index.js";

export interface InitDeviceInput {
  readonly target: string;
  /** The roaming private key as `ipfs key export` writes it (libp2p protobuf); absent: already on the node. */
  readonly roamingKey?: Uint8Array;
  /** The key-name suffix (a folder name, a project's KnownId); default: the Storage folder name. */
  readonly name?: string;
  /** A module name when the roaming value's shape is not enough. */
  readonly module?: string;
  /** The key-name prefix when the object's C# app sets its own `KeyNamePrefix`; default: the module's. */
  readonly keyNamePrefix?: string;
  readonly resolve?: ResolveOptions;
  readonly publish?: PublishOptions;
}

export interface InitializedDevice {
  readonly targetId: string;
  readonly module: string;
  readonly roamingKeyName: string;
  readonly localKeyName: string;
  /** The local key id the operator must add as a source. */
  readonly localId: string;
  readonly importedRoamingKey: boolean;
  readonly createdLocalKey: boolean;
  /** The entry one of the operator's devices must append to pair this node. */
  readonly pairingEntry: { readonly TargetId: string; readonly EventId: string; readonly Content: string };
}

/**
 * Make this node a device of a target (docs/format.md), as the bot needs:
 * 1. resolve the target to learn its module (the key-name prefix);
 * 2. import the roaming key under `{prefix}.Roaming.{name}` (the module's prefix, or the one given) after
 *    checking it is the target's key,
 *    or find it already there;
 * 3. create `{prefix}.Local.{name}` if missing and publish an empty stream under it;
 * 4. say what pairing needs: a SourceAdd entry naming the local key, written by an existing device.
 * The node cannot pair itself: only a device that is already a source can grant that trust.
 */
export async function initDevice(
  deps: { readonly store: IpfsStore },
  input: InitDeviceInput,
): Promise<InitializedDevice> {
  const { store } = deps;
  const targetId = parseIpnsName(input.target, "target");
  const publishedCid = await store.resolveName(targetId, input.resolve);
  const published = publishedCid ? ((await store.dagGet(publishedCid)) as IpldValue) : undefined;
  if (!input.module && published === undefined)
    throw new UsageError(`The target ${targetId} does not resolve, so its module is unknown: pass --module`);
  const module = input.module ? moduleByName(input.module) : chooseModule(published);
  const folderName =
    isIpldMap(published) && typeof published.StorableItemName === "string"
      ? published.StorableItemName
      : undefined;

  const keys = await store.listKeys();
  let roaming = keys.find((k) => k.id === targetId);
  const imported = !roaming;
  if (!roaming) {
    if (!input.roamingKey)
      throw new UsageError(
        `This node does not hold the roaming key of ${targetId}. On a device that does, run ` +
          "`ipfs key export <roaming key name>` and pass the file with --roaming-key-file",
      );
    const keyId = keyIdOfPrivateKey(input.roamingKey);
    if (keyId !== targetId)
      throw new UsageError(`The key file holds the key of ${keyId}, not of the target ${targetId}`);
    const name = input.name ?? folderName;
    if (name === undefined && module.name.startsWith("wac-"))
      throw new UsageError(
        "Pass --name with the object's KnownId: pairing needs the same key names on every device",
      );
    const names = nomadKeyNames(input.keyNamePrefix ?? module.keyPrefix, name);
    roaming = await store.importKey(names.roaming, input.roamingKey);
  }
  const localName = localKeyNameFor(roaming.name);
  if (!localName)
    throw new UsageError(`The roaming key's name ${roaming.name} has no .Roaming. part to pair on`);
  let local = keys.find((k) => k.name === localName);
  const created = !local;
  if (!local) {
    local = await store.generateKey(localName);
    const suffix = localName.split(".Local.")[1] ?? "";
    const stream = await store.dagPut(encodeEventStream({ label: module.streamLabel(suffix), entries: [] }), {
      pin: true,
    });
    await store.publishName(local.name, stream, { lifetime: "24h", ...input.publish });
  }
  return {
    targetId,
    module: module.name,
    roamingKeyName: roaming.name,
    localKeyName: local.name,
    localId: local.id,
    importedRoamingKey: imported,
    createdLocalKey: created,
    pairingEntry: { TargetId: targetId, EventId: SOURCE_ADD_EVENT_ID, Content: local.id },
  };
}

/**
 * The IPNS name of an Ed25519 private key in libp2p protobuf form (`{Type: 1, Data: seed ‖ public}`):
 * the identity multihash of the public key's protobuf, as a base36 libp2p-key CID.
 */
export function keyIdOfPrivateKey(bytes: Uint8Array): string {
  const ed25519 =
    bytes.length === 68 && bytes[0] === 0x08 && bytes[1] === 0x01 && bytes[2] === 0x12 && bytes[3] === 0x40;
  if (!ed25519)
    throw new UsageError("The key file is not an Ed25519 private key as `ipfs key export` writes it");
  const publicKey = new Uint8Array([0x08, 0x01, 0x12, 0x20, ...bytes.subarray(36, 68)]);
  return CID.createV1(LIBP2P_KEY_CODE, identity.digest(publicKey)).toString(base36);
}
