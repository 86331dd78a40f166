#!/usr/bin/env node
// Runs the GitHub App: the Kubo node first (configured or managed), then Probot's server.
// Without GitHub App credentials Probot starts in setup mode, which registers the app.
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseEnv } from "node:util";
import { createNodeMiddleware, createProbot, type Probot, run } from "probot";
import { dotEnvExposure } from "../config/dotenv-exposure.js";
import { checkStartSettings } from "../config/start-settings.js";
import { type AckThread, startAckThread } from "./ack-thread/ack-thread.js";
import { openAppRuntime } from "./app-runtime.js";
import { createApp } from "./index.js";
import { answerPing, listenOnLoopback } from "./loopback-server.js";

const log = (line: string) => process.stderr.write(`[nomad-patch] ${line}\n`);

/**
 * Probot's setup mode opens a smee.io webhook proxy only when started through `npx` (it imports smee-client
 * that way); under `npm start` or `node` it can only warn "SmeeClient is not available", which reads like a
 * fault. Skip that attempt, and once setup mode serves, say what it means instead (README, "Install it on
 * your repository"): said before, it read as if setup mode ran when a failure then stopped the app.
 * Returns the line to say, if any.
 */
function skipSmeeSetup(setupMode: boolean): string | undefined {
  if (process.env.WEBHOOK_PROXY_URL || process.env.NO_SMEE_SETUP !== undefined) return undefined;
  process.env.NO_SMEE_SETUP = "true";
  return setupMode
    ? "setup mode: no webhook proxy (smee.io) is opened, so GitHub will send webhooks to the URL the app is registered from; register it from a host GitHub can reach, or set WEBHOOK_PROXY_URL (see the README)"
    : undefined;
}

/**
 * `.env` in the working directory, applied over the environment as Probot's `run` applies it
 * (probot/lib/helpers/apply-env.js), but first: the settings checked below, and the port the webhook
 * thread listens on, are read from it as Probot reads them.
 */
function applyDotEnv(): void {
  const path = join(process.cwd(), ".env");
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  const values = parseEnv(text);
  // Setup mode wrote the app's private key here, readable by every user of the machine: say so each start.
  if (process.platform !== "win32") {
    const exposure = dotEnvExposure(statSync(path).mode, values as Record<string, string>);
    if (exposure !== undefined) log(exposure);
  }
  Object.assign(process.env, values);
}

/**
 * The Probot instance `run` would make from the environment (probot/lib/run.js, bin/read-env-options.js):
 * `createProbot` reads the same settings but defaults the log level to `warn` and the format to `pretty`
 * where `run` uses `info`, and `json` under `NODE_ENV=production` (the Docker image).
 */
function probotFromEnvironment(env: NodeJS.ProcessEnv): Probot {
  return createProbot({
    env: {
      ...env,
      LOG_LEVEL: env.LOG_LEVEL || "info",
      LOG_FORMAT: env.LOG_FORMAT || (env.NODE_ENV === "production" ? "json" : "pretty"),
    },
  });
}

/**
 * With credentials, webhooks are answered on a thread of their own, which listens on `PORT` and passes
 * every other request to Probot's server on a loopback port (docs/architecture.md, "Threads"). Setup mode
 * serves Probot's registration pages alone, on `PORT`, as before.
 */
async function serve(
  deps: Parameters<typeof createApp>[0],
  setupMode: boolean,
  onCrash: (error: Error) => void,
): Promise<{ server: { stop(): Promise<void> }; thread: AckThread | undefined }> {
  if (setupMode) return { server: await run(createApp(deps)), thread: undefined };
  const host = process.env.HOST || "localhost";
  const webhookPath = process.env.WEBHOOK_PATH || "/api/github/webhooks";
  const thread = await startAckThread({
    port: Number(process.env.PORT) || 3000,
    host,
    // Probot's own defaults (server/server.js, probot.js) for what it would have checked itself.
    webhookPath,
    secret: process.env.WEBHOOK_SECRET || "development",
    maxBodyBytes: deps.environment.maxWebhookBytes,
    queueDir: join(deps.environment.dataDir, "queue"),
    maxConnections: deps.environment.maxConnections,
    maxConnectionsPerClient: deps.environment.maxConnectionsPerClient,
    log: {
      info: (fields: object | string, msg?: string) => log(describeLine(fields, msg)),
      warn: (fields: object | string, msg?: string) => log(describeLine(fields, msg)),
      error: (fields: object | string, msg?: string) => log(describeLine(fields, msg)),
    },
    onCrash,
  });
  try {
    const probot = probotFromEnvironment(process.env);
    // Probot's middleware, as its server would serve it, behind the thread (which answers the deliveries).
    const middleware = await createNodeMiddleware(createApp({ ...deps, acknowledged: thread }), {
      probot,
      webhooksPath: webhookPath,
    });
    const inner = await listenOnLoopback([answerPing, middleware], (error) =>
      probot.log.error({ err: error }, "a request to the app's server failed"),
    );
    thread.open(inner.address);
    // One line, with the address the operator configured: the loopback port is the thread's business.
    log(
      `Listening on http://${printableHost(host)}:${thread.port} (webhooks answered on a thread of their own)`,
    );
    return { server: { stop: inner.close }, thread };
  } catch (error) {
    await thread.close();
    throw error;
  }
}

/** `HOST` as a URL holds it: an IPv6 address in brackets (as Probot prints its own). */
function printableHost(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}

function describeLine(fields: object | string, msg?: string): string {
  if (typeof fields === "string") return fields;
  const { err, ...rest } = fields as { err?: unknown };
  const detail = Object.entries(rest).map(([key, value]) => `${key}=${String(value)}`);
  if (err !== undefined) detail.push(`error: ${err instanceof Error ? err.message : String(err)}`);
  return detail.length > 0 ? `${msg ?? ""} (${detail.join(", ")})` : (msg ?? "");
}

async function main(): Promise<void> {
  applyDotEnv();
  // Every setting is checked before the Kubo node starts, and every problem named in one run: a mistake
  // costs no daemon start-up, and no second start to find the next one.
  const {
    environment,
    credentials: { setupMode },
  } = checkStartSettings();
  const noProxy = skipSmeeSetup(setupMode);
  const runtime = await openAppRuntime(environment, log);
  let stopping = false;
  let served: Awaited<ReturnType<typeof serve>>;
  const stop = async (reason: string, exitCode: number) => {
    if (stopping) return;
    stopping = true;
    log(`${reason}: stopping`);
    await served?.thread
      ?.close()
      .catch((error: unknown) => log(`webhook thread stop failed: ${(error as Error).message}`));
    await served?.server
      .stop()
      .catch((error: unknown) => log(`server stop failed: ${(error as Error).message}`));
    await runtime.close().catch((error: unknown) => log(`stop failed: ${(error as Error).message}`));
    process.exit(exitCode);
  };
  try {
    // A webhook thread that stops on its own leaves no one answering GitHub: the app stops, loudly.
    served = await serve(
      runtime.deps,
      setupMode,
      (error) => void stop(`webhook thread failed (${error.message})`, 70),
    );
  } catch (error) {
    await runtime.close();
    throw error;
  }
  if (noProxy !== undefined) log(noProxy);
  const shutdown = (signal: string) => stop(signal, 0);
  // Probot installs its own SIGINT handler only outside setup mode; replace it so the
  // managed Kubo always stops with the server.
  process.removeAllListeners("SIGINT");
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
}

main().catch((error: unknown) => {
  log((error as Error).message);
  // A taken port is the host's state, not a bug: 69 (EX_UNAVAILABLE), as a taken swarm port is.
  const portTaken = (error as { code?: unknown }).code === "EADDRINUSE";
  const { hint } = portTaken
    ? {
        hint: "another process listens on it (a second app needs a PORT of its own as well as a NOMAD_PATCH_DATA_DIR of its own): stop it, or set PORT to a free port",
      }
    : (error as { hint?: string });
  if (hint !== undefined) log(hint);
  process.exit(portTaken ? 69 : ((error as { exitCode?: number }).exitCode ?? 1));
});
