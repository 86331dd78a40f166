import { Octokit } from "@octokit/rest";
import { NomadPatchError, UsageError } from "../errors.js";

/** `owner/repo` (open an issue) or `owner/repo#12` (comment on issue 12). */
export interface DeliveryTarget {
  readonly owner: string;
  readonly repo: string;
  readonly issue?: number;
}

export interface DeliveryInput {
  readonly to: DeliveryTarget;
  readonly key: string;
  readonly title: string;
  readonly description: string;
  /** One line per entry or changed item, already worded. */
  readonly summary: readonly string[];
}

export interface Delivered {
  readonly kind: "issue" | "comment";
  readonly url: string;
  readonly issue: number;
}

/** GitHub said no, or did not answer in time; the patch itself is published either way. */
export class DeliveryError extends NomadPatchError {
  readonly code = "DELIVERY";
  override readonly exitCode = 75; // EX_TEMPFAIL: the key can still be posted by hand
}

export function parseDeliveryTarget(text: string): DeliveryTarget {
  const match = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)(?:#(\d+))?$/.exec(text.trim());
  if (!match)
    throw new UsageError(`--deliver takes owner/repo or owner/repo#issue, got ${JSON.stringify(text)}`);
  const [, owner = "", repo = "", issue] = match;
  return issue === undefined ? { owner, repo } : { owner, repo, issue: Number(issue) };
}

/**
 * The post: the key on a `Patch:` line, which the bot takes as offered (docs/design.md §8). The target's key is
 * left out on purpose: the bot would read it as one more key to look at; its review names the target.
 */
export function deliveryBody(input: DeliveryInput): string {
  const lines = [
    input.description.trim(),
    "",
    `Patch: \`${input.key}\``,
    "",
    ...input.summary.map((line) => `- ${line}`),
  ];
  return `${lines.join("\n").trim()}\n`;
}

type DeliveryDeps = {
  readonly token: string | undefined;
  readonly baseUrl?: string;
  readonly timeoutMs?: number;
};

function gitHubClient(deps: DeliveryDeps): Octokit {
  if (!deps.token)
    throw new UsageError("--deliver needs a GitHub token in GITHUB_TOKEN; nothing was published", {
      hint: "create a token that may open issues on the repository, set GITHUB_TOKEN, and run the command again",
    });
  return new Octokit({
    auth: deps.token,
    userAgent: "nomad-patch",
    // Failures reach the user once, as a DeliveryError; Octokit's own request log would repeat them.
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
    ...(deps.baseUrl ? { baseUrl: deps.baseUrl } : {}),
    request: { signal: AbortSignal.timeout(deps.timeoutMs ?? 30_000), retries: 0 },
  });
}

/**
 * What went wrong, in words that do not invent an answer: Octokit gives status 500 to a request that never
 * reached GitHub (no network, DNS, a refused connection, its own timeout), with no `response`
 * (@octokit/request, `fetchWrapper`), so only a failure with a response is something GitHub answered.
 */
function describeFailure(error: unknown): { answered: boolean; why: string } {
  const { status, response, name, message } = error as {
    status?: number;
    response?: unknown;
    name?: string;
    message?: string;
  };
  if (status && response !== undefined) return { answered: true, why: `GitHub answered ${status}` };
  if (name === "AbortError" || name === "TimeoutError") return { answered: false, why: "no answer in time" };
  return { answered: false, why: deepestMessage(error) ?? message ?? String(error) };
}

/** fetch says only "fetch failed" and Octokit may say "Unknown Error"; the reason is in the causes below. */
function deepestMessage(error: unknown): string | undefined {
  let found: string | undefined;
  let current = error as { message?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; depth < 5 && current; depth++) {
    const { message } = current;
    if (typeof message === "string" && message && message !== "Unknown Error" && message !== "fetch failed")
      found = message;
    current = current.cause as typeof current;
  }
  return found;
}

const where = (to: DeliveryTarget) => `${to.owner}/${to.repo}${to.issue ? `#${to.issue}` : ""}`;

/**
 * What can be checked before anything is published (every retry after a late failure would leave one more
 * patch key behind): a token, a repository the token can see with issues on, and the issue to comment on.
 */
export async function checkDeliveryTarget(deps: DeliveryDeps, to: DeliveryTarget): Promise<void> {
  const octokit = gitHubClient(deps);
  const { owner, repo, issue } = to;
  try {
    const { data } = await octokit.rest.repos.get({ owner, repo });
    if (data.has_issues === false)
      throw new UsageError(`${owner}/${repo} has issues turned off; nothing was published`);
    if (issue !== undefined) await octokit.rest.issues.get({ owner, repo, issue_number: issue });
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const status = (error as { status?: number }).status;
    if (status === 401 || status === 403 || status === 404)
      throw new UsageError(
        `GitHub answered ${status} for ${where(to)}: no such repository or issue, or GITHUB_TOKEN may not see it; nothing was published`,
        { cause: error },
      );
    const failure = describeFailure(error);
    throw new DeliveryError(
      failure.answered
        ? `Could not check ${where(to)} on GitHub (${failure.why}); nothing was published`
        : `Could not reach GitHub to check ${where(to)} (${failure.why}); nothing was published`,
      { cause: error, hint: "try again when GitHub answers" },
    );
  }
}

/**
 * Post a patch request's key on GitHub for the contributor (docs/design.md §8): a new issue titled like the
 * patch, or a comment on an existing one. The token comes from the environment; the call is bounded.
 */
export async function deliverToGitHub(deps: DeliveryDeps, input: DeliveryInput): Promise<Delivered> {
  const octokit = gitHubClient(deps);
  const { owner, repo, issue } = input.to;
  const body = deliveryBody(input);
  try {
    if (issue === undefined) {
      const { data } = await octokit.rest.issues.create({ owner, repo, title: input.title, body });
      return { kind: "issue", url: data.html_url, issue: data.number };
    }
    const { data } = await octokit.rest.issues.createComment({ owner, repo, issue_number: issue, body });
    return { kind: "comment", url: data.html_url, issue };
  } catch (error) {
    const { why } = describeFailure(error);
    throw new DeliveryError(
      `The patch request ${input.key} is published, but posting it on ${where(input.to)} failed (${why})`,
      {
        cause: error,
        hint: `do not propose it again: post this line on ${where(input.to)} yourself: Patch: \`${input.key}\``,
      },
    );
  }
}
