import { NomadPatchError } from "../../errors.js";

/** Nobody with the same code answered in time: a wrong code, a node that is not connected, or pubsub off. */
export class PairingTimeoutError extends NomadPatchError {
  readonly code = "PAIR_TIMEOUT";
  override readonly exitCode = 75; // EX_TEMPFAIL: try again with the right code
}
