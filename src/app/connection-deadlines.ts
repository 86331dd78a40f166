import type { ServerOptions } from "node:http";
import type { Socket } from "node:net";

/**
 * How long a connection to one of the app's own servers (the webhook thread's, `ack-worker.ts`, and the
 * loopback server behind it, `loopback-server.ts`) may take before its request is read. GitHub sends a
 * delivery's headers at once, so a connection that has sent none within this long, or only part of them,
 * is a stranger's holding a socket (and a file descriptor) open. Node's own bounds are 60 s for headers
 * (looked at every 30 s) and none at all for a connection that sends nothing.
 */
export const HEADERS_DEADLINE_MS = 10_000;
/** A whole request, passed-on ones included (the app's server answers `/ping` and its pages at once). */
export const REQUEST_DEADLINE_MS = 60_000;

/** `http.createServer` options with the deadlines above, looked at every second. */
export const BOUNDED_SERVER_OPTIONS: ServerOptions = {
  headersTimeout: HEADERS_DEADLINE_MS,
  requestTimeout: REQUEST_DEADLINE_MS,
  connectionsCheckingInterval: 1000,
};

/**
 * Node times out headers only once a request has begun: a connection that has sent nothing within
 * `HEADERS_DEADLINE_MS` is closed here.
 */
export function closeIfSilent(socket: Socket): void {
  const silent = setTimeout(() => {
    if (socket.bytesRead === 0) socket.destroy();
  }, HEADERS_DEADLINE_MS);
  silent.unref();
  socket.once("close", () => clearTimeout(silent));
}
