import { setTimeout as sleep } from "node:timers/promises";
import type { PairCode } from "../../../src/nomad/pairing/pair-code.js";
import { PeerRoomState } from "../../../src/nomad/pairing/peer-room.js";
import { roomCipher } from "../../../src/nomad/pairing/room-cipher.js";
import type { KuboNode } from "../../helpers/kubo.js";

/** OwlCore.Kubo's `PeerRoom` defaults (src/PeerRoom.cs): a heartbeat every 500 ms, gone after 2 s. */
const HEARTBEAT_MS = 500;
const EXPIRY_MS = 2_000;

export interface CsharpHolderRun {
  readonly peerId: string;
  /** Resolves once a peer joined under the roaming key's name (`WaitForJoinAsync`). */
  readonly joined: Promise<string>;
  /** Resolves with the new device's local key id once it came; never when the key was never sent. */
  readonly localKeyId: Promise<string>;
  /** The roaming key's publish was made (once): true from the moment it goes out. */
  readonly keySent: () => boolean;
  close(): Promise<void>;
}

/**
 * A holder that pairs as a C# app does, in the roles "roaming sender, local receiver" of
 * OwlCore.Nomad.Kubo:src/KeyExchange.cs (`PairWithEncryptedPubSubAsync`), over OwlCore.Kubo's `PeerRoom`
 * (src/PeerRoom.cs) on `AesPasswordEncryptedPubSub`: it heartbeats the roaming key's name, waits for a
 * peer to join, and publishes the exported key once (`SendRoamingKeyAsync`); then it stops its heartbeat,
 * heartbeats the local key's name once a peer joins under it, and takes the first message a joined peer
 * sends as the new device's key id (`ExchangeLocalSourceAsync`, `ReceiveLocalKeyAsync`).
 *
 * `silentMs` is the time between the join and the key during which no heartbeat goes out: a C# process
 * busy there (its heartbeat is a thread-pool timer, and `SendRoamingKeyAsync` first runs `ipfs key export`
 * as a child process) sends the key once, after a silence, with no heartbeat right before it. With
 * `keyAfterSilence: false` it never sends the key and stays silent until closed.
 */
export async function runCsharpHolder(
  node: KuboNode,
  code: PairCode,
  input: {
    readonly roamingKeyName: string;
    readonly localKeyName: string;
    readonly silentMs: number;
    readonly keyAfterSilence?: boolean;
    /** Bounds every wait, so a test that goes wrong ends. */
    readonly timeoutMs?: number;
  },
): Promise<CsharpHolderRun> {
  const { peerId } = await node.store.id();
  const cipher = roomCipher(code.password, code.room);
  const room = new PeerRoomState(peerId, EXPIRY_MS, input.roamingKeyName);
  const roamingKey = await node.store.exportKey(input.roamingKeyName);
  const timeoutMs = input.timeoutMs ?? 60_000;
  let heartbeating = true;
  let closed = false;
  let keySent = false;
  let onMessage: ((data: Uint8Array) => void) | undefined;
  const changes = new Set<() => void>();
  const changed = () => {
    for (const check of changes) check();
  };
  const until = <T>(value: () => T | undefined, what: string): Promise<T> =>
    new Promise((resolve, reject) => {
      const deadline = setTimeout(() => {
        changes.delete(check);
        reject(new Error(`the C#-shaped holder gave up waiting for ${what}`));
      }, timeoutMs);
      const check = () => {
        const found = closed ? undefined : value();
        if (found === undefined) return;
        clearTimeout(deadline);
        changes.delete(check);
        resolve(found);
      };
      changes.add(check);
      check();
    });

  const subscription = await node.store.pubsubSubscribe(code.room, (message) => {
    if (closed) return;
    const plaintext = cipher.decrypt(message.data);
    if (!plaintext) return; // AesPasswordEncryptedPubSub swallows what it cannot decrypt
    const event = room.receive(message.from, plaintext, Date.now());
    if (event.kind === "message") onMessage?.(event.data);
    changed();
  });
  const publish = (text: string | Uint8Array) =>
    node.store
      .pubsubPublish(
        code.room,
        cipher.encrypt(typeof text === "string" ? new TextEncoder().encode(text) : text),
      )
      .catch(() => {});
  const timer = setInterval(() => {
    if (heartbeating) void publish(room.heartbeat);
    room.prune(Date.now());
    changed();
  }, HEARTBEAT_MS);

  const firstJoined = () => room.joined[0];
  const joined = until(firstJoined, "a peer to join under the roaming key's name");
  const localKeyId = joined.then(async () => {
    // Busy: no heartbeat goes out, then the key goes out once.
    heartbeating = false;
    await sleep(input.silentMs);
    if (input.keyAfterSilence === false || closed) return new Promise<string>(() => {});
    // Marked as the request goes out: the node delivers the key to the new device, which may answer (a
    // refusal ends its side) before this side's publish call has returned.
    keySent = true;
    await publish(roamingKey);
    // ExchangeLocalSourceAsync as the local receiver: silent under the new name until a peer joins.
    room.setHeartbeat(input.localKeyName, Date.now());
    let received: Uint8Array | undefined;
    onMessage = (data) => {
      onMessage = undefined;
      received = data;
    };
    await until(firstJoined, "a peer to join under the local key's name");
    heartbeating = true;
    const data = await until(() => received, "the new device's local key id");
    // The room is disposed once the key id is handled: the heartbeat stops.
    heartbeating = false;
    return new TextDecoder().decode(data);
  });
  // A test that expects a failure may never read these; an unhandled rejection must not fail the file.
  joined.catch(() => {});
  localKeyId.catch(() => {});

  return {
    peerId,
    joined,
    localKeyId,
    keySent: () => keySent,
    async close() {
      closed = true;
      heartbeating = false;
      clearInterval(timer);
      await subscription.close();
    },
  };
}
