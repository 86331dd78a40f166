import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { z } from "zod";
import { UsageError } from "../errors.js";
import { defaultFoldLimits, type FoldLimits } from "../nomad/fold-budget.js";

/**
 * Deployment settings, read once from the environment at start-up and checked here, so
 * a typo fails at boot with a message instead of at the first webhook.
 * Secrets (GitHub App credentials) are read by Probot itself; they are only checked here.
 */
/** GitHub caps a webhook payload at 25 MB; nothing larger can be a real delivery. */
export const MAX_WEBHOOK_BYTES = 25 * 1024 * 1024;

/** Repositories read at start for the inbox bridge: each costs a few GitHub calls before it listens. */
export const MAX_INBOX_REPOSITORIES = 20;

const seconds = (fallback: number, max: number) =>
  z.coerce.number().int().positive().max(max).default(fallback);

const schema = z.object({
  KUBO_API_URL: z.url({ protocol: /^https?$/ }).optional(),
  KUBO_BIN: z.string().min(1).optional(),
  NOMAD_PATCH_DATA_DIR: z.string().min(1).optional(),
  NOMAD_PATCH_RESOLVE_TIMEOUT_SECONDS: seconds(60, 600),
  NOMAD_PATCH_CALL_TIMEOUT_SECONDS: seconds(30, 600),
  /** An export of a DAG is given up after this long without a byte, and in any case after the ceiling. */
  NOMAD_PATCH_EXPORT_IDLE_SECONDS: seconds(30, 600),
  NOMAD_PATCH_EXPORT_MAX_SECONDS: seconds(600, 3600),
  NOMAD_PATCH_MAX_ENTRIES: z.coerce.number().int().positive().max(100_000).default(1000),
  NOMAD_PATCH_MAX_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .max(1024 * 1024 * 1024)
    .default(64 * 1024 * 1024),
  /** The work one fold may do (docs/decisions.md): steps, and an estimate of the bytes of state built. */
  NOMAD_PATCH_MAX_FOLD_STEPS: z.coerce
    .number()
    .int()
    .min(1000)
    .max(100_000_000)
    .default(defaultFoldLimits.maxSteps),
  NOMAD_PATCH_MAX_FOLD_STATE_BYTES: z.coerce
    .number()
    .int()
    .min(64 * 1024)
    .max(1024 * 1024 * 1024)
    .default(defaultFoldLimits.maxStateBytes),
  /** Decoded blocks kept in memory (blocks are immutable: a block read once is not fetched again). */
  NOMAD_PATCH_BLOCK_CACHE_BLOCKS: z.coerce.number().int().min(1).max(10_000_000).default(50_000),
  /** Memory the block cache may hold (bytes and decoded values), in MiB. */
  NOMAD_PATCH_BLOCK_CACHE_MB: z.coerce
    .number()
    .int()
    .min(1)
    .max(64 * 1024)
    .default(128),
  /** Blocks kept on disk in the data directory across restarts, in MiB; 0 keeps none. */
  NOMAD_PATCH_DISK_CACHE_MB: z.coerce
    .number()
    .int()
    .min(0)
    .max(1024 * 1024)
    .default(256),
  /** GitHub caps webhook payloads at 25 MB; an operator may only lower the bound. */
  NOMAD_PATCH_MAX_WEBHOOK_BYTES: z.coerce
    .number()
    .int()
    .min(64 * 1024)
    .max(MAX_WEBHOOK_BYTES)
    .default(MAX_WEBHOOK_BYTES),
  /**
   * Connections the webhook thread (`npm start`) holds open at once, in all and per client address (IPv4,
   * or IPv6 /64): one more is closed at once. Behind a reverse proxy every connection is the proxy's, so
   * an operator there sets the per-client cap to the total (docs/operator-guide.md).
   */
  NOMAD_PATCH_MAX_CONNECTIONS: z.coerce.number().int().min(1).max(100_000).default(512),
  NOMAD_PATCH_MAX_CONNECTIONS_PER_CLIENT: z.coerce.number().int().min(1).max(100_000).default(128),
  /** Patch keys the app reviews per person per hour; people with write access are not limited. */
  NOMAD_PATCH_KEYS_PER_SENDER_PER_HOUR: z.coerce.number().int().min(1).max(100_000).default(30),
  /** The inboxes (docs/configuration.md "Inbox"): messages a minute per sending peer, from all, keys pending. */
  NOMAD_PATCH_INBOX_PER_SENDER_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(30),
  NOMAD_PATCH_INBOX_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(300),
  NOMAD_PATCH_INBOX_MAX_PENDING: z.coerce.number().int().min(1).max(10_000).default(100),
  /**
   * The repositories whose `.github/nomad-patch.yml` may make the app open issues for a target's inbox
   * (docs/configuration.md "Inbox bridge"): `owner/repo`, comma- or space-separated.
   */
  NOMAD_PATCH_INBOX_REPOSITORIES: z
    .string()
    .default("")
    .transform((text) => text.split(/[\s,]+/).filter((name) => name !== ""))
    .pipe(
      z
        .array(
          z.string().regex(/^[A-Za-z0-9-]{1,39}\/[A-Za-z0-9._-]{1,100}$/, {
            error: (issue) => `expected owner/repo, got ${JSON.stringify(issue.input)}`,
          }),
        )
        .max(MAX_INBOX_REPOSITORIES),
    ),
  /** Open patch keys are polled at most this often, whatever a repository asks (docs/configuration.md). */
  NOMAD_PATCH_WATCH_MIN_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  /** Watched keys resolved per minute across every repository: the cap that a flood of open issues meets. */
  NOMAD_PATCH_WATCH_RESOLVES_PER_MINUTE: z.coerce.number().int().min(1).max(10_000).default(30),
  /** (issue, key) pairs watched at once; 0 turns watching off. */
  NOMAD_PATCH_WATCH_MAX_KEYS: z.coerce.number().int().min(0).max(1_000_000).default(5000),
  /** The managed Kubo's swarm port; 0 picks a free one (only sensible for tests and demos). */
  NOMAD_PATCH_KUBO_SWARM_PORT: z.coerce.number().int().min(0).max(65535).default(4001),
  /** The IPFS gateway the review's "view" links of binary files open; the public one unless set. */
  NOMAD_PATCH_GATEWAY_URL: z.url({ protocol: /^https?$/ }).default("https://ipfs.io"),
  NODE_ENV: z.string().optional(),
  WEBHOOK_SECRET: z.string().optional(),
  APP_ID: z.string().optional(),
});

export interface Environment {
  readonly kuboApiUrl: string | undefined;
  readonly kuboBin: string | undefined;
  readonly dataDir: string;
  readonly resolveTimeoutMs: number;
  readonly callTimeoutMs: number;
  /** A DAG export is given up after this long without a byte from the node. */
  readonly exportIdleMs: number;
  /** A DAG export ends by this time, however steadily it streams. */
  readonly exportMaxMs: number;
  readonly maxEntries: number;
  readonly maxBytes: number;
  readonly foldLimits: FoldLimits;
  readonly kuboSwarmPort: number;
  readonly blockCacheBlocks: number;
  readonly blockCacheBytes: number;
  /** 0: no block cache on disk. */
  readonly diskCacheBytes: number;
  /** Webhook bodies above this are refused with 413 before they are read whole. */
  readonly maxWebhookBytes: number;
  /** The webhook thread's connections open at once, in all: one more is closed at once. */
  readonly maxConnections: number;
  /** Of those, from one client address (IPv4, or IPv6 /64): one more is closed at once. */
  readonly maxConnectionsPerClient: number;
  readonly keysPerSenderPerHour: number;
  /** What a node's inboxes take (docs/configuration.md "Inbox"). */
  readonly inbox: {
    readonly perSenderPerMinute: number;
    readonly perMinute: number;
    readonly maxPending: number;
    /** The repositories that may bridge a target's inbox into their issues (`owner/repo`). */
    readonly repositories: readonly string[];
  };
  /** The shortest interval between two resolves of one watched key. */
  readonly watchMinIntervalMs: number;
  readonly watchResolvesPerMinute: number;
  /** 0: open patch keys are not watched. */
  readonly watchMaxKeys: number;
  /** Where the review links files through: `{gatewayUrl}/ipfs/{cid}`. */
  readonly gatewayUrl: string;
  readonly production: boolean;
}

/** Checks the environment; every problem is listed at once. */
export function readEnvironment(env: NodeJS.ProcessEnv = process.env): Environment {
  const parsed = schema.safeParse(env);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
  // Probot silently falls back to the secret "development": never acceptable for a real app.
  if (env.NODE_ENV === "production" && env.APP_ID && !env.WEBHOOK_SECRET)
    problems.push("WEBHOOK_SECRET must be set in production: without it anyone could forge webhooks");
  if (!parsed.success || problems.length > 0) {
    throw new UsageError(`Invalid environment settings:\n${problems.map((line) => `- ${line}`).join("\n")}`, {
      hint: "fix them in the environment (the app also reads .env) as the README's Configuration describes, then run again",
    });
  }
  const e = parsed.data;
  const production = e.NODE_ENV === "production";
  return {
    kuboApiUrl: e.KUBO_API_URL,
    kuboBin: e.KUBO_BIN,
    dataDir: resolve(e.NOMAD_PATCH_DATA_DIR ?? defaultDataDir(env)),
    resolveTimeoutMs: e.NOMAD_PATCH_RESOLVE_TIMEOUT_SECONDS * 1000,
    callTimeoutMs: e.NOMAD_PATCH_CALL_TIMEOUT_SECONDS * 1000,
    exportIdleMs: e.NOMAD_PATCH_EXPORT_IDLE_SECONDS * 1000,
    exportMaxMs: e.NOMAD_PATCH_EXPORT_MAX_SECONDS * 1000,
    maxEntries: e.NOMAD_PATCH_MAX_ENTRIES,
    maxBytes: e.NOMAD_PATCH_MAX_BYTES,
    foldLimits: { maxSteps: e.NOMAD_PATCH_MAX_FOLD_STEPS, maxStateBytes: e.NOMAD_PATCH_MAX_FOLD_STATE_BYTES },
    kuboSwarmPort: e.NOMAD_PATCH_KUBO_SWARM_PORT,
    blockCacheBlocks: e.NOMAD_PATCH_BLOCK_CACHE_BLOCKS,
    blockCacheBytes: e.NOMAD_PATCH_BLOCK_CACHE_MB * 1024 * 1024,
    diskCacheBytes: e.NOMAD_PATCH_DISK_CACHE_MB * 1024 * 1024,
    maxWebhookBytes: e.NOMAD_PATCH_MAX_WEBHOOK_BYTES,
    maxConnections: e.NOMAD_PATCH_MAX_CONNECTIONS,
    maxConnectionsPerClient: e.NOMAD_PATCH_MAX_CONNECTIONS_PER_CLIENT,
    keysPerSenderPerHour: e.NOMAD_PATCH_KEYS_PER_SENDER_PER_HOUR,
    inbox: {
      perSenderPerMinute: e.NOMAD_PATCH_INBOX_PER_SENDER_PER_MINUTE,
      perMinute: e.NOMAD_PATCH_INBOX_PER_MINUTE,
      maxPending: e.NOMAD_PATCH_INBOX_MAX_PENDING,
      repositories: [...new Set(e.NOMAD_PATCH_INBOX_REPOSITORIES)],
    },
    watchMinIntervalMs: e.NOMAD_PATCH_WATCH_MIN_INTERVAL_SECONDS * 1000,
    watchResolvesPerMinute: e.NOMAD_PATCH_WATCH_RESOLVES_PER_MINUTE,
    watchMaxKeys: e.NOMAD_PATCH_WATCH_MAX_KEYS,
    gatewayUrl: e.NOMAD_PATCH_GATEWAY_URL.replace(/\/+$/, ""),
    production,
  };
}

function defaultDataDir(env: NodeJS.ProcessEnv): string {
  return join(env.XDG_DATA_HOME ?? join(env.HOME ?? homedir(), ".local", "share"), "nomad-patch");
}
