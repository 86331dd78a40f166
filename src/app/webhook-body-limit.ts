import type { IncomingMessage, ServerResponse } from "node:http";
import type { Probot } from "probot";

const LINGER_MS = 1000;

/**
 * How long a webhook body may take to arrive, from the moment the guard starts reading it. GitHub sends a
 * delivery in one go and gives up on it after 10 s; the middleware behind answers 202 on its own 9 s after
 * it is called. Well under both, so a body that trickles in (or never ends) is answered 408 and forgotten
 * instead of being held, and buffered, until Node's 5-minute `requestTimeout`.
 */
export const WEBHOOK_READ_DEADLINE_MS = 5000;

/**
 * How many bodies of the largest size allowed may be buffered at once, across all connections: the bytes
 * held by unfinished bodies never pass this many times `maxBytes` (100 MiB by default), however many slow
 * connections a stranger opens.
 */
export const BUFFERED_BODIES = 4;

/**
 * How many of those one client may hold (half): one slow client cannot take the whole budget and have
 * everyone else refused 503 for the length of the read deadline. GitHub sends from many addresses; a
 * client is an IPv4 address, or an IPv6 /64 (what one host is usually given).
 */
export const BUFFERED_BODIES_PER_CLIENT = 2;

type Middleware = Awaited<ReturnType<Probot["getNodeMiddleware"]>>;

/** What a guard's log needs. */
export interface GuardLog {
  warn(fields: Record<string, unknown>, message: string): void;
}

/**
 * Puts a size guard in front of Probot's webhook middleware, for every way the app is served: `run()`
 * (npm start, the Docker image) and `createNodeMiddleware` both ask the loaded Probot for
 * `getNodeMiddleware()` after the app function ran, so the app wraps it here.
 * @octokit/webhooks reads the whole body into memory before checking the signature, so an unsigned
 * 200 MB POST cost 200 MB (and its 9 s timeout could answer 202 while still reading).
 */
export function limitWebhookBodies(probot: Probot, maxBytes: number): void {
  const unguarded = probot.getNodeMiddleware.bind(probot);
  const log = probot.log as unknown as GuardLog;
  probot.getNodeMiddleware = async (options) =>
    guardBodies((await unguarded(options)) as Middleware, {
      path: trimSlashes(options?.path ?? probot.webhookPath),
      maxBytes,
      budget: bodyBudget(maxBytes),
      log,
    });
}

/** The bytes that unfinished bodies may still take, shared by every connection of one middleware. */
export interface Budget {
  left: number;
  /** The most one client's unfinished bodies may hold at once. */
  readonly perClient: number;
  /** What each client's unfinished bodies hold now (no entry: nothing). */
  readonly held: Map<string, number>;
}

/** The budget of one server: `BUFFERED_BODIES` bodies of `maxBytes`, `BUFFERED_BODIES_PER_CLIENT` of them per client. */
export function bodyBudget(maxBytes: number): Budget {
  return {
    left: BUFFERED_BODIES * maxBytes,
    perClient: BUFFERED_BODIES_PER_CLIENT * maxBytes,
    held: new Map(),
  };
}

export interface Guard {
  /** The webhook path, without trailing slashes. */
  readonly path: string;
  readonly maxBytes: number;
  readonly budget: Budget;
  readonly log: GuardLog;
}

/**
 * Only a POST to the webhook path is read here; anything else goes on unread (the middleware answers it,
 * or hands it to the server's next handler, without reading a body), so a stranger's POST to another path
 * buffers nothing. A POST whose Content-Length is over `maxBytes` is answered 413 without reading it; any
 * other is read while counting, and answered 413 the moment it passes `maxBytes`, 503 when the bodies
 * being read at once would hold more than the shared budget, or those of its client more than the
 * client's share of it, 408 when it is not whole within
 * `WEBHOOK_READ_DEADLINE_MS`. A body within the bounds is handed on already read (`rawBody`, which
 * @octokit/webhooks takes instead of reading the stream).
 * Reading it whole here also keeps the acknowledgement honest: the middleware's 9 s timer (202 "still
 * processing", done or not) starts only when it is called, so a body that trickles in cannot be answered
 * 2xx before the handler has written the event's record (signed-webhook.test.ts).
 */
function guardBodies(inner: Middleware, guard: Guard): Middleware {
  return async (req: IncomingMessage, res: ServerResponse, ...rest: unknown[]) => {
    const next = rest[0] as Parameters<Middleware>[2];
    if (req.method !== "POST" || pathOf(req.url) !== guard.path) return inner(req, res, next);
    const body = await readGuarded(req, res, guard);
    if (body === undefined) return true;
    Object.assign(req, { body: {}, rawBody: body });
    return inner(req, res, next);
  };
}

/**
 * A webhook POST's body within the guard's bounds, or undefined once it was refused (413, 408, 503) or its
 * client went away. The webhook thread (`ack-thread/ack-worker.ts`) reads deliveries with it too.
 */
export async function readGuarded(
  req: IncomingMessage,
  res: ServerResponse,
  guard: Guard,
): Promise<Uint8Array | undefined> {
  const declared = Number(req.headers["content-length"] ?? Number.NaN);
  if (declared > guard.maxBytes) return void tooLarge(req, res, guard.maxBytes);
  const body = await readWithin(req, guard);
  if (body instanceof Uint8Array) return body;
  if (body === "too large") return void tooLarge(req, res, guard.maxBytes);
  if (body === "gone") return undefined;
  const delivery = req.headers["x-github-delivery"];
  const from = req.socket.remoteAddress;
  if (body === "too slow") {
    guard.log.warn(
      { delivery, from, deadlineMs: WEBHOOK_READ_DEADLINE_MS },
      "webhook body not whole in time; answered 408",
    );
    return void refuse(req, res, 408, `Webhook bodies must arrive within ${WEBHOOK_READ_DEADLINE_MS} ms`);
  }
  if (body === "client busy") {
    guard.log.warn(
      { delivery, from },
      "this client's webhook bodies being read at once hold its share of the budget; answered 503",
    );
    return void refuse(
      req,
      res,
      503,
      "Too many webhook bodies from this address are being read at once; retry later",
      { "retry-after": "10" },
    );
  }
  guard.log.warn({ delivery, from }, "too many webhook bodies being read at once; answered 503");
  return void refuse(req, res, 503, "Too many webhook bodies are being read at once; retry later", {
    "retry-after": "10",
  });
}

type Read = Uint8Array | "too large" | "too slow" | "too busy" | "client busy" | "gone";

/**
 * Who a connection's bytes are counted for: its IPv4 address, or its IPv6 address's first 64 bits (one
 * host is commonly given a whole /64, and could otherwise take a share per address). The socket's own
 * address, never a header: anyone can write `X-Forwarded-For`. Behind a reverse proxy every connection is
 * the proxy's, and the share is then everyone's (docs/operator-guide.md).
 */
export function clientOf(address: string | undefined): string {
  if (address === undefined) return "";
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1] as string;
  if (!address.includes(":")) return address;
  const [head = "", tail = ""] = address.toLowerCase().split("%")[0]?.split("::") ?? [];
  const left = head === "" ? [] : head.split(":");
  const right = tail === "" ? [] : tail.split(":");
  const groups = address.includes("::")
    ? [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}

/**
 * Reads the body, taking each chunk out of the shared budget and giving it all back once the body is
 * handed on or refused (a refused body's bytes are dropped at once).
 */
function readWithin(req: IncomingMessage, guard: Guard): Promise<Read> {
  const { budget } = guard;
  const client = clientOf(req.socket.remoteAddress);
  return new Promise<Read>((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (result: Exclude<Read, Uint8Array> | "whole") => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onGone);
      req.off("close", onGone);
      budget.left += size;
      const held = (budget.held.get(client) ?? 0) - size;
      if (held > 0) budget.held.set(client, held);
      else budget.held.delete(client);
      const body = result === "whole" ? Buffer.concat(chunks, size) : result;
      chunks.length = 0;
      resolve(body);
    };
    const onData = (chunk: Buffer) => {
      if (size + chunk.length > guard.maxBytes) return settle("too large");
      if (chunk.length > budget.left) return settle("too busy");
      const held = budget.held.get(client) ?? 0;
      if (held + chunk.length > budget.perClient) return settle("client busy");
      budget.left -= chunk.length;
      budget.held.set(client, held + chunk.length);
      size += chunk.length;
      chunks.push(chunk);
    };
    const onEnd = () => settle("whole");
    // The client went away before the end: nothing to answer, and its bytes go back to the budget.
    const onGone = () => settle("gone");
    const timer = setTimeout(() => settle("too slow"), WEBHOOK_READ_DEADLINE_MS);
    req.on("data", onData);
    req.once("end", onEnd);
    req.once("error", onGone);
    req.once("close", onGone);
  });
}

/** The path of a request's URL without its query or trailing slashes, as the middleware compares it. */
function pathOf(url: string | undefined): string | undefined {
  try {
    return trimSlashes(new URL(url ?? "", "http://localhost").pathname);
  } catch {
    return undefined;
  }
}

const trimSlashes = (path: string) => path.replace(/\/+$/u, "") || "/";

function tooLarge(req: IncomingMessage, res: ServerResponse, maxBytes: number): true {
  return refuse(req, res, 413, `Webhook bodies are at most ${maxBytes} bytes (GitHub's limit)`);
}

/**
 * Answers at once, but closes only once the client stopped sending (at most `LINGER_MS` later):
 * closing a socket with unread data resets it, and the client would see a broken pipe instead of the
 * answer. What still arrives meanwhile is discarded, not kept.
 */
function refuse(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  error: string,
  headers: Record<string, string> = {},
): true {
  const body = JSON.stringify({ error });
  res.writeHead(status, {
    ...headers,
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
    connection: "close",
  });
  res.write(body);
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    clearTimeout(timer);
    res.end();
  };
  const timer = setTimeout(close, LINGER_MS);
  req.on("data", () => {});
  req.once("end", close);
  req.once("close", close);
  req.resume();
  return true;
}
