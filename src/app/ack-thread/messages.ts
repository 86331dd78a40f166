import type { QueuedEvent } from "../disk-queue.js";

/** What the acknowledging thread is started with (`workerData`). */
export interface AckWorkerSettings {
  readonly port: number;
  readonly host: string;
  /** Probot's webhook path (`WEBHOOK_PATH`, by default `/api/github/webhooks`); `/` is taken as well. */
  readonly webhookPath: string;
  readonly secret: string;
  readonly maxBodyBytes: number;
  /** The disk queue's directory, where each accepted delivery's record is written before its answer. */
  readonly queueDir: string;
  readonly maxRecordBytes: number;
  /** Deliveries handed to the main thread and not yet taken by it; more are answered 503. */
  readonly maxUnsettled: number;
  /** Connections open at once, in all and from one client (`clientOf`); one more is closed at once. */
  readonly maxConnections: number;
  readonly maxConnectionsPerClient: number;
}

/** Where the requests that are not webhook deliveries are served: the main thread's HTTP server. */
export interface InnerAddress {
  readonly host: string;
  readonly port: number;
}

/** From the main thread to the acknowledging thread. */
export type ToAckWorker =
  /** The app is loaded (its queue replayed): answer deliveries, and pass the rest on to `inner`. */
  | { readonly kind: "open"; readonly inner: InnerAddress }
  /** One delivery handed over was taken by the app (queued, or found to need nothing). */
  | { readonly kind: "settled" }
  /** Stop listening, finish the requests under way, end. */
  | { readonly kind: "close" };

/** From the acknowledging thread to the main thread. */
export type FromAckWorker =
  | { readonly kind: "listening"; readonly port: number }
  /** `code`: the socket error's (`EADDRINUSE` for a taken port), which the start's exit code depends on. */
  | { readonly kind: "listen-failed"; readonly message: string; readonly code?: string }
  /** Answered 200: its record is `file` in the queue's directory (undefined: it could not be kept). */
  | { readonly kind: "delivery"; readonly event: QueuedEvent; readonly file: string | undefined }
  | {
      readonly kind: "log";
      readonly level: "info" | "warn" | "error";
      readonly fields: Record<string, unknown>;
      readonly msg: string;
    }
  | { readonly kind: "closed" };
