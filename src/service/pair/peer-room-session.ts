import { setTimeout as sleep } from "node:timers/promises";
import type { IpfsStore, Subscription } from "../../ipfs/store.js";
import type { PairCode } from "../../nomad/pairing/pair-code.js";
import { PeerRoomState } from "../../nomad/pairing/peer-room.js";
import { roomCipher } from "../../nomad/pairing/room-cipher.js";
import { PairingTimeoutError } from "./pair-errors.js";
import { type RefusedInRoom, type RoomSeen, roomTimeoutMessage } from "./room-timeout-message.js";

/** PeerRoom's defaults (OwlCore.Kubo:src/PeerRoom.cs): a heartbeat every 500 ms, gone after 2 s of silence. */
export interface RoomTiming {
  readonly heartbeatIntervalMs: number;
  readonly expiryMs: number;
}

export const peerRoomTiming: RoomTiming = { heartbeatIntervalMs: 500, expiryMs: 2000 };

/** Every this many heartbeat intervals the room's connected peers are counted, for the timeout's diagnosis. */
const PEER_SAMPLE_TICKS = 4;

/** Messages from joined peers waiting to be read; older ones are dropped past this. */
const MAX_QUEUED = 32;

/**
 * The largest message the exchange sends is the roaming key (68 bytes, 80 encrypted); heartbeats and the
 * local key id are key names and ids, well under 512 bytes. A bigger message is no part of a pairing and is
 * dropped unread, so a stranger flooding the room (whose name is public) with large messages costs no
 * decryption.
 */
export const MAX_ROOM_MESSAGE_BYTES = 4096;

/** Peer ids kept for a message (who answered, who was refused); past this only the counts grow. */
const MAX_PEERS_NOTED = 8;

export type { RefusedInRoom } from "./room-timeout-message.js";

/** An encrypted peer room on a node's pubsub, as OwlCore.Kubo's `PeerRoom` over `AesPasswordEncryptedPubSub`. */
export interface PeerRoomSession {
  readonly peerId: string;
  /** A new heartbeat text: broadcasting stops until `startHeartbeat`, and the room empties (C# prunes). */
  setHeartbeat(text: string): void;
  startHeartbeat(): void;
  /**
   * From now on take heartbeats and messages from `peer` alone: any other peer's are refused and counted,
   * never queued (OwlCore's PeerRoom takes any peer that heartbeats; the binding is this side's own).
   */
  bind(peer: string): void;
  /** The first peer in the room (the bound one when bound; at once when already there), or a timeout naming `waitingFor`. */
  waitForJoin(timeoutMs: number, waitingFor: string): Promise<string>;
  /**
   * The peers other than `peer` that answered in the room since it opened: sent a message that decrypts to
   * protocol text (a heartbeat, a key id). Each of them has the password, or replays someone who has.
   */
  othersAnswered(peer: string): string[];
  /** What was refused from peers other than the bound one. */
  refused(): RefusedInRoom;
  /** The first message from a joined (and bound) peer that `accept` turns into a value; others are skipped. */
  nextMessage<T>(
    accept: (data: Uint8Array, from: string) => T | undefined,
    timeoutMs: number,
    waitingFor: string,
  ): Promise<T>;
  publish(data: Uint8Array): Promise<void>;
  /**
   * Publish this side's heartbeat, then `data`, each awaited (one publisher's messages reach a peer in
   * order). The other side counts a message only from a peer it heard within the expiry (OwlCore.Kubo:
   * src/PeerRoom.cs), and this side's heartbeats can run late (a busy process, a long check just before):
   * a message sent once, as the roaming key is (OwlCore.Nomad.Kubo:src/KeyExchange.cs), would then arrive
   * from a peer the other side had dropped and be ignored. A heartbeat is what the room sends anyway, so a
   * C# receiver sees nothing new.
   */
  publishAfterHeartbeat(data: Uint8Array): Promise<void>;
  /**
   * Publish `data` every heartbeat interval while `peer` stays in the room, at most `timeoutMs`: a message
   * sent once can be lost, and the other side leaves (stops its heartbeat) once it has what it waited for.
   * True when the peer left.
   */
  repeatUntilLeft(peer: string, data: Uint8Array, timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

interface Waiter {
  check(): boolean;
}

export async function openPeerRoom(
  store: IpfsStore,
  input: { readonly code: PairCode; readonly timing?: RoomTiming; readonly now?: () => number },
): Promise<PeerRoomSession> {
  const timing = input.timing ?? peerRoomTiming;
  const now = input.now ?? Date.now;
  const { peerId } = await store.id();
  const cipher = roomCipher(input.code.password, input.code.room);
  const state = new PeerRoomState(peerId, timing.expiryMs, "");
  const queue: { data: Uint8Array; from: string }[] = [];
  const waiters = new Set<Waiter>();
  let heartbeating = false;
  let unreadable = 0;
  let oversized = 0;
  // A key name another device heartbeats in this room while this one waits under another name.
  let otherName: { readonly peer: string; readonly name: string } | undefined;
  let bound: string | undefined;
  // The peers that answered, and those refused under the binding: both bounded, as anyone can publish here.
  const answered = new Set<string>();
  let answeredMore = false;
  const refusedPeers = new Set<string>();
  let refusedMessages = 0;
  const refuse = (peer: string) => {
    refusedMessages++;
    if (refusedPeers.size < MAX_PEERS_NOTED) refusedPeers.add(peer);
  };
  let ended: Error | undefined;
  const wake = () => {
    for (const waiter of waiters) if (waiter.check()) waiters.delete(waiter);
  };
  const enqueue = (data: Uint8Array, from: string) => {
    queue.push({ data, from });
    if (queue.length > MAX_QUEUED) queue.shift();
  };
  // The bound peer, heard in this room under this side's heartbeat and dropped since for silence. OwlCore's
  // PeerRoom ignores its messages (src/PeerRoom.cs `ReceiveMessage`), so a message sent once after a silence
  // longer than the expiry is lost: a C# holder busy between the join and the roaming key sends the key so
  // (OwlCore.Nomad.Kubo:src/KeyExchange.cs `SendRoamingKeyAsync`, no heartbeat before it). What a room
  // authenticates still holds for it: the room name (the topic, and the salt of the key), the password (it
  // decrypted, and the peer's heartbeat did), and the peer id (Kubo delivers only messages signed by it);
  // expiry is liveness, not authentication. Only the bound peer, only under the heartbeat it was heard
  // with (a new heartbeat forgets it, as the room does), and only while this session waits: each wait has
  // its timeout. A peer never heard, or heard only under another password, is not it.
  const isQuietBound = (from: string) =>
    from === bound && state.lastHeard(from) !== undefined && !state.joined.includes(from);
  // For the timeout's message: when the bound peer last sent anything readable, once it has been in the room
  // (a peer named by --from that heartbeats other key names never was, and that message says so). Any
  // heartbeat counts from then on: after the key the other side moves to the local key's name at its pace.
  let boundHeardAt: number | undefined;
  const boundSeen = (): RoomSeen["bound"] => {
    if (bound === undefined || boundHeardAt === undefined) return undefined;
    const silentMs = now() - boundHeardAt;
    return silentMs <= timing.expiryMs
      ? { peer: bound, present: true }
      : { peer: bound, present: false, silentMs };
  };

  const subscription: Subscription = await store.pubsubSubscribe(
    input.code.room,
    (message) => {
      if (message.from === peerId) return;
      if (message.data.byteLength > MAX_ROOM_MESSAGE_BYTES) {
        oversized++;
        return;
      }
      const plaintext = cipher.decrypt(message.data);
      if (!plaintext) {
        unreadable++;
        return;
      }
      if (isProtocolText(plaintext)) {
        if (answered.size < MAX_PEERS_NOTED) answered.add(message.from);
        else if (!answered.has(message.from)) answeredMore = true;
      }
      if (bound !== undefined && message.from !== bound) {
        refuse(message.from);
        return;
      }
      const event = state.receive(message.from, plaintext, now());
      const quietBound = event.kind === "ignored" && isQuietBound(message.from);
      if (message.from === bound && (event.kind !== "ignored" || quietBound || boundHeardAt !== undefined))
        boundHeardAt = now();
      if (quietBound) {
        enqueue(plaintext, message.from);
        wake();
        return;
      }
      if (event.kind === "ignored") {
        const name = keyNameIn(plaintext);
        if (name !== undefined) otherName = { peer: message.from, name };
      }
      if (event.kind === "message") enqueue(event.data, event.peer);
      if (event.kind !== "ignored") wake();
    },
    {
      onEnd: (error) => {
        ended = error;
        wake();
      },
    },
  );

  // Whether the other node was ever in the room: asked now and then, as the other side may be gone (its own
  // wait over) by the time this one times out, and "not connected" would then mislead.
  let roomPeersSeen: number | undefined;
  const sampleRoomPeers = () =>
    countRoomPeers(store, input.code.room).then((peers) => {
      if (peers !== undefined) roomPeersSeen = Math.max(roomPeersSeen ?? 0, peers);
    });
  void sampleRoomPeers();
  let ticks = 0;
  const timer = setInterval(() => {
    if (++ticks % PEER_SAMPLE_TICKS === 0) void sampleRoomPeers();
    if (heartbeating) {
      // A lost heartbeat is repeated 500 ms later; a node that stays unreachable ends in the wait's timeout.
      store.pubsubPublish(input.code.room, cipher.encrypt(utf8(state.heartbeat))).catch(() => {});
    }
    if (state.prune(now()).length > 0) wake();
  }, timing.heartbeatIntervalMs);

  const wait = <T>(attempt: () => T | undefined, timeoutMs: number, waitingFor: string): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const waiter: Waiter = {
        check() {
          if (ended) {
            clearTimeout(deadline);
            reject(ended);
            return true;
          }
          const value = attempt();
          if (value === undefined) return false;
          clearTimeout(deadline);
          resolve(value);
          return true;
        },
      };
      const deadline = setTimeout(() => {
        waiters.delete(waiter);
        const seen: RoomSeen = {
          room: input.code.room,
          peerId,
          expiryMs: timing.expiryMs,
          bound: boundSeen(),
          unreadable,
          oversized,
          maxMessageBytes: MAX_ROOM_MESSAGE_BYTES,
          otherName,
          ownName: state.heartbeat,
          refused: { messages: refusedMessages, peers: [...refusedPeers] },
        };
        void sampleRoomPeers().then(() =>
          reject(
            new PairingTimeoutError(
              ...roomTimeoutMessage(waitingFor, timeoutMs, { ...seen, peers: roomPeersSeen }),
            ),
          ),
        );
      }, timeoutMs);
      if (!waiter.check()) waiters.add(waiter);
    });

  return {
    peerId,
    setHeartbeat(text) {
      heartbeating = false;
      queue.length = 0;
      state.setHeartbeat(text, now());
    },
    startHeartbeat() {
      heartbeating = true;
    },
    bind(peer) {
      if (peer !== bound) boundHeardAt = undefined;
      bound = peer;
      // Bound at its join (the receiver without --from): that heartbeat came before the binding.
      const heard = state.lastHeard(peer);
      if (heard !== undefined) boundHeardAt = Math.max(boundHeardAt ?? heard, heard);
    },
    waitForJoin: (timeoutMs, waitingFor) =>
      wait(() => state.joined.find((p) => bound === undefined || p === bound), timeoutMs, waitingFor),
    othersAnswered(peer) {
      const others = [...answered].filter((p) => p !== peer);
      // Past the bound on noted peers, one more unnamed stands for the rest: the count is what refuses.
      return answeredMore ? [...others, "(more)"] : others;
    },
    refused: () => ({ messages: refusedMessages, peers: [...refusedPeers] }),
    nextMessage: (accept, timeoutMs, waitingFor) =>
      wait(
        () => {
          while (queue.length > 0) {
            const next = queue.shift()!;
            // Queued before the binding: refused now, as it would have been on arrival.
            if (bound !== undefined && next.from !== bound) {
              refuse(next.from);
              continue;
            }
            const value = accept(next.data, next.from);
            if (value !== undefined) return value;
          }
          return undefined;
        },
        timeoutMs,
        waitingFor,
      ),
    publish: (data) => store.pubsubPublish(input.code.room, cipher.encrypt(data)),
    async publishAfterHeartbeat(data) {
      await store.pubsubPublish(input.code.room, cipher.encrypt(utf8(state.heartbeat)));
      await store.pubsubPublish(input.code.room, cipher.encrypt(data));
    },
    async repeatUntilLeft(peer, data, timeoutMs) {
      const until = now() + timeoutMs;
      const present = () => state.joined.includes(peer);
      while (present() && now() < until && !ended) {
        await store.pubsubPublish(input.code.room, cipher.encrypt(data)).catch(() => {});
        await sleep(timing.heartbeatIntervalMs);
      }
      return !present();
    },
    async close() {
      clearInterval(timer);
      heartbeating = false;
      await subscription.close();
    },
  };
}

/** How many connected nodes listen in the room; undefined when the node does not answer in time. */
async function countRoomPeers(store: IpfsStore, room: string): Promise<number | undefined> {
  try {
    return (await store.pubsubPeers(room, { timeoutMs: 5_000 })).length;
  } catch {
    return undefined;
  }
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * A heartbeat or a key id: short UTF-8 text without control characters, which is all a peer sends besides
 * the roaming key. Noise from a node without the password decrypts (1 time in ~256, by its padding) to
 * random bytes, and 15 random bytes are such text about 1 time in 180,000 (measured over 2 million), so a
 * 16-byte message passes about 1 time in 50 million, a longer one less often; a peer whose message is this
 * has the password, or replays someone who has. A false one only makes a pairing refuse, never take a peer.
 */
function protocolText(plaintext: Uint8Array): string | undefined {
  if (plaintext.length > 512) return undefined;
  let text: string;
  try {
    text = strictUtf8.decode(plaintext);
  } catch {
    return undefined;
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: a key name or id holds no control characters
  if (text === "" || /[\u0000-\u001f\u007f]/.test(text)) return undefined;
  return text;
}

const isProtocolText = (plaintext: Uint8Array) => protocolText(plaintext) !== undefined;

/** A Nomad key name (`{prefix}.Roaming.{name}`, `.Local.`) sent as a heartbeat: what a C# or nomad-patch peer sends. */
function keyNameIn(plaintext: Uint8Array): string | undefined {
  const text = protocolText(plaintext);
  return text !== undefined && /\.(Roaming|Local)\./.test(text) ? text : undefined;
}

function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}
