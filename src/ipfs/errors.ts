import { NomadPatchError } from "../errors.js";

/** No Kubo answers at the configured RPC address (connection refused, reset, DNS). */
export class KuboUnavailableError extends NomadPatchError {
  readonly code = "KUBO_UNAVAILABLE";
  override readonly exitCode = 69; // EX_UNAVAILABLE
  constructor(
    readonly apiUrl: string,
    options?: { cause?: unknown },
  ) {
    super(`No Kubo daemon answers at ${apiUrl}`, {
      ...options,
      hint: "start one (`ipfs daemon`), or point KUBO_API_URL / --kubo at a running node",
    });
  }
}

/**
 * Something answers at the address, but not as Kubo's RPC API does: most often the gateway's port
 * (8080), which serves `/ipfs/…` but answers `/api/v0/…` with a 404, or another web server.
 */
export class NotKuboApiError extends NomadPatchError {
  readonly code = "NOT_KUBO_API";
  override readonly exitCode = 69; // EX_UNAVAILABLE: the service we need is not there
  constructor(
    readonly apiUrl: string,
    answered: string,
    options?: { cause?: unknown },
  ) {
    super(`${apiUrl} is not a Kubo RPC API (the gateway port?): it answered ${answered}`, {
      ...options,
      hint: "give the RPC address Kubo prints as 'RPC API server listening on' (port 5001 by default), e.g. --kubo /ip4/127.0.0.1/tcp/5001",
    });
  }
}

/**
 * The node runs with pubsub off (Kubo's `Pubsub.Enabled`, experimental and off by default): pairing and the
 * inboxes cannot work. Said at once, since a subscription on such a node would otherwise wait in silence.
 */
export class PubsubDisabledError extends NomadPatchError {
  readonly code = "PUBSUB_DISABLED";
  override readonly exitCode = 69; // EX_UNAVAILABLE: the service we need is not there
  constructor(
    readonly apiUrl: string,
    options?: { cause?: unknown },
  ) {
    super(`The Kubo node at ${apiUrl} has pubsub off, which pairing and the inboxes need`, {
      ...options,
      hint: "run `ipfs config --json Pubsub.Enabled true` on that node and restart it (the managed node has it on)",
    });
  }
}

/** An IPFS call did not finish within its bound. */
export class IpfsTimeoutError extends NomadPatchError {
  readonly code = "TIMEOUT";
  override readonly exitCode = 75; // EX_TEMPFAIL
  constructor(
    readonly operation: string,
    readonly timeoutMs: number,
    options?: { cause?: unknown; hint?: string },
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

/**
 * The node cannot do this as it is reached (e.g. export a key from a Kubo whose repository is not on this
 * machine): a matter of how the command is set up, so a usage error.
 */
export class UnsupportedError extends NomadPatchError {
  readonly code = "UNSUPPORTED";
  override readonly exitCode = 64; // EX_USAGE
}
