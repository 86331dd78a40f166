import { UsageError } from "../errors.js";
import { type AppCredentials, checkAppCredentials } from "./app-credentials.js";
import { type Environment, readEnvironment } from "./environment.js";

/** What `npm start` needs to know before anything starts: the deployment settings and the app's credentials. */
export interface StartSettings {
  readonly environment: Environment;
  readonly credentials: AppCredentials;
}

/**
 * Both checks of the app's start, each run whatever the other found: an operator fixing a missing
 * `WEBHOOK_SECRET` should not learn of a wrong `PRIVATE_KEY_PATH` only on the next start. Every problem is
 * named in one error (exit 64); anything that is not a setting's problem is thrown as it is.
 */
export function checkStartSettings(env: NodeJS.ProcessEnv = process.env): StartSettings {
  const refused: UsageError[] = [];
  const attempt = <T>(check: () => T): T | undefined => {
    try {
      return check();
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      refused.push(error);
      return undefined;
    }
  };
  const environment = attempt(() => readEnvironment(env));
  const credentials = attempt(() => checkAppCredentials(env));
  if (environment !== undefined && credentials !== undefined) return { environment, credentials };
  const [only] = refused;
  if (refused.length === 1 && only !== undefined) throw only;
  throw new UsageError(refused.map((error) => error.message).join("\n"), {
    hint: "fix them in the environment or in .env (see .env.example and the README's Configuration), then start the app again",
  });
}
