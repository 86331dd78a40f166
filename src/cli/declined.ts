import { NomadPatchError } from "../errors.js";

/** The operator answered no: nothing was written, and a script sees a non-zero exit. */
export class DeclinedError extends NomadPatchError {
  readonly code = "DECLINED";
  override readonly exitCode = 1;
}
