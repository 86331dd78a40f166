import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { InnerAddress } from "./ack-thread/messages.js";
import { BOUNDED_SERVER_OPTIONS, closeIfSilent } from "./connection-deadlines.js";

/**
 * Answers a request and returns (a promise of) true, or returns false or nothing to leave it to the next
 * handler: the contract of Probot's middleware (typed `unknown` as its result is `boolean | void`, or a
 * promise of one).
 */
export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => unknown;

/** The main thread's HTTP server behind the webhook thread, and how to stop it. */
export interface LoopbackServer {
  /** Where it listens: a port the system chose, never one named in advance. */
  readonly address: InnerAddress;
  close(): Promise<void>;
}

const LOOPBACK = "127.0.0.1";
/**
 * Connections the loopback server holds at once: the webhook thread passes requests on over at most 64
 * (its agent's `maxSockets`), and a health check on the host may come besides. Anything on the host can
 * reach the port, and each connection is a file descriptor of the process the webhook thread also needs.
 */
export const LOOPBACK_MAX_CONNECTIONS = 128;

/**
 * Probot's `/ping`, as its own server answers it (probot/lib/server/handlers/ping.js): a process manager's
 * health check reaches it through the webhook thread.
 */
export const answerPing: RequestHandler = (req, res) => {
  if (req.method !== "GET" || (req.url ?? "").split("?")[0] !== "/ping") return false;
  res.writeHead(200, { "content-type": "text/plain" }).end("PONG");
  return true;
};

/**
 * Listens on a loopback port the system picks (port 0) and serves `handlers` in turn, 404 when none answers.
 * Probot's own server (`run`) takes a port number and turns 0 into 3000, so a port had to be probed free and
 * handed over, and another process could take it in between; a port bound here is ours from the start, and
 * its number is read back from the socket. A failure to listen names the loopback server, not `PORT`.
 */
export async function listenOnLoopback(
  handlers: readonly RequestHandler[],
  onError: (error: unknown) => void,
  bounds: { readonly maxConnections?: number } = {},
): Promise<LoopbackServer> {
  // Bounded as the webhook thread's server is (`connection-deadlines.ts`), rather than Node's defaults:
  // 60 s for headers, 300 s for a request, and no bound on a connection that sends nothing. Over the cap,
  // Node closes a new connection at once.
  const server = createServer(BOUNDED_SERVER_OPTIONS, (req, res) => {
    void (async () => {
      for (const handler of handlers) if (await handler(req, res)) return;
      if (!res.headersSent) res.writeHead(404).end();
    })().catch((error: unknown) => {
      onError(error);
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });
  server.maxConnections = bounds.maxConnections ?? LOOPBACK_MAX_CONNECTIONS;
  server.on("connection", (socket: Socket) => closeIfSilent(socket));
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error) => {
      reject(
        new Error(
          `the app's own server could not listen on a loopback port (${LOOPBACK}): ${error.message}`,
          {
            cause: error,
          },
        ),
      );
    });
    server.listen({ port: 0, host: LOOPBACK }, () => {
      server.removeAllListeners("error");
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    address: { host: LOOPBACK, port },
    close: () =>
      new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
