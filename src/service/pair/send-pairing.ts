import { setTimeout as sleep } from "node:timers/promises";
import { PolicyRefusal } from "../../errors.js";
import type { IpfsStore, PublishOptions, ResolveOptions } from "../../ipfs/store.js";
import { type IpnsName, isIpnsName, parseIpnsName, SOURCE_ADD_EVENT_ID } from "../../nomad/index.js";
import type { PairCode } from "../../nomad/pairing/pair-code.js";
import { appendEntries } from "../append-entries.js";
import { findDeviceKeys } from "../find-device-keys.js";
import { addKnownSources, readKnownSources } from "../known-sources.js";
import { type LoadedTarget, loadTarget } from "../load-target.js";
import { readOwnStream } from "../own-stream.js";
import {
  notingNothingChanged,
  PairingSourceUnreachableError,
  refuseIfOthersAnswered,
} from "./pair-errors.js";
import { openPeerRoom, peerRoomTiming, type RefusedInRoom, type RoomTiming } from "./peer-room-session.js";

export interface SendPairingInput {
  readonly target: string;
  readonly code: PairCode;
  /**
   * The new device's libp2p peer id (what `pair receive` prints): the room takes no other peer. Without it
   * the first peer to join is taken, and refused if another answers before the key is sent.
   */
  readonly peer?: string;
  /** Where the known-sources record lives. */
  readonly dataDir: string;
  /** The bound on each wait for the other device. */
  readonly timeoutMs: number;
  readonly timing?: RoomTiming;
  readonly resolve?: ResolveOptions;
  readonly publish?: PublishOptions;
  readonly progress?: (message: string) => void;
  /**
   * Called once this side can pair (the key exported, the room open), before it waits: the moment to show
   * the code to the person at the other device, never for a pairing that fails at once.
   */
  readonly onWaiting?: (names: {
    readonly roamingKeyName: string;
    readonly module: string;
    readonly targetId: string;
    /** This node's peer id, which the new device can bind to (`pair receive --from`). */
    readonly peerId: string;
  }) => void;
}

export interface SentPairing {
  readonly targetId: string;
  readonly roamingKeyName: string;
  readonly localKeyName: string;
  /** The new device's local key id. */
  readonly newSource: string;
  /** False when the new device was already a source: nothing was appended. */
  readonly sourceAdded: boolean;
  readonly entryCid?: string;
  readonly roamingCid?: string;
  /** Messages from peers other than the new device, refused unread (someone else had the password). */
  readonly refused: RefusedInRoom;
}

const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * Hand an object this node holds to a new device, as OwlCore.Nomad.Kubo's `KeyExchange` does in the roles
 * "roaming sender, local receiver" (OwlCore.Nomad.Kubo:src/KeyExchange.cs):
 * 1. find this node's roaming and local keys for the target; export the roaming key (`ipfs key export`);
 * 2. check that the SourceAdd can be written: this node's own stream resolves and every device of the target
 *    (the roaming value's, the crawl's, the ones pairing recorded here) can be read and folded;
 * 3. open the encrypted room, heartbeat the roaming key's name, wait for the new device to join (the peer
 *    `peer` names, or the first); bind the room to it: another peer's messages are refused from then on;
 * 4. check step 2 again (the wait may have lasted minutes) while listening one heartbeat expiry more; refuse
 *    if another peer answered; then publish the roaming key: the first thing that leaves this node, so a
 *    pairing refused by a check hands nothing over;
 * 5. change the heartbeat to the local key's name, wait for the same peer, then heartbeat;
 * 6. read its local key id (UTF-8 text, from that peer only); refuse our own id; if it is already a source,
 *    stop there;
 * 7. append a SourceAdd entry (TargetId = roaming id, content = the id as a string block) to this node's
 *    stream, publish, refold with the devices pairing recorded here; then record the id as a known source.
 * The protocol sends the roaming key before the new device's local key id (`PairWithEncryptedPubSubAsync`
 * runs `ExchangeRoamingKeyAsync` before `ExchangeLocalSourceAsync`), so the append can only come after the
 * key is out; a failure there leaves the new device holding the key and nothing appended or recorded here,
 * and the next pairing (the receiver accepts the key it already holds) appends it.
 */
export async function sendPairing(
  deps: { readonly store: IpfsStore },
  input: SendPairingInput,
): Promise<SentPairing> {
  const { store } = deps;
  const progress = input.progress ?? (() => {});
  const keys = await findDeviceKeys(store, input.target);
  const targetId = parseIpnsName(keys.roaming.id);
  const localId = parseIpnsName(keys.local.id);
  // Exported before anyone joins: a node whose repository is elsewhere fails now, not after the wait.
  const roamingKey = await store.exportKey(keys.roaming.name);
  const pairedSources = await readKnownSources(input.dataDir, targetId);
  const check = () => checkCanAddSource(deps, { targetId, localId, pairedSources, resolve: input.resolve });
  const ready = await check();
  const timing = input.timing ?? peerRoomTiming;
  const room = await openPeerRoom(store, { code: input.code, timing });
  try {
    if (input.peer !== undefined) room.bind(input.peer);
    room.setHeartbeat(keys.roaming.name);
    room.startHeartbeat();
    input.onWaiting?.({
      roamingKeyName: keys.roaming.name,
      module: ready.module.name,
      targetId,
      peerId: room.peerId,
    });
    progress(`waiting in room ${input.code.room} for the new device (heartbeat ${keys.roaming.name})`);
    const newDevice = await room
      .waitForJoin(
        input.timeoutMs,
        `the new device${input.peer === undefined ? "" : ` (peer ${input.peer})`} to join`,
      )
      .catch((error) => {
        throw notingNothingChanged(error, "Nothing was sent or changed.");
      });
    room.bind(newDevice);
    // A peer in the room heartbeats at least once per expiry (or PeerRoom drops it), so after one expiry
    // every peer there has been heard: the key goes out only if none but the new device answered.
    const [loaded] = await Promise.all([check(), sleep(timing.expiryMs)]);
    refuseIfOthersAnswered(room, newDevice, {
      room: input.code.room,
      before: "the roaming key was sent",
      nothingChanged: "Nothing was sent or changed.",
    });
    // After a heartbeat: the check above may have held this process past the new device's expiry, and a
    // key from a peer it dropped would be ignored (peer-room-session.ts, `publishAfterHeartbeat`).
    await room.publishAfterHeartbeat(roamingKey);
    progress(`sent the roaming key to peer ${newDevice}; waiting for its local key`);

    room.setHeartbeat(keys.local.name);
    await room.waitForJoin(input.timeoutMs, `the new device (peer ${newDevice}) to send its local key`);
    room.startHeartbeat();
    const newSource = await room.nextMessage(readKeyId, input.timeoutMs, "the new device's local key id");
    if (newSource === localId)
      throw new PolicyRefusal("The other device sent this node's own local key; nothing was added");

    const base = {
      targetId,
      roamingKeyName: keys.roaming.name,
      localKeyName: keys.local.name,
      newSource,
      refused: room.refused(),
    };
    if (await isSourceAlready(deps, loaded, { newSource, pairedSources, resolve: input.resolve })) {
      await addKnownSources(input.dataDir, targetId, [newSource]);
      progress(`${newSource} is already a source of ${targetId}; nothing appended`);
      return { ...base, sourceAdded: false };
    }
    // Devices this node learned by pairing are folded too: the roaming value may no longer list them, and
    // a republish without them would drop their changes.
    const appended = await appendEntries(deps, {
      target: targetId,
      entries: [{ targetId, eventId: SOURCE_ADD_EVENT_ID, content: newSource }],
      pairedSources,
      resolve: input.resolve,
      publish: input.publish,
    });
    // Recorded only once the SourceAdd is published: a record ahead of it would make the next pairing
    // take the device for a source already and never append it.
    await addKnownSources(input.dataDir, targetId, [newSource]);
    return {
      ...base,
      sourceAdded: true,
      entryCid: appended.entryCids[0]?.toString(),
      roamingCid: appended.roamingCid.toString(),
    };
  } finally {
    await room.close();
  }
}

/**
 * Every check that can refuse the SourceAdd, run before the roaming key is sent: this node's own stream
 * resolves (`readOwnStream`; C# guards it in `KeyExchange.ReceiveLocalKeyAsync`), and every device of the
 * target can be read, since `appendEntries` refuses to republish a fold that misses one.
 */
async function checkCanAddSource(
  deps: { readonly store: IpfsStore },
  input: {
    readonly targetId: string;
    readonly localId: IpnsName;
    readonly pairedSources: readonly string[];
    readonly resolve?: ResolveOptions;
  },
): Promise<LoadedTarget> {
  await readOwnStream(deps.store, input.targetId, input.localId, input.resolve);
  const loaded = await loadTarget(deps, {
    target: input.targetId,
    resolve: input.resolve,
    pairedSources: input.pairedSources,
  });
  if (loaded.unreachable.length > 0)
    throw new PairingSourceUnreachableError(input.targetId, loaded.unreachable);
  return loaded;
}

/**
 * Whether the fold already counts `newSource` as a device (then no SourceAdd is written). The fold's
 * sources decide, not the known-sources record; a fold that started from that record is run again without
 * the id, since the record alone is no SourceAdd any other device sees.
 */
async function isSourceAlready(
  deps: { readonly store: IpfsStore },
  loaded: LoadedTarget,
  input: {
    readonly newSource: string;
    readonly pairedSources: readonly string[];
    readonly resolve?: ResolveOptions;
  },
): Promise<boolean> {
  if (!loaded.sources.includes(input.newSource as IpnsName)) return false;
  if (!input.pairedSources.includes(input.newSource)) return true;
  const without = await loadTarget(deps, {
    target: loaded.targetId,
    resolve: input.resolve,
    pairedSources: input.pairedSources.filter((s) => s !== input.newSource),
  });
  return without.sources.includes(input.newSource as IpnsName);
}

/** The C# sender writes `Encoding.UTF8.GetBytes(cid)`; anything else in the room is not for us. */
function readKeyId(data: Uint8Array): string | undefined {
  let value: string;
  try {
    value = decoder.decode(data).trim();
  } catch {
    return undefined;
  }
  return isIpnsName(value) ? parseIpnsName(value) : undefined;
}
