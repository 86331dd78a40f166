import { PolicyRefusal } from "../../errors.js";
import type { IpfsStore, PublishOptions, ResolveOptions } from "../../ipfs/store.js";
import { isIpnsName, parseIpnsName, SOURCE_ADD_EVENT_ID } from "../../nomad/index.js";
import type { PairCode } from "../../nomad/pairing/pair-code.js";
import { appendEntries } from "../append-entries.js";
import { findDeviceKeys } from "../find-device-keys.js";
import { addKnownSources, readKnownSources } from "../known-sources.js";
import { loadTarget } from "../load-target.js";
import { notingNothingChanged } from "./pair-errors.js";
import { openPeerRoom, type RoomTiming } from "./peer-room-session.js";

export interface SendPairingInput {
  readonly target: string;
  readonly code: PairCode;
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
  readonly onWaiting?: (names: { readonly roamingKeyName: string }) => void;
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
}

const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * Hand an object this node holds to a new device, as OwlCore.Nomad.Kubo's `KeyExchange` does in the roles
 * "roaming sender, local receiver" (OwlCore.Nomad.Kubo:src/KeyExchange.cs):
 * 1. find this node's roaming and local keys for the target; open the encrypted room;
 * 2. export the roaming key (`ipfs key export`); heartbeat its name, wait for the new device to join, publish it;
 * 3. change the heartbeat to the local key's name, wait for the new device, then heartbeat;
 * 4. read its local key id (UTF-8 text); refuse our own id; if it is already a source, stop there;
 * 5. append a SourceAdd entry (TargetId = roaming id, content = the id as a string block) to this node's
 *    stream, publish, refold with the devices pairing recorded here; record the id as a known source.
 */
export async function sendPairing(
  deps: { readonly store: IpfsStore },
  input: SendPairingInput,
): Promise<SentPairing> {
  const { store } = deps;
  const progress = input.progress ?? (() => {});
  const keys = await findDeviceKeys(store, input.target);
  const targetId = parseIpnsName(keys.roaming.id);
  // Exported before anyone joins: a node whose repository is elsewhere fails now, not after the wait.
  const roamingKey = await store.exportKey(keys.roaming.name);
  const room = await openPeerRoom(store, { code: input.code, timing: input.timing });
  try {
    room.setHeartbeat(keys.roaming.name);
    room.startHeartbeat();
    input.onWaiting?.({ roamingKeyName: keys.roaming.name });
    progress(`waiting in room ${input.code.room} for the new device (heartbeat ${keys.roaming.name})`);
    await room.waitForJoin(input.timeoutMs, "the new device to join").catch((error) => {
      throw notingNothingChanged(error, "Nothing was sent or changed.");
    });
    await room.publish(roamingKey);
    progress("sent the roaming key; waiting for the new device's local key");

    room.setHeartbeat(keys.local.name);
    await room.waitForJoin(input.timeoutMs, "the new device's local key");
    room.startHeartbeat();
    const newSource = await room.nextMessage(readKeyId, input.timeoutMs, "the new device's local key id");
    if (newSource === parseIpnsName(keys.local.id))
      throw new PolicyRefusal("The other device sent this node's own local key; nothing was added");

    // The fold's sources are the truth (the known-sources record may be ahead of a pairing that failed).
    // Devices this node learned by pairing are folded too: the roaming value may no longer list them, and
    // a republish without them would drop their changes.
    const pairedSources = await readKnownSources(input.dataDir, targetId);
    const loaded = await loadTarget(deps, { target: targetId, resolve: input.resolve, pairedSources });
    await addKnownSources(input.dataDir, targetId, [newSource]);
    const base = { targetId, roamingKeyName: keys.roaming.name, localKeyName: keys.local.name, newSource };
    if (loaded.sources.includes(newSource)) {
      progress(`${newSource} is already a source of ${targetId}; nothing appended`);
      return { ...base, sourceAdded: false };
    }
    const appended = await appendEntries(deps, {
      target: targetId,
      entries: [{ targetId, eventId: SOURCE_ADD_EVENT_ID, content: newSource }],
      pairedSources,
      resolve: input.resolve,
      publish: input.publish,
    });
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
