import { NomadPatchError } from "../errors.js";
import { InstallationTokenError } from "./github/installation-token.js";

export interface FailureDescription {
  /** Stable code for logs and the comment: the error's own, or GITHUB / GITHUB_PERMISSION / RATE_LIMITED / INTERNAL. */
  readonly code: string;
  /** What happened, in a sentence for the issue. */
  readonly message: string;
  /** What the reader can do about it, beyond trying again (the renderers say how to retry). */
  readonly hint?: string;
}

/**
 * What a failure means for the person reading the issue. Typed errors are thrown deep and caught here;
 * GitHub's errors are told apart by Octokit's `HttpError` shape, which only the app sees.
 */
export function describeFailure(error: unknown): FailureDescription {
  if (error instanceof InstallationTokenError)
    return { code: error.code, message: `GitHub gave the bot no installation token (${error.message}).` };
  const github = gitHubStatus(error);
  if (github !== undefined) {
    if (isRateLimit(error, github)) {
      return {
        code: "RATE_LIMITED",
        message: "GitHub's rate limit stopped the bot.",
        hint: "GitHub lifts the limit after a while; try again in a few minutes.",
      };
    }
    if (github === 403 && isMissingPermission(error)) {
      const needs = acceptedPermissions(error);
      return {
        code: "GITHUB_PERMISSION",
        message: `GitHub refused the bot a call that the app's permissions do not cover${needs ? ` (it needs ${needs})` : ""}.`,
        hint: "The app's owner grants the permissions app.yml lists (issues: write, contents: read, metadata: read) on the app's settings page (Permissions and events), and the installation's owner accepts them.",
      };
    }
    return { code: "GITHUB", message: `GitHub answered ${github} to the bot.` };
  }
  if (!(error instanceof NomadPatchError)) return UNEXPECTED;
  return describeCoded(error);
}

const UNEXPECTED: FailureDescription = {
  code: "INTERNAL",
  message: "The bot failed unexpectedly (a bug: see its log).",
};

/**
 * A failed apply as the apply journal kept it (`JournalRecord.failure`): described as the error was when it
 * happened, so a failure said after a stop reads as it would have read live. A record without a code kept
 * an error that was none of the project's, said live as unexpected too.
 */
export function describeRecordedFailure(failure: {
  readonly code?: string;
  readonly message: string;
  readonly hint?: string;
}): FailureDescription {
  if (failure.code === undefined) return UNEXPECTED;
  return describeCoded({ code: failure.code, message: failure.message, hint: failure.hint });
}

function describeCoded(error: {
  readonly code: string;
  readonly message: string;
  readonly hint?: string;
}): FailureDescription {
  switch (error.code) {
    case "KUBO_UNAVAILABLE":
      return { code: error.code, message: "The bot's IPFS node cannot be reached right now." };
    case "TIMEOUT":
      return {
        code: error.code,
        message: `IPFS did not answer in time (${error.message}): the content may be offline.`,
        hint: "Keep a node that has it online.",
      };
    case "NOT_FOUND":
      return {
        code: error.code,
        message: `${error.message}.`,
        hint: "Publish it and keep a node that has it online.",
      };
    case "DECODE":
      return {
        code: error.code,
        message: `This key does not hold a patch request: ${error.message}.`,
        hint: "Check that you posted the patch request's key (nomad-patch propose prints it).",
      };
    case "SOURCE_UNREACHABLE":
      return {
        code: error.code,
        message: `${error.message}.`,
        hint: "Bring that device back online (its node republishes its event stream), then approve again: the same approval applies.",
      };
    case "DIVERGENT_PUBLISH":
      return {
        code: error.code,
        message: `${error.message}.`,
        hint: "The review lists what the publish would change beyond the patch.",
      };
    default:
      return { code: error.code, message: `${error.message}.`, hint: asSentence(error.hint) };
  }
}

/** An error's hint is written for a terminal line ("rebase it first"); the issue reads it as a sentence. */
function asSentence(hint: string | undefined): string | undefined {
  if (hint === undefined || hint === "") return undefined;
  const capitalised = hint[0]?.toUpperCase() + hint.slice(1);
  return /[.!?]$/.test(capitalised) ? capitalised : `${capitalised}.`;
}

function gitHubStatus(error: unknown): number | undefined {
  const e = error as { name?: string; status?: unknown };
  return e?.name === "HttpError" && typeof e.status === "number" ? e.status : undefined;
}

/**
 * GitHub's answer to an installation token without the permission a call needs: a 403 whose message is
 * "Resource not accessible by integration". Trying again cannot help; the app's settings can.
 */
function isMissingPermission(error: unknown): boolean {
  const data = (error as { response?: { data?: { message?: unknown } } }).response?.data;
  return (
    typeof data?.message === "string" && data.message.startsWith("Resource not accessible by integration")
  );
}

/**
 * The permissions GitHub says the call needs (`X-Accepted-GitHub-Permissions: contents=read`), when the
 * header is such a list: it is repeated on the issue, so nothing else from it is.
 */
function acceptedPermissions(error: unknown): string | undefined {
  const headers = (error as { response?: { headers?: Record<string, unknown> } }).response?.headers;
  const value = headers?.["x-accepted-github-permissions"];
  return typeof value === "string" &&
    value.length <= 200 &&
    /^[a-z_]+=[a-z]+(; ?[a-z_]+=[a-z]+|, ?[a-z_]+=[a-z]+)*$/.test(value)
    ? value
    : undefined;
}

function isRateLimit(error: unknown, status: number): boolean {
  if (status === 429) return true;
  const headers = (error as { response?: { headers?: Record<string, string> } }).response?.headers;
  return status === 403 && headers?.["x-ratelimit-remaining"] === "0";
}
