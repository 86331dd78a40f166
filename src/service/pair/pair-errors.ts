import { NomadPatchError } from "../../errors.js";
import type { UnreachableSource } from "../../patch-request/change-model.js";
import { SourceUnreachableError } from "../apply-errors.js";
import type { PeerRoomSession } from "./peer-room-session.js";

/** Nobody with the same code answered in time: a wrong code, a node that is not connected, or pubsub off. */
export class PairingTimeoutError extends NomadPatchError {
  readonly code = "PAIR_TIMEOUT";
  override readonly exitCode = 75; // EX_TEMPFAIL: try again with the right code
}

/** A timeout of the first wait, with what it means for this side (nothing was changed), its hint kept. */
export function notingNothingChanged(error: unknown, note: string): unknown {
  if (!(error instanceof PairingTimeoutError)) return error;
  return new PairingTimeoutError(`${error.message} ${note}`, {
    cause: error,
    ...(error.hint === undefined ? {} : { hint: error.hint }),
  });
}

/**
 * A pairing refused before the roaming key left this node: a device of the target cannot be read, and the
 * SourceAdd's republish would lose its changes (as an apply would). Exit 75: pair again once it is back.
 */
export class PairingSourceUnreachableError extends SourceUnreachableError {
  constructor(targetId: string, sources: readonly UnreachableSource[]) {
    super(targetId, sources);
    const devices = sources.map((s) => `${s.id} (${s.via})`).join(", ");
    this.message = `Pairing refused for ${targetId}: ${sources.length === 1 ? "the device" : "the devices"} ${devices} cannot be read (no event stream resolves), and adding a device republishes the roaming value, which would lose ${sources.length === 1 ? "its" : "their"} changes. Nothing was sent or changed; run \`pair send\` again once ${sources.length === 1 ? "it is" : "they are"} back online`;
  }
}

/**
 * More than one peer answered in the room before the roaming key was handed over: the room cannot tell the
 * new device from someone who has the password (or replays the room), and the key, once published, is read
 * by every peer that has the password. OwlCore.Nomad.Kubo:src/KeyExchange.cs `ExchangeRoamingKeyAsync` takes
 * the first peer that joins (OwlCore.Kubo:src/Extensions/PeerRoomExtensions.cs `WaitForJoinAsync`) and
 * publishes to whoever is there; this side refuses instead. Exit 3: refused, and a retry needs a new code.
 */
export class SecondPeerInRoomError extends NomadPatchError {
  readonly code = "PAIR_SECOND_PEER";
  override readonly exitCode = 3;

  constructor(input: {
    readonly room: string;
    readonly peers: readonly string[];
    readonly before: string;
    readonly nothingChanged: string;
  }) {
    super(
      `Pairing refused: ${input.peers.length} peers answered in room ${input.room} (${input.peers.join(", ")}) before ${input.before}, and only the other device may: someone else has the password or replays the room. ${input.nothingChanged}`,
      {
        hint: "start both sides again with a new code (`pair send` without --code makes one that resists guessing), and name the other device: `pair send --peer <the new device's peer id, which `pair receive` prints>`, `pair receive --from <the holder's peer id>`",
      },
    );
  }
}

/** Refuses (SecondPeerInRoomError) when a peer other than `peer`, the one the room is bound to, answered in it. */
export function refuseIfOthersAnswered(
  room: PeerRoomSession,
  peer: string,
  input: { readonly room: string; readonly before: string; readonly nothingChanged: string },
): void {
  const others = room.othersAnswered(peer);
  if (others.length > 0) throw new SecondPeerInRoomError({ ...input, peers: [peer, ...others] });
}
