import { existsSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { DEFAULT_MAX_RECORD_BYTES, type QueuedEvent } from "../disk-queue.js";
import type { AppLog } from "../job-context.js";
import type { AckWorkerSettings, FromAckWorker, InnerAddress, ToAckWorker } from "./messages.js";

/** A delivery the webhook thread answered: its event, and its record in the disk queue (if it was kept). */
export interface AcknowledgedDelivery {
  readonly event: QueuedEvent;
  readonly file: string | undefined;
}

/** What the app needs of the webhook thread: the deliveries it answered, handed over one by one. */
export interface AcknowledgedDeliveries {
  /**
   * `handle` is given every delivery the thread answered, in the order it answered them; a delivery is
   * counted as waiting (`maxUnsettled`) until its `handle` settles.
   */
  attach(handle: (delivery: AcknowledgedDelivery) => Promise<void>): void;
}

export interface AckThreadOptions {
  readonly port: number;
  /** As Probot's `HOST` (default `localhost`). */
  readonly host?: string;
  readonly webhookPath: string;
  readonly secret: string;
  readonly maxBodyBytes: number;
  readonly queueDir: string;
  readonly maxRecordBytes?: number;
  /** Deliveries answered and not yet taken by the app, past which more are answered 503 (default 5000). */
  readonly maxUnsettled?: number;
  /**
   * Connections open at once (`NOMAD_PATCH_MAX_CONNECTIONS`, default 512), and from one client address,
   * IPv4 or IPv6 /64 (`NOMAD_PATCH_MAX_CONNECTIONS_PER_CLIENT`, default 128): one more is closed at once.
   */
  readonly maxConnections?: number;
  readonly maxConnectionsPerClient?: number;
  readonly log: Pick<AppLog, "info" | "warn" | "error">;
  /**
   * Told once if the thread stops without being asked (an uncaught error, killed): nothing answers
   * webhooks any more, so the caller stops the app rather than run deaf.
   */
  readonly onCrash: (error: Error) => void;
}

export interface AckThread extends AcknowledgedDeliveries {
  /** The port it listens on (the one asked for, or the one given for 0). */
  readonly port: number;
  /** The thread itself (its id, its resource use); ending it from outside counts as a crash. */
  readonly worker: Worker;
  /**
   * Starts answering: deliveries go to the handler attached, every other request to `inner`. Until then
   * requests wait, so no delivery is taken before the app replayed what a previous process left.
   */
  open(inner: InnerAddress): void;
  /** Stops listening, lets the requests under way finish (at most a few seconds), ends the thread. */
  close(): Promise<void>;
}

const CLOSE_WAIT_MS = 10_000;
/** As `NOMAD_PATCH_MAX_CONNECTIONS` and `NOMAD_PATCH_MAX_CONNECTIONS_PER_CLIENT` default (config/environment.ts). */
const DEFAULT_MAX_CONNECTIONS = 512;
const DEFAULT_MAX_CONNECTIONS_PER_CLIENT = 128;

/**
 * The webhook thread's code: `ack-worker.js` beside this module once built. Run from the sources (the
 * tests), the built copy in `lib/` is used: a worker thread runs JavaScript, and `npm test` builds first.
 */
function workerFile(): URL {
  const here = new URL(import.meta.url);
  if (!here.pathname.endsWith(".ts")) return new URL("./ack-worker.js", here);
  const built = new URL("../../../lib/app/ack-thread/ack-worker.js", here);
  if (!existsSync(built)) throw new Error(`${built.pathname} is missing: run \`npm run build\``);
  return built;
}

/**
 * Starts the thread that owns the app's listening socket and acknowledges webhook deliveries
 * (`ack-worker.ts`), and resolves once it listens; rejects if it cannot (the port is taken: Probot's
 * words). The deliveries it answers are handed to the handler `attach`ed, each after its record is on disk.
 */
export async function startAckThread(options: AckThreadOptions): Promise<AckThread> {
  const settings: AckWorkerSettings = {
    port: options.port,
    host: options.host ?? "localhost",
    webhookPath: options.webhookPath,
    secret: options.secret,
    maxBodyBytes: options.maxBodyBytes,
    queueDir: options.queueDir,
    maxRecordBytes: options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES,
    maxUnsettled: options.maxUnsettled ?? 5000,
    maxConnections: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
    maxConnectionsPerClient: options.maxConnectionsPerClient ?? DEFAULT_MAX_CONNECTIONS_PER_CLIENT,
  };
  const { log } = options;
  const worker = new Worker(workerFile(), { workerData: settings });
  const send = (message: ToAckWorker) => worker.postMessage(message);
  let handle: ((delivery: AcknowledgedDelivery) => Promise<void>) | undefined;
  // Deliveries answered before a handler was attached (none when `open` follows `attach`, as it must).
  const early: AcknowledgedDelivery[] = [];
  let closing = false;
  let ended = false;
  let listening: (port: number) => void = () => {};
  let failedToListen: (error: Error) => void = () => {};
  const listened = new Promise<number>((resolve, reject) => {
    listening = resolve;
    failedToListen = reject;
  });
  const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));

  const take = (delivery: AcknowledgedDelivery) => {
    const settle = () => {
      if (!ended) send({ kind: "settled" });
    };
    (handle as (delivery: AcknowledgedDelivery) => Promise<void>)(delivery).then(settle, (error: unknown) => {
      log.error({ err: error, delivery: delivery.event.deliveryId }, "an acknowledged delivery failed");
      settle();
    });
  };

  worker.on("message", (message: FromAckWorker) => {
    switch (message.kind) {
      case "listening":
        return listening(message.port);
      case "listen-failed":
        return failedToListen(Object.assign(new Error(message.message), { code: message.code }));
      case "delivery": {
        const delivery = { event: message.event, file: message.file };
        if (handle === undefined) early.push(delivery);
        else take(delivery);
        return;
      }
      case "log":
        return log[message.level](message.fields, message.msg);
      case "closed":
        return;
    }
  });
  let started = false;
  let crashed = false;
  const crash = (error: Error) => {
    // Before it listens, a failure is the start's own (`listen-failed` came first when the port is taken).
    if (!started) return failedToListen(error);
    if (crashed || closing) return;
    crashed = true;
    log.error({ err: error }, "the webhook thread stopped: webhooks are no longer answered");
    options.onCrash(error);
  };
  worker.on("error", crash);
  worker.once("exit", (code) => {
    ended = true;
    crash(new Error(`the webhook thread exited (code ${code})`));
  });

  const port = await listened.catch(async (error: unknown) => {
    closing = true;
    await worker.terminate();
    throw error;
  });
  started = true;
  return {
    port,
    worker,
    attach(given) {
      handle = given;
      for (const delivery of early.splice(0)) take(delivery);
    },
    open(inner) {
      send({ kind: "open", inner });
    },
    async close() {
      if (closing) return exited;
      closing = true;
      if (ended) return;
      send({ kind: "close" });
      const timer = setTimeout(() => void worker.terminate(), CLOSE_WAIT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}
