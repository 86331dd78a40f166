#!/usr/bin/env node
// Runs the GitHub App: the Kubo node first (configured or managed), then Probot's server.
// Without GitHub App credentials Probot starts in setup mode, which registers the app.
import { run } from "probot";
import { checkAppCredentials } from "../config/app-credentials.js";
import { readEnvironment } from "../config/environment.js";
import { openAppRuntime } from "./app-runtime.js";
import { createApp } from "./index.js";

const log = (line: string) => process.stderr.write(`[nomad-patch] ${line}\n`);

/**
 * Probot's setup mode opens a smee.io webhook proxy only when started through `npx` (it imports smee-client
 * that way); under `npm start` or `node` it can only warn "SmeeClient is not available", which reads like a
 * fault. Skip that attempt and say what it means instead (README, "Install it on your repository").
 */
function skipSmeeSetup(setupMode: boolean): void {
  if (process.env.WEBHOOK_PROXY_URL || process.env.NO_SMEE_SETUP !== undefined) return;
  process.env.NO_SMEE_SETUP = "true";
  if (setupMode)
    log(
      "setup mode: no webhook proxy (smee.io) is opened, so GitHub will send webhooks to the URL the app is registered from; register it from a host GitHub can reach, or set WEBHOOK_PROXY_URL (see the README)",
    );
}

async function main(): Promise<void> {
  // Every setting is checked before the Kubo node starts: a mistake costs no daemon start-up.
  const environment = readEnvironment();
  const { setupMode } = checkAppCredentials();
  skipSmeeSetup(setupMode);
  const runtime = await openAppRuntime(environment, log);
  let server: Awaited<ReturnType<typeof run>>;
  try {
    server = await run(createApp(runtime.deps));
  } catch (error) {
    await runtime.close();
    throw error;
  }
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping`);
    await server.stop().catch((error: unknown) => log(`server stop failed: ${(error as Error).message}`));
    await runtime.close().catch((error: unknown) => log(`stop failed: ${(error as Error).message}`));
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
