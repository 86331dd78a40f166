import { NomadPatchError } from "../../errors.js";

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
