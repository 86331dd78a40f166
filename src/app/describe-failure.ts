import { NomadPatchError } from "../../errors.js";

export interface FailureDescription {
  /** Stable code for logs: the error's own, or GITHUB / RATE_LIMITED / INTERNAL. */
  readonly code: string;
  /** One sentence for the issue: what happened and what to do. */
  readonly text: string;
}

/** What a failure means for the person reading the issue. Typed errors are thrown deep and caught here. */
export function describeFailure(error: unknown, refresh = "/refresh"): FailureDescription {
  const retry = `Nothing was changed; comment \`${refresh}\` to try again.`;
  const github = gitHubStatus(error);
  if (github !== undefined) {
    if (isRateLimit(error, github)) {
      return { code: "RATE_LIMITED", text: `GitHub's rate limit stopped the bot. ${retry}` };
    }
    return { code: "GITHUB", text: `GitHub answered ${github} to the bot. ${retry}` };
  }
  if (!(error instanceof NomadPatchError)) {
    return { code: "INTERNAL", text: `The bot failed unexpectedly (a bug: see its log). ${retry}` };
  }
  switch (error.code) {
    case "KUBO_UNAVAILABLE":
      return { code: error.code, text: `The bot's IPFS node cannot be reached right now. ${retry}` };
    case "TIMEOUT":
      return {
        code: error.code,
        text: `IPFS did not answer in time (${error.message}): the content may be offline. Keep a node that has it online. ${retry}`,
      };
    case "NOT_FOUND":
      return {
        code: error.code,
        text: `${error.message}. Publish it and keep a node that has it online, then comment \`${refresh}\`.`,
      };
    case "DECODE":
      return {
        code: error.code,
        text: `This key does not hold a patch request: ${error.message}. Check that you posted the patch request's key (\`nomad-patch propose\` prints it).`,
      };
    default:
      return { code: error.code, text: `${error.message}.` };
  }
}

function gitHubStatus(error: unknown): number | undefined {
  const e = error as { name?: string; status?: unknown };
  return e?.name === "HttpError" && typeof e.status === "number" ? e.status : undefined;
}

function isRateLimit(error: unknown, status: number): boolean {
  if (status === 429) return true;
  const headers = (error as { response?: { headers?: Record<string, string> } }).response?.headers;
  return status === 403 && headers?.["x-ratelimit-remaining"] === "0";
}
