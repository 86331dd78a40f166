import { NomadPatchError } from "../../errors.js";
import type { UnreachableSource } from "../../patch-request/change-model.js";
import { SourceUnreachableError } from "../apply-errors.js";

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
