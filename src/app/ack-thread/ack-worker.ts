/**
 * The thread that owns the app's listening socket (started by `ack-thread.ts`): it answers webhook
 * deliveries itself, each after its record is on disk, and passes every other request on to the main
 * thread's HTTP server (Probot's). Its event loop runs nothing else, so a cold review on the main thread,
 * which holds that loop for tens of milliseconds at a time, no longer delays accepting a connection, reading
 * a request or answering it (docs/decisions.md, "Webhooks are acknowledged on a thread of their own").
 */
import { Agent, createServer, type IncomingMessage, request, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { type MessagePort, parentPort, workerData } from "node:worker_threads";
import { BOUNDED_SERVER_OPTIONS, closeIfSilent } from "../connection-deadlines.js";
import { createRecordWriter } from "../disk-queue.js";
import { bodyBudget, clientOf, type Guard, readGuarded } from "../webhook-body-limit.js";
import { createLogBudget } from "./log-budget.js";
import type { AckWorkerSettings, FromAckWorker, InnerAddress, ToAckWorker } from "./messages.js";
import { readDelivery } from "./read-delivery.js";

const CLOSE_GRACE_MS = 5000;

if (parentPort === null) throw new Error("ack-worker.js runs as a worker thread (ack-thread.ts starts it)");
const port: MessagePort = parentPort;
const settings = workerData as AckWorkerSettings;
const post = (message: FromAckWorker) => port.postMessage(message);
const log = (level: "info" | "warn" | "error", fields: Record<string, unknown>, msg: string) =>
  post({ kind: "log", level, fields, msg });

const records = createRecordWriter(settings.queueDir, { maxRecordBytes: settings.maxRecordBytes, writer: 1 });
// Kept alive: the main thread's server is asked again and again, over loopback.
const agent = new Agent({ keepAlive: true, maxSockets: 64 });
let unsettled = 0;
let inner: InnerAddress | undefined;
/** Requests wait here until the app is loaded: a delivery before its queue was replayed could run twice. */
let opened: () => void = () => {};
const open = new Promise<void>((resolve) => {
  opened = resolve;
});

// Connections are bounded in time before their request is read (the body has its own 5 s deadline,
// `webhook-body-limit.ts`): `connection-deadlines.ts`.
const server = createServer(BOUNDED_SERVER_OPTIONS, (req, res) => {
  serve(req, res).catch((error: unknown) => {
    log("error", { err: describe(error) }, "a request to the webhook thread failed");
    if (!res.headersSent) answer(res, 500, { error: "Internal error" });
    else res.destroy();
  });
});
/**
 * Connections open now, per client (`clientOf`: the socket's address, never a header) and in all. Each
 * connection costs a file descriptor for as long as its deadlines let it wait, so one address could
 * otherwise open thousands and leave none for GitHub's deliveries or the app's own files and Kubo calls.
 * One over a cap is closed at once, before a byte of it is read; said once per client until it is below
 * its cap again, so a flood of refusals is not a flood of log lines.
 */
const connections = new Map<string, number>();
let connectionsOpen = 0;
const capped = new Set<string>();
const ALL = "(all clients)";

function admitConnection(socket: Socket): boolean {
  const client = clientOf(socket.remoteAddress);
  const theirs = connections.get(client) ?? 0;
  const over =
    connectionsOpen >= settings.maxConnections
      ? ALL
      : theirs >= settings.maxConnectionsPerClient
        ? client
        : undefined;
  if (over !== undefined) {
    if (!capped.has(over)) {
      capped.add(over);
      log(
        "warn",
        over === ALL
          ? { open: connectionsOpen, maxConnections: settings.maxConnections }
          : { client, open: theirs, maxConnectionsPerClient: settings.maxConnectionsPerClient },
        over === ALL
          ? "too many connections open: new ones are closed at once"
          : "too many connections from one client: its new ones are closed at once",
      );
    }
    socket.destroy();
    return false;
  }
  connections.set(client, theirs + 1);
  connectionsOpen++;
  socket.once("close", () => {
    const left = (connections.get(client) ?? 1) - 1;
    if (left > 0) connections.set(client, left);
    else connections.delete(client);
    connectionsOpen--;
    if (left < settings.maxConnectionsPerClient) capped.delete(client);
    if (connectionsOpen < settings.maxConnections) capped.delete(ALL);
  });
  return true;
}

server.on("connection", (socket: Socket) => {
  if (admitConnection(socket)) closeIfSilent(socket);
});

async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
  await open;
  if (isDelivery(req)) return acknowledge(req, res);
  passOn(req, res);
}

/** A POST to the webhook path, or to `/` with GitHub's event header (`webhook-at-root.ts`). */
function isDelivery(req: IncomingMessage): boolean {
  if (req.method !== "POST") return false;
  const url = req.url ?? "";
  const path = url.split("?")[0];
  if (path === settings.webhookPath) return true;
  return path === "/" && req.headers["x-github-event"] !== undefined;
}

/** The same bounds as Probot's middleware has in front of it (`webhook-body-limit.ts`). */
const guard: Guard = {
  path: settings.webhookPath,
  maxBytes: settings.maxBodyBytes,
  budget: bodyBudget(settings.maxBodyBytes),
  log: { warn: (fields, msg) => log("warn", fields, msg) },
};

/** Anyone can post here: refusals get at most 10 log lines a minute, the rest counted (`alsoRefused`). */
const refusedLines = createLogBudget({ linesPerWindow: 10, windowMs: 60_000 });

async function acknowledge(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readGuarded(req, res, guard);
  if (body === undefined) return;
  const verdict = readDelivery(req.headers, body, settings.secret);
  if (verdict.kind === "refused") {
    const take = refusedLines.take();
    if (take.log) {
      const { status, error, hint } = verdict;
      const fields = hint === undefined ? { status, error } : { status, error, hint };
      log(
        "warn",
        take.skipped > 0 ? { ...fields, alsoRefused: take.skipped } : fields,
        "webhook delivery refused",
      );
    }
    return answer(res, verdict.status, { error: verdict.error });
  }
  if (verdict.kind === "ignored") return answerOk(res);
  // The main thread takes deliveries one per turn of its loop; while a review holds it they wait here,
  // each with its record on disk. Beyond the bound the flood is refused before anything is written.
  if (unsettled >= settings.maxUnsettled) {
    log("warn", { delivery: verdict.event.deliveryId }, "too many deliveries waiting for the app: refused");
    return answer(res, 503, { error: "Too many deliveries waiting; redeliver this one later" });
  }
  let file: string | undefined;
  try {
    file = records.write(verdict.event);
    if (file === undefined)
      log(
        "warn",
        { delivery: verdict.event.deliveryId },
        "event too large to keep on disk: queued in memory only",
      );
  } catch (error) {
    log(
      "error",
      { delivery: verdict.event.deliveryId, err: describe(error) },
      "the event could not be kept on disk: queued in memory only",
    );
  }
  unsettled++;
  answerOk(res);
  post({ kind: "delivery", event: verdict.event, file });
}

/** Anything else (Probot's `/ping`, its static files, 404s, a webhook path's GET) as the main server answers it. */
function passOn(req: IncomingMessage, res: ServerResponse): void {
  const target = inner;
  if (target === undefined) {
    answer(res, 503, { error: "Starting" });
    return;
  }
  const upstream = request(
    { host: target.host, port: target.port, method: req.method, path: req.url, headers: req.headers, agent },
    (reply) => {
      res.writeHead(reply.statusCode ?? 502, reply.statusMessage, reply.headers);
      reply.pipe(res);
    },
  );
  upstream.once("error", (error) => {
    log("error", { err: describe(error), url: req.url }, "the app's server did not answer");
    if (!res.headersSent) answer(res, 502, { error: "The app's server did not answer" });
    else res.destroy();
  });
  req.pipe(upstream);
}

function answerOk(res: ServerResponse): void {
  res.writeHead(200, { "content-type": "text/plain", "content-length": 3 }).end("ok\n");
}

function answer(res: ServerResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  res
    .writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) })
    .end(text);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

port.on("message", (message: ToAckWorker) => {
  switch (message.kind) {
    case "open":
      inner = message.inner;
      opened();
      return;
    case "settled":
      unsettled = Math.max(0, unsettled - 1);
      return;
    case "close":
      close();
      return;
  }
});

/**
 * Stops accepting, lets the requests under way finish (a delivery being answered has its record written
 * already), closes what is idle at once and the rest after a grace, then says so and lets the thread end.
 */
function close(): void {
  const forced = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
  server.close(() => {
    clearTimeout(forced);
    agent.destroy();
    post({ kind: "closed" });
    port.close();
  });
  server.closeIdleConnections();
}

server.once("error", (error: NodeJS.ErrnoException) => {
  // Worded as Probot words it (server/server.js), so an operator reads the same line as before.
  const message =
    error.code === "EADDRINUSE"
      ? `Port ${settings.port} is already in use. You can define the PORT environment variable to use a different port.`
      : error.message;
  post({ kind: "listen-failed", message, code: error.code });
  port.close();
});
server.listen({ port: settings.port, host: settings.host }, () => {
  server.removeAllListeners("error");
  // A socket error after listening is a crash: the main thread hears of it and stops the app.
  server.on("error", (error) => {
    throw error;
  });
  post({ kind: "listening", port: (server.address() as AddressInfo).port });
});
