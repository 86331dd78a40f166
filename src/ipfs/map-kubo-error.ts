import { NomadPatchError } from "../errors.js";
import {
  InvalidReferenceError,
  IpfsTimeoutError,
  KuboError,
  KuboUnavailableError,
  NotFoundError,
  PubsubDisabledError,
} from "./errors.js";

/** The error-message fragments Kubo uses for the cases a person can act on. */
const NOT_FOUND = [/could not resolve name/i, /not found/i, /no link named/i, /routing: not found/i];
const INVALID = [
  /invalid (cid|path|ipns|multihash|key)/i,
  /selected encoding not supported/i,
  /is not a valid/i,
];
/** Kubo 0.43's answer to every pubsub call while `Pubsub.Enabled` is off. */
const PUBSUB_OFF = /pubsub feature not enabled|enable-pubsub-experiment/i;
const UNREACHABLE = ["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EHOSTUNREACH", "EPIPE", "UND_ERR_SOCKET"];

/**
 * Turns whatever kubo-rpc-client or fetch threw into one of the typed errors of
 * `./errors.ts`, so callers can decide by type, and people read something actionable.
 */
export function mapKuboError(
  error: unknown,
  context: { operation: string; apiUrl: string; timeoutMs: number; timedOut: boolean },
): NomadPatchError {
  if (error instanceof NomadPatchError) return error;
  if (context.timedOut || isNamed(error, "TimeoutError")) {
    return new IpfsTimeoutError(context.operation, context.timeoutMs, { cause: error });
  }
  if (isUnreachable(error)) return new KuboUnavailableError(context.apiUrl, { cause: error });
  const message = error instanceof Error ? error.message : String(error);
  if (PUBSUB_OFF.test(message)) return new PubsubDisabledError(context.apiUrl, { cause: error });
  if (NOT_FOUND.some((re) => re.test(message))) {
    return new NotFoundError(`${context.operation}: ${message}`, { cause: error });
  }
  if (INVALID.some((re) => re.test(message))) {
    return new InvalidReferenceError(`${context.operation}: ${message}`, { cause: error });
  }
  if (isNamed(error, "AbortError")) return new KuboError(context.operation, "aborted", { cause: error });
  return new KuboError(context.operation, message, { cause: error });
}

function isNamed(error: unknown, name: string): boolean {
  return error instanceof Error && error.name === name;
}

/**
 * fetch wraps every failure to reach the server (refused, reset, bad port, DNS) as
 * `TypeError: fetch failed`, usually with the system error as `cause`.
 */
function isUnreachable(error: unknown): boolean {
  if (error instanceof TypeError && error.message === "fetch failed") return true;
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && UNREACHABLE.includes(code)) return true;
    if (e instanceof AggregateError && e.errors.some((inner) => isUnreachable(inner))) return true;
  }
  return false;
}
