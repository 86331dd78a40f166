import type { AppLog } from "../job-context.js";

/**
 * Every GitHub call of a job first needs an installation token, which @octokit/auth-app asks for
 * (`POST /app/installations/{installation_id}/access_tokens`, signed with the app's private key) through
 * the same Octokit, so Octokit's retry plugin retries it inside the retries of the call that needed it:
 * 4 × 4 tries and about 160 s when GitHub answers 5xx or cannot be reached, twice per job (once more to
 * post the failure), all of it silent below the error level. With wrong credentials (APP_ID or
 * PRIVATE_KEY) GitHub answers 401 at once, but the job's log line named neither the call nor what to fix.
 *
 * `guard` makes a failed token call end the call that needed it: its error becomes an
 * `InstallationTokenError`, which carries no `request`, so the outer retry leaves it alone. The token call's
 * own retries stay (3 over about 15 s, for 5xx and network errors; never for 401/403/404, which retrying
 * cannot change). The first failure, and the first after a token was given again, is logged at the error
 * level with the call, GitHub's status and message, and what to check.
 */
export interface InstallationTokens {
  /** The same Octokit, its token calls guarded (once: a second `guard` changes nothing). */
  guard<T extends object>(octokit: T): T;
}

/** The slice of Octokit the guard hooks into (Octokit's own hook types are too generic to name here). */
interface GuardableOctokit {
  readonly hook: {
    wrap(
      name: "request",
      wrapper: (
        request: (options: RequestOptions) => Promise<unknown>,
        options: RequestOptions,
      ) => Promise<unknown>,
    ): void;
  };
}

interface RequestOptions {
  readonly method?: string;
  readonly url?: string;
  readonly installation_id?: unknown;
}

/** auth-app's route, as the wrapper sees it (a template) or as the request error reports it (a URL). */
const TOKEN_CALL = /\/app\/installations\/(?:\{installation_id\}|\d+)\/access_tokens$/;

/** GitHub's answers that mean the app's credentials or installation are wrong: asking again cannot help. */
export const REFUSALS: ReadonlySet<number> = new Set([401, 403, 404]);

/** What an operator whose credentials GitHub refuses should look at. */
export const CHECK_CREDENTIALS =
  "check APP_ID / PRIVATE_KEY (the App ID and a private key of the app, on its settings page)";

/** A job's GitHub call could not start: GitHub gave the app no installation token. */
export class InstallationTokenError extends Error {
  readonly code = "GITHUB_TOKEN";
  constructor(
    /** `POST /app/installations/42/access_tokens`. */
    readonly call: string,
    /** GitHub's HTTP status; undefined when GitHub could not be reached. */
    readonly gitHubStatus: number | undefined,
    /** GitHub's own message (or the network error's). */
    readonly gitHubMessage: string,
    options: { cause: unknown },
  ) {
    super(
      `${call} ${gitHubStatus === undefined ? "failed" : `answered ${gitHubStatus}`}: ${gitHubMessage}`,
      options,
    );
    this.name = "InstallationTokenError";
  }

  /** True when GitHub refused the app's credentials or installation (no retry can change that). */
  get refused(): boolean {
    return this.gitHubStatus !== undefined && REFUSALS.has(this.gitHubStatus);
  }

  /** What the operator should do, for the log line. */
  get hint(): string {
    return this.refused
      ? `${CHECK_CREDENTIALS}, and that the app is still installed on the repository`
      : "GitHub failed or could not be reached (retried 3 times): check the host's network and https://www.githubstatus.com";
  }
}

export function createInstallationTokens(log: AppLog): InstallationTokens {
  const guarded = new WeakSet<object>();
  /** A failure was logged and no token was given since: later ones go to the jobs' own lines only. */
  let reported = false;
  return {
    guard(octokit) {
      if (guarded.has(octokit)) return octokit;
      guarded.add(octokit);
      (octokit as unknown as GuardableOctokit).hook.wrap("request", async (request, options) => {
        if (!TOKEN_CALL.test(options.url ?? "")) return request(options);
        try {
          const answer = await request(options);
          reported = false;
          return answer;
        } catch (error) {
          if (error instanceof InstallationTokenError) throw error;
          const failure = tokenError(options, error);
          if (!reported) {
            reported = true;
            log.error(
              { call: failure.call, status: failure.gitHubStatus ?? null, github: failure.gitHubMessage },
              `GitHub gave the app no installation token: ${failure.hint}`,
            );
          }
          throw failure;
        }
      });
      return octokit;
    },
  };
}

/** GitHub's own message in an Octokit error (`response.data.message`), else the error's. */
export function gitHubMessage(error: unknown): string {
  const e = error as { message?: unknown; response?: { data?: { message?: unknown } } };
  const fromGitHub = e?.response?.data?.message;
  if (typeof fromGitHub === "string") return fromGitHub;
  return typeof e?.message === "string" ? e.message : String(error);
}

/**
 * The HTTP status GitHub answered with, in an Octokit error; undefined when GitHub could not be reached
 * (Octokit reports a network failure as a 500 without a response: it is not GitHub's answer).
 */
export function answeredStatus(error: unknown): number | undefined {
  const e = error as { status?: unknown; response?: unknown };
  if (e?.response === undefined) return undefined;
  return typeof e.status === "number" && e.status >= 400 && e.status < 600 ? e.status : undefined;
}

function tokenError(options: RequestOptions, error: unknown): InstallationTokenError {
  const id =
    typeof options.installation_id === "number" ? String(options.installation_id) : "{installation_id}";
  const call = `${options.method ?? "POST"} /app/installations/${id}/access_tokens`;
  return new InstallationTokenError(call, answeredStatus(error), gitHubMessage(error), { cause: error });
}
