/** What the room refused from peers other than the one it is bound to. */
export interface RefusedInRoom {
  readonly messages: number;
  /** The first few of them, in the order they were refused. */
  readonly peers: string[];
}

/** What one side saw in its room while it waited, for the timeout's message. */
export interface RoomSeen {
  readonly room: string;
  readonly peerId: string;
  /** How long a peer stays in the room without a heartbeat (OwlCore.Kubo:src/PeerRoom.cs: 2 s). */
  readonly expiryMs: number;
  /**
   * The peer this side is bound to, when it has been in the room under this side's heartbeat (so it has
   * the password): still heard within the expiry (`present`), or quiet for `silentMs` when the wait ended.
   */
  readonly bound?:
    | { readonly peer: string; readonly present: true }
    | { readonly peer: string; readonly present: false; readonly silentMs: number };
  readonly unreadable: number;
  readonly oversized: number;
  readonly maxMessageBytes: number;
  readonly otherName: { readonly peer: string; readonly name: string } | undefined;
  readonly ownName: string;
  readonly refused: RefusedInRoom;
  /** The most nodes connected to this one seen in the room during the wait; undefined when the node could not say. */
  readonly peers?: number | undefined;
}

const seconds = (ms: number) => Math.round(ms / 100) / 10;

/**
 * The message of a wait that timed out: what this side saw, most specific first, and what to do about it.
 * The peer this side is bound to comes first: it was heard with the password under this side's key name,
 * so anything unreadable came from someone else, and what matters is why that peer stopped.
 */
export function roomTimeoutMessage(
  waitingFor: string,
  timeoutMs: number,
  seen: RoomSeen,
): [string, { hint: string }] {
  const { room } = seen;
  const [reason, hint] =
    seen.bound !== undefined && !seen.bound.present
      ? [
          `peer ${seen.bound.peer} was in room ${room} and went quiet: nothing from it for the last ${seconds(seen.bound.silentMs)} s (a room drops a peer after ${seconds(seen.expiryMs)} s without a heartbeat)`,
          "the other side stopped or stalled before it sent it: read the other side's own output (a refusal there says why; nothing was handed over). If it is still running, its process or its node is too busy or lost the connection to this node: stop it, then start both sides again",
        ]
      : seen.bound?.present
        ? [
            `peer ${seen.bound.peer} is in room ${room} (its messages arrive) but has not got to this step`,
            "the other side is still at an earlier step or stalled: read the other side's own output; if it is only slow (a large object to check), start both sides again with a longer --timeout",
          ]
        : seen.unreadable > 0
          ? [
              `${seen.unreadable} message(s) in room ${room} could not be decrypted: the other device uses a different password`,
              "start both sides again with the same code",
            ]
          : seen.otherName !== undefined && seen.otherName.name !== seen.ownName
            ? [
                `the other device (peer ${seen.otherName.peer}) is in room ${room} as ${JSON.stringify(seen.otherName.name)}, this one as ${JSON.stringify(seen.ownName)}: both devices must use the same key names`,
                "run `pair receive` with --module and --name exactly as `pair send` printed them (the folder name or KnownId, same case), and --key-name-prefix with the part before `.Roaming.` when the other device's app sets its own KeyNamePrefix",
              ]
            : seen.peers === 0
              ? [
                  `no node connected to this one (peer ${seen.peerId}) is in room ${room}`,
                  `start the other side with the same code, and connect the two nodes: on the other one, \`ipfs swarm connect <an address of this node, from ipfs id>\` (or \`ipfs swarm connect /p2p/${seen.peerId}\` where the nodes find each other through the DHT); both need pubsub on (Pubsub.Enabled)`,
                ]
              : seen.peers !== undefined && seen.peers > 0
                ? // `pair receive` speaks only once the holder it expects heartbeats (receive-pairing.ts), as a C#
                  // receiver does (OwlCore.Nomad.Kubo:src/KeyExchange.cs `ExchangeRoamingKeyAsync`: heartbeat
                  // enabled after `WaitForJoinAsync`): with another password or other key names it listens in
                  // silence, and only its own timeout says why.
                  [
                    `a node connected to this one is in room ${room} but sent nothing this side can read: \`pair receive\` waits without a word when its password or its key names differ from this side's`,
                    "the other side's own message says which (another password, or other key names); start both sides again with the same code, `pair receive` with the --module and --name `pair send` printed",
                  ]
                : [
                    `nothing arrived in room ${room}: check the code on both devices, that both are running, that their nodes are connected and have pubsub on (Pubsub.Enabled)`,
                    "start both sides again with the same code",
                  ];
  const dropped =
    seen.oversized > 0
      ? ` ${seen.oversized} message(s) over ${seen.maxMessageBytes} bytes were dropped unread (no pairing sends one).`
      : "";
  const unreadable =
    seen.bound !== undefined && seen.unreadable > 0
      ? ` ${seen.unreadable} message(s) in the room could not be decrypted: someone else is there with another password.`
      : "";
  const refused =
    seen.refused.messages > 0
      ? ` This side refused ${seen.refused.messages} message(s) from ${seen.refused.peers.length} other peer(s) (${seen.refused.peers.join(", ")}): it takes the one peer it is bound to.`
      : "";
  return [
    `Pairing gave up after ${seconds(timeoutMs)} s waiting for ${waitingFor}; ${reason}.${dropped}${unreadable}${refused}`,
    { hint },
  ];
}
