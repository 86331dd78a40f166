/**
 * The membership rules of OwlCore.Kubo's `PeerRoom` (OwlCore.Kubo:src/PeerRoom.cs), without I/O or clocks:
 * - a message from this node's own peer id is ignored;
 * - a message whose (decrypted) UTF-8 text equals this node's heartbeat is a heartbeat: its sender joins,
 *   or is seen again;
 * - any other message counts only when its sender has joined;
 * - a peer leaves when its last heartbeat is older than the expiry, or was seen under a heartbeat this node
 *   no longer uses (so changing the heartbeat empties the room).
 * Beside the room, what C# does not keep: when each peer was last heard under the current heartbeat, also
 * after it left for silence (`lastHeard`), so a caller can tell a peer that went quiet from one never heard.
 */
export type RoomEvent =
  | { readonly kind: "ignored" }
  | { readonly kind: "heartbeat"; readonly peer: string; readonly joined: boolean }
  | { readonly kind: "message"; readonly peer: string; readonly data: Uint8Array };

/**
 * Peers whose last heartbeat is kept past the expiry: the room's own are pruned, these are not, and anyone
 * with the password can heartbeat from new peer ids. The peer a pairing waits on is among the first heard.
 */
const MAX_HEARD = 64;

interface Seen {
  readonly at: number;
  readonly heartbeat: string;
}

export class PeerRoomState {
  private heartbeatText: string;
  private readonly seen = new Map<string, Seen>();
  /** Peers heard under the current heartbeat, kept past the expiry; emptied when the heartbeat changes. */
  private readonly heard = new Map<string, number>();

  constructor(
    private readonly self: string,
    private readonly expiryMs: number,
    heartbeat: string,
  ) {
    this.heartbeatText = heartbeat;
  }

  get heartbeat(): string {
    return this.heartbeatText;
  }

  /** The peers in the room now, in the order they joined. */
  get joined(): string[] {
    return [...this.seen.keys()];
  }

  /** A new heartbeat; the peers seen under the old one are outdated, as `PruneStalePeersAsync` finds them. */
  setHeartbeat(text: string, now: number): void {
    this.heartbeatText = text;
    this.heard.clear();
    this.prune(now);
  }

  /**
   * When `peer` last sent this node's current heartbeat, whether it is still in the room or left for
   * silence; undefined when it never did under this heartbeat.
   */
  lastHeard(peer: string): number | undefined {
    return this.heard.get(peer);
  }

  receive(from: string, plaintext: Uint8Array, now: number): RoomEvent {
    if (from === this.self) return { kind: "ignored" };
    if (decodeUtf8(plaintext) === this.heartbeatText) {
      const joined = !this.seen.has(from);
      this.seen.set(from, { at: now, heartbeat: this.heartbeatText });
      if (this.heard.has(from) || this.heard.size < MAX_HEARD) this.heard.set(from, now);
      return { kind: "heartbeat", peer: from, joined };
    }
    if (this.seen.has(from)) return { kind: "message", peer: from, data: plaintext };
    return { kind: "ignored" };
  }

  /** Drops expired and outdated peers; returns who left. */
  prune(now: number): string[] {
    const left: string[] = [];
    for (const [peer, seen] of this.seen) {
      if (now - this.expiryMs > seen.at || seen.heartbeat !== this.heartbeatText) {
        this.seen.delete(peer);
        left.push(peer);
      }
    }
    return left;
  }
}

const decoder = new TextDecoder("utf-8");

/** .NET's `Encoding.UTF8.GetString` replaces invalid bytes too, so arbitrary bytes compare as text safely. */
function decodeUtf8(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}
