#!/usr/bin/env node
// Runs the GitHub App: the Kubo node first (configured or managed), then Probot's server.
// Without GitHub App credentials Probot starts in setup mode, which registers the app.
import { run } from "probot";
import { readEnvironment } from "../config/environment.js";
import { openKubo } from "../ipfs/open-kubo.js";
import { openNodeJournal } from "../service/node-journal.js";
import { openBlockCache } from "../service/open-block-cache.js";
import { createApp } from "./index.js";

const log = (line: string) => process.stderr.write(`[nomad-patch] ${line}\n`);

/**
 * Probot's setup mode opens a smee.io webhook proxy only when started through `npx` (it imports smee-client
 * that way); under `npm start` or `node` it can only warn "SmeeClient is not available", which reads like a
 * fault. Skip that attempt and say what it means instead (README, "Install it on your repository").
 */
function skipSmeeSetup(): void {
  if (process.env.WEBHOOK_PROXY_URL || process.env.NO_SMEE_SETUP !== undefined) return;
  process.env.NO_SMEE_SETUP = "true";
  if (!process.env.APP_ID)
    log(
      "setup mode: no webhook proxy (smee.io) is opened, so GitHub will send webhooks to the URL the app is registered from; register it from a host GitHub can reach, or set WEBHOOK_PROXY_URL (see the README)",
    );
}

async function main(): Promise<void> {
  skipSmeeSetup();
  const environment = readEnvironment();
  const kubo = await openKubo({
    apiUrl: environment.kuboApiUrl,
    dataDir: environment.dataDir,
    swarmPort: environment.kuboSwarmPort,
    limits: { timeoutMs: environment.callTimeoutMs, resolveTimeoutMs: environment.resolveTimeoutMs },
    log,
  });
  let server: Awaited<ReturnType<typeof run>>;
  let closeCache = async () => {};
  try {
    // The node's apply journal (keyed by its peer id in the data directory): what makes an apply exactly-once.
    const journal = await openNodeJournal(kubo.store, environment.dataDir);
    // One cache for the process: a target's history is read once, then every later review is warm.
    // Backed by the data directory: after a restart, what was read before is read from disk.
    const cache = await openBlockCache(kubo.store, environment, log);
    closeCache = cache.close;
    server = await run(createApp({ store: cache.store, environment, journal }));
  } catch (error) {
    await kubo.close();
    throw error;
  }
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping`);
    await server.stop().catch((error: unknown) => log(`server stop failed: ${(error as Error).message}`));
    await closeCache().catch((error: unknown) =>
      log(`block cache close failed: ${(error as Error).message}`),
    );
    await kubo.close().catch((error: unknown) => log(`Kubo stop failed: ${(error as Error).message}`));
    process.exit(0);
  };
  // Probot installs its own SIGINT handler only outside setup mode; replace it so the
  // managed Kubo always stops with the server.
  process.removeAllListeners("SIGINT");
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
}

main().catch((error: unknown) => {
  log((error as Error).message);
  const { hint } = error as { hint?: string };
  if (hint !== undefined) log(hint);
  process.exit((error as { exitCode?: number }).exitCode ?? 1);
});
