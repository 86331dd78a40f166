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
import { notingNothingChanged, refuseIfOthersAnswered } from "./pair-errors.js";
import { openPeerRoom, type RoomTiming } from "./peer-room-session.js";

export interface ReceivePairingInput {
  readonly code: PairCode;
  /** The holder's libp2p peer id (`pair send` prints it): the room takes no other peer. */
  readonly from?: string;
  /** The roaming key id this node expects: a key of any other object is refused before it is imported. */
  readonly target?: string;
  /** Called once the room is open, with this node's peer id, which the holder can bind to (`pair send --peer`). */
  readonly onWaiting?: (me: { readonly peerId: string }) => void;
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
 * 2. open the encrypted room with the roaming key's name as heartbeat, wait for the holder (the peer `from`
 *    names, or the first), bind the room to it, then heartbeat;
 * 3. take the first message from the holder that is an Ed25519 private key as `ipfs key export` writes it;
 *    refuse it when another peer answered in the room, when it is not the key of `target`, or when the name
 *    already holds another key; import it (unless already there), create
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

  const expected = input.target === undefined ? undefined : parseIpnsName(input.target, "--target");
  const room = await openPeerRoom(store, { code: input.code, timing: input.timing });
  try {
    if (input.from !== undefined) room.bind(input.from);
    room.setHeartbeat(names.roaming);
    input.onWaiting?.({ peerId: room.peerId });
    progress(`waiting in room ${input.code.room} for the device that holds ${names.roaming}`);
    const holder = await room
      .waitForJoin(
        input.timeoutMs,
        `the device that holds the object${input.from === undefined ? "" : ` (peer ${input.from})`}`,
      )
      .catch((error) => {
        throw notingNothingChanged(error, "Nothing was changed on this node.");
      });
    room.bind(holder);
    room.startHeartbeat();
    const roamingKey = await room
      .nextMessage(readPrivateKey, input.timeoutMs, `the roaming key from peer ${holder}`)
      .catch((error) => {
        throw notingNothingChanged(error, "Nothing was changed on this node.");
      });
    refuseIfOthersAnswered(room, holder, {
      room: input.code.room,
      before: "this node took the roaming key",
      nothingChanged: "Nothing was imported or changed on this node.",
    });
    const targetId = keyIdOfPrivateKey(roamingKey);
    if (expected !== undefined && targetId !== expected)
      throw new PolicyRefusal(
        `Peer ${holder} sent the roaming key of ${targetId}, not of ${expected} (--target): nothing was changed`,
      );
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
    const back = await room.waitForJoin(
      input.timeoutMs,
      `the holder (peer ${holder}) to take this node's local key`,
    );
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
