import { PolicyRefusal, UsageError } from "../../errors.js";
import type { IpfsStore, PublishOptions, ResolveOptions } from "../../ipfs/store.js";
import {
  decodeRoamingSources,
  isIpldMap,
  moduleByName,
  nomadKeyNames,
  parseIpnsName,
} from "../../nomad/index.js";
import type { PairCode } from "../../nomad/pairing/pair-code.js";
import { initDevice, keyIdOfPrivateKey } from "../init-device.js";
import { addKnownSources } from "../known-sources.js";
import { notingNothingChanged } from "./pair-errors.js";
import { openPeerRoom, type RoomTiming } from "./peer-room-session.js";

export interface ReceivePairingInput {
  readonly code: PairCode;
  /** The object's module: its key-name prefix is part of the heartbeat. */
  readonly module: string;
  /** The key-name suffix (a folder name, a project's KnownId), exactly as on the other device. */
  readonly name?: string;
  /** The other device's `KeyNamePrefix` when it is not the module's default (`checkKeyNamePrefix`). */
  readonly keyNamePrefix?: string;
  readonly dataDir: string;
  /** The bound on each wait for the other device. */
  readonly timeoutMs: number;
  readonly timing?: RoomTiming;
  readonly resolve?: ResolveOptions;
  readonly publish?: PublishOptions;
  readonly progress?: (message: string) => void;
}

export interface ReceivedPairing {
  readonly targetId: string;
  readonly module: string;
  readonly roamingKeyName: string;
  readonly localKeyName: string;
  readonly localId: string;
  /** False when the node held the roaming key already (set up by `init`, or paired before). */
  readonly importedRoamingKey: boolean;
  /** The other devices' local keys, from the roaming value, recorded as known sources. */
  readonly knownSources: string[];
  /** False when the other device did not leave the room after the local key id was sent. */
  readonly confirmed: boolean;
}

/**
 * Become a device of an object another device holds, as OwlCore.Nomad.Kubo's `KeyExchange` does in the roles
 * "roaming receiver, local sender" (OwlCore.Nomad.Kubo:src/KeyExchange.cs):
 * 1. note whether this node already has the roaming key's name (set up by `init`, or paired before);
 * 2. open the encrypted room with the roaming key's name as heartbeat, wait for the holder, then heartbeat;
 * 3. take the first message that is an Ed25519 private key as `ipfs key export` writes it; refuse it when the
 *    name already holds another key; import it (unless already there), create
 *    the local key with an empty stream (`initDevice`), and republish the roaming value under the imported key;
 * 4. heartbeat the local key's name; once the holder is back, send the local key id as UTF-8 text, repeated
 *    until the holder leaves the room (C# sends once; repeats are ignored by its receiver);
 * 5. record the roaming value's other sources as known sources.
 */
export async function receivePairing(
  deps: { readonly store: IpfsStore },
  input: ReceivePairingInput,
): Promise<ReceivedPairing> {
  const { store } = deps;
  const progress = input.progress ?? (() => {});
  const module = moduleByName(input.module);
  const names = nomadKeyNames(input.keyNamePrefix ?? module.keyPrefix, input.name);
  // A node set up by `init` (or paired before) holds the key already: pairing again only sends its local key.
  const existing = (await store.listKeys()).find((k) => k.name === names.roaming);

  const room = await openPeerRoom(store, { code: input.code, timing: input.timing });
  try {
    room.setHeartbeat(names.roaming);
    progress(`waiting in room ${input.code.room} for the device that holds ${names.roaming}`);
    const holder = await room
      .waitForJoin(input.timeoutMs, "the device that holds the object")
      .catch((error) => {
        throw notingNothingChanged(error, "Nothing was changed on this node.");
      });
    room.startHeartbeat();
    const roamingKey = await room.nextMessage(readPrivateKey, input.timeoutMs, "the roaming key");
    const targetId = keyIdOfPrivateKey(roamingKey);
    if (existing && parseIpnsName(existing.id) !== targetId)
      throw new PolicyRefusal(
        `This node holds another key under ${names.roaming} (${existing.id}), not ${targetId}: nothing was changed`,
      );
    progress(`received the roaming key of ${targetId}; importing it`);

    const device = await initDevice(deps, {
      target: targetId,
      roamingKey,
      name: input.name ?? "",
      module: module.name,
      keyNamePrefix: input.keyNamePrefix,
      resolve: input.resolve,
      publish: input.publish,
    });
    if (device.roamingKeyName !== names.roaming)
      throw new UsageError(`The key was imported as ${device.roamingKeyName}, not ${names.roaming}`);
    const published = await store.resolveName(targetId, { nocache: true, ...input.resolve });
    if (published) await store.publishName(names.roaming, published, { lifetime: "24h", ...input.publish });

    room.setHeartbeat(device.localKeyName);
    room.startHeartbeat();
    progress(`sending this node's local key ${device.localId}`);
    const back = await room.waitForJoin(input.timeoutMs, "the holder to take this node's local key");
    const confirmed = await room.repeatUntilLeft(
      back,
      new TextEncoder().encode(device.localId),
      input.timeoutMs,
    );

    const value = published ? await store.dagGet(published) : undefined;
    const others = isIpldMap(value)
      ? decodeRoamingSources(value, String(published)).filter((s) => s !== device.localId)
      : [];
    if (others.length > 0) await addKnownSources(input.dataDir, targetId, others);
    if (holder !== back) progress(`the key came from peer ${holder}, the local key went to peer ${back}`);
    return {
      targetId,
      module: device.module,
      roamingKeyName: device.roamingKeyName,
      localKeyName: device.localKeyName,
      localId: device.localId,
      importedRoamingKey: device.importedRoamingKey,
      knownSources: others,
      confirmed,
    };
  } finally {
    await room.close();
  }
}

/** Only an Ed25519 private key in libp2p protobuf form is taken for the roaming key; anything else is skipped. */
function readPrivateKey(data: Uint8Array): Uint8Array | undefined {
  try {
    keyIdOfPrivateKey(data);
    return data;
  } catch {
    return undefined;
  }
}
