import type { PairCode } from "../../../src/nomad/pairing/pair-code.js";
import { roomCipher } from "../../../src/nomad/pairing/room-cipher.js";
import type { KuboNode } from "../../helpers/kubo.js";

/**
 * A node in a pairing room that knows the password (a C# 4-digit code is guessed offline from one recorded
 * heartbeat) or only echoes what it records: it reads the room in the clear and publishes under its own
 * peer id, as any Kubo node can.
 */
export interface RoomStranger {
  readonly peerId: string;
  /** Resolves with the first plaintext `match` accepts, from another peer; at once when one came already. */
  heard(match: (text: string, from: string) => boolean): Promise<string>;
  /** Every ciphertext seen from other peers, in order. */
  readonly recorded: Uint8Array[];
  /** Publish `text` encrypted every `everyMs` (a heartbeat, or a message repeated) until `stop`. */
  repeat(text: string, everyMs?: number): void;
  /** Publish raw bytes as they are (a replay of a recorded ciphertext, or noise). */
  publishRaw(data: Uint8Array): Promise<void>;
  encrypt(text: string): Uint8Array;
  encryptBytes(data: Uint8Array): Uint8Array;
  stop(): void;
  close(): Promise<void>;
}

export async function joinRoomAsStranger(node: KuboNode, code: PairCode): Promise<RoomStranger> {
  const { peerId } = await node.store.id();
  const cipher = roomCipher(code.password, code.room);
  const texts: { text: string; from: string }[] = [];
  const recorded: Uint8Array[] = [];
  const waiters: { match: (text: string, from: string) => boolean; resolve: (text: string) => void }[] = [];
  const timers: NodeJS.Timeout[] = [];
  const subscription = await node.store.pubsubSubscribe(code.room, (message) => {
    if (message.from === peerId) return;
    recorded.push(message.data);
    const plain = cipher.decrypt(message.data);
    if (!plain) return;
    const text = Buffer.from(plain).toString("utf8");
    texts.push({ text, from: message.from });
    for (const waiter of [...waiters])
      if (waiter.match(text, message.from)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(text);
      }
  });
  const encrypt = (text: string) => cipher.encrypt(new TextEncoder().encode(text));
  const stop = () => {
    for (const timer of timers.splice(0)) clearInterval(timer);
  };
  return {
    peerId,
    recorded,
    heard: (match) =>
      new Promise((resolve) => {
        const seen = texts.find((t) => match(t.text, t.from));
        if (seen !== undefined) resolve(seen.text);
        else waiters.push({ match, resolve });
      }),
    repeat(text, everyMs = 200) {
      const send = () => node.store.pubsubPublish(code.room, encrypt(text)).catch(() => {});
      void send();
      timers.push(setInterval(send, everyMs));
    },
    publishRaw: (data) => node.store.pubsubPublish(code.room, data),
    encrypt,
    encryptBytes: (data) => cipher.encrypt(data),
    stop,
    async close() {
      stop();
      await subscription.close();
    },
  };
}
