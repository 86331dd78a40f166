import { readFileSync } from "node:fs";
import { getPrivateKey } from "@probot/get-private-key";
import { UsageError } from "../errors.js";

/**
 * Probot reads the GitHub App's credentials itself and turns the ones it cannot use into setup mode
 * without saying why: an `APP_ID` that is not a number, a `PRIVATE_KEY_PATH` that does not exist (it prints
 * a stack trace and carries on), a key without an `APP_ID`. An unreadable `PORT` becomes 3000. An operator
 * then sees the registration page instead of a running bot, or a bot on another port. These are checked
 * before anything starts, each problem naming the setting to fix.
 */
export interface AppCredentials {
  /** No credentials at all: Probot's setup mode registers the app (README, "The two commands"). */
  readonly setupMode: boolean;
}

const set = (value: string | undefined): value is string => value !== undefined && value.trim() !== "";

export function checkAppCredentials(env: NodeJS.ProcessEnv = process.env): AppCredentials {
  const problems: string[] = [];
  if (set(env.PORT) && !isPort(env.PORT))
    problems.push(`PORT: expected a port number from 1 to 65535, got ${JSON.stringify(env.PORT)}`);
  const appId = set(env.APP_ID) ? env.APP_ID.trim() : undefined;
  if (appId !== undefined && !/^[1-9][0-9]{0,15}$/.test(appId))
    problems.push(
      `APP_ID: expected the GitHub App's numeric App ID (its settings page, "General", "App ID"), got ${JSON.stringify(env.APP_ID)}`,
    );
  const keyProblem = privateKeyProblem(env);
  if (keyProblem) problems.push(keyProblem);
  const hasKey = set(env.PRIVATE_KEY) || set(env.PRIVATE_KEY_PATH);
  if (appId !== undefined && !hasKey)
    problems.push(
      "APP_ID is set without a private key: set PRIVATE_KEY_PATH to the .pem file GitHub gave for the app (or PRIVATE_KEY to its text); unset APP_ID to register a new app in setup mode",
    );
  if (appId === undefined && hasKey)
    problems.push(
      "a private key is set without APP_ID: set APP_ID to the app's numeric App ID; unset the key to register a new app in setup mode",
    );
  // Probot refuses setup mode in production ("App ID is missing"), after the managed node has started.
  if (env.NODE_ENV === "production" && appId === undefined && !hasKey)
    problems.push(
      "no GitHub App credentials: under NODE_ENV=production Probot has no setup mode; set APP_ID, PRIVATE_KEY_PATH (or PRIVATE_KEY) and WEBHOOK_SECRET (register the app once with `npm start` outside production, or by hand from app.yml)",
    );
  if (problems.length > 0)
    throw new UsageError(`Invalid GitHub App settings:\n${problems.map((line) => `- ${line}`).join("\n")}`, {
      hint: "fix them in the environment or in .env (see .env.example), then start the app again",
    });
  return { setupMode: appId === undefined };
}

function isPort(text: string): boolean {
  if (!/^[0-9]{1,5}$/.test(text.trim())) return false;
  const port = Number(text);
  return port >= 1 && port <= 65535;
}

/** The checks of Probot's key reader (@probot/get-private-key), made before it swallows their failure. */
function privateKeyProblem(env: NodeJS.ProcessEnv): string | undefined {
  if (set(env.PRIVATE_KEY)) {
    if (isPem(env.PRIVATE_KEY) || isPem(Buffer.from(env.PRIVATE_KEY, "base64").toString("utf8"))) return;
    return "PRIVATE_KEY: expected the text of a PEM private key (-----BEGIN RSA PRIVATE KEY----- …), or that text base64-encoded";
  }
  if (!set(env.PRIVATE_KEY_PATH)) return;
  let text: string;
  try {
    text = readFileSync(env.PRIVATE_KEY_PATH, "utf8");
  } catch (error) {
    return `PRIVATE_KEY_PATH: cannot read ${env.PRIVATE_KEY_PATH} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
  }
  if (!isPem(text))
    return `PRIVATE_KEY_PATH: ${env.PRIVATE_KEY_PATH} does not hold a PEM private key (the .pem file GitHub downloads under "Private keys")`;
  return;
}

function isPem(text: string): boolean {
  return /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]+-----END [A-Z ]*PRIVATE KEY-----/.test(
    text.replace(/\\n/g, "\n"),
  );
}

/**
 * The GitHub App's private key, found where Probot finds it (`PRIVATE_KEY`, `PRIVATE_KEY_PATH`, or the one
 * `.pem` file in the working directory), by Probot's own reader: the app signs its comments with a key
 * derived from the very key it authenticates with. Undefined when there is none (setup mode, a token).
 */
export function readAppPrivateKey(env: NodeJS.ProcessEnv = process.env, cwd?: string): string | undefined {
  try {
    return getPrivateKey({ env, ...(cwd === undefined ? {} : { cwd }) }) ?? undefined;
  } catch (error) {
    throw new UsageError(`The GitHub App's private key cannot be read: ${(error as Error).message}`, {
      hint: "set PRIVATE_KEY_PATH to the .pem file GitHub gave for the app (or PRIVATE_KEY to its text)",
    });
  }
}
