import type { AppLog } from "../job-context.js";
import { answeredStatus, CHECK_CREDENTIALS, gitHubMessage, REFUSALS } from "./installation-token.js";

/**
 * Asks GitHub who the app is (`GET /app`, signed with the app's private key: the bot's login, which jobs
 * need anyway) once when the app loads, in the background, so that wrong credentials show in the log at
 * start rather than at the first webhook's job. It never holds up or stops the start: GitHub may be
 * unreachable for a while (the app still takes webhooks and keeps them on disk), and a refusal is logged at
 * the error level with what to check (docs/decisions.md, "Credentials are checked at start, not enforced").
 */
export function checkCredentialsInBackground(botLogin: () => Promise<string>, log: AppLog): void {
  void botLogin().then(
    (login) => log.info({ login }, "GitHub accepted the app's credentials (GET /app)"),
    (error: unknown) => {
      const status = answeredStatus(error);
      const fields = { call: "GET /app", status: status ?? null, github: gitHubMessage(error) };
      if (status !== undefined && REFUSALS.has(status))
        log.error(fields, `GitHub refused the app's credentials: ${CHECK_CREDENTIALS}`);
      else
        log.warn(
          fields,
          "could not check the app's credentials with GitHub (GET /app failed): webhooks are still taken; their jobs will say if GitHub refuses the app",
        );
    },
  );
}
