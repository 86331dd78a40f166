import type { IncomingMessage, ServerResponse } from "node:http";
import type { Probot } from "probot";

const LINGER_MS = 1000;

type Middleware = Awaited<ReturnType<Probot["getNodeMiddleware"]>>;

/**
 * Puts a size guard in front of Probot's webhook middleware, for every way the app is served: `run()`
 * (npm start, the Docker image) and `createNodeMiddleware` both ask the loaded Probot for
 * `getNodeMiddleware()` after the app function ran, so the app wraps it here.
 * @octokit/webhooks reads the whole body into memory before checking the signature, so an unsigned
 * 200 MB POST cost 200 MB (and its 9 s timeout could answer 202 while still reading).
 */
export function limitWebhookBodies(probot: Probot, maxBytes: number): void {
  const unguarded = probot.getNodeMiddleware.bind(probot);
  probot.getNodeMiddleware = async (options) =>
    guardBodies((await unguarded(options)) as Middleware, maxBytes);
}

/**
 * A POST whose Content-Length is over `maxBytes` is answered 413 without reading it; any other POST is
 * read while counting, and answered 413 the moment it passes `maxBytes`. A body within the bound is
 * handed on already read (`rawBody`, which @octokit/webhooks takes instead of reading the stream).
 * Reading it whole here also keeps the acknowledgement honest: the middleware's 9 s timer (202 "still
 * processing", done or not) starts only when it is called, so a body that trickles in for longer cannot be
 * answered 2xx before the handler has written the event's record (signed-webhook.test.ts).
 */
function guardBodies(inner: Middleware, maxBytes: number): Middleware {
  return async (req: IncomingMessage, res: ServerResponse, ...rest: unknown[]) => {
    const next = rest[0] as Parameters<Middleware>[2];
    if (req.method !== "POST") return inner(req, res, next);
    const declared = Number(req.headers["content-length"] ?? Number.NaN);
    if (declared > maxBytes) return tooLarge(req, res, maxBytes);
    const body = await readAtMost(req, maxBytes);
    if (body === "too large") return tooLarge(req, res, maxBytes);
    Object.assign(req, { body: {}, rawBody: body });
    return inner(req, res, next);
  };
}

function readAtMost(req: IncomingMessage, maxBytes: number): Promise<Uint8Array | "too large"> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.off("data", onData);
        chunks.length = 0;
        resolve("too large");
        return;
      }
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.once("end", () => resolve(Buffer.concat(chunks, size)));
    req.once("error", reject);
  });
}

/**
 * Answers 413 at once, but closes only once the client stopped sending (at most `LINGER_MS` later):
 * closing a socket with unread data resets it, and the client would see a broken pipe instead of the
 * answer. What still arrives meanwhile is discarded, not kept.
 */
function tooLarge(req: IncomingMessage, res: ServerResponse, maxBytes: number): true {
  const body = JSON.stringify({ error: `Webhook bodies are at most ${maxBytes} bytes (GitHub's limit)` });
  res.writeHead(413, {
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
