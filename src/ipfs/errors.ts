import { NomadPatchError } from "../errors.js";

/** No Kubo answers at the configured RPC address (connection refused, reset, DNS). */
export class KuboUnavailableError extends NomadPatchError {
  readonly code = "KUBO_UNAVAILABLE";
  override readonly exitCode = 69; // EX_UNAVAILABLE
  constructor(
    readonly apiUrl: string,
    options?: { cause?: unknown },
  ) {
    super(
      `No Kubo daemon answers at ${apiUrl}: start one (\`ipfs daemon\`), or point KUBO_API_URL / --kubo at a running node`,
      options,
    );
  }
}

/** An IPFS call did not finish within its bound. */
export class IpfsTimeoutError extends NomadPatchError {
  readonly code = "TIMEOUT";
  override readonly exitCode = 75; // EX_TEMPFAIL
  constructor(
    readonly operation: string,
    readonly timeoutMs: number,
    options?: { cause?: unknown },
  ) {
    super(`${operation} did not finish within ${timeoutMs} ms`, options);
  }
}

/** A name, key or block that does not exist (or cannot be found in time on the network). */
export class NotFoundError extends NomadPatchError {
  readonly code = "NOT_FOUND";
  override readonly exitCode = 66; // EX_NOINPUT
}

/** A string that is not a valid CID, IPNS name or key name. */
export class InvalidReferenceError extends NomadPatchError {
  readonly code = "INVALID_REFERENCE";
  override readonly exitCode = 65;
}

/** Kubo answered with an error that none of the above explains; its message is kept. */
export class KuboError extends NomadPatchError {
  readonly code = "KUBO";
  constructor(
    readonly operation: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`Kubo refused ${operation}: ${message}`, options);
  }
}

/** The node cannot do this at all (e.g. export a key from a remote Kubo). */
export class UnsupportedError extends NomadPatchError {
  readonly code = "UNSUPPORTED";
}
