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

/**
 * Post a patch request's key on GitHub for the contributor (docs/design.md §8): a new issue titled like the
 * patch, or a comment on an existing one. The token comes from the environment; the call is bounded.
 */
export async function deliverToGitHub(
  deps: { readonly token: string | undefined; readonly baseUrl?: string; readonly timeoutMs?: number },
  input: DeliveryInput,
): Promise<Delivered> {
  if (!deps.token) throw new UsageError("--deliver needs a GitHub token in GITHUB_TOKEN");
  const octokit = new Octokit({
    auth: deps.token,
    userAgent: "nomad-patch",
    // Failures reach the user once, as a DeliveryError; Octokit's own request log would repeat them.
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
    ...(deps.baseUrl ? { baseUrl: deps.baseUrl } : {}),
    request: { signal: AbortSignal.timeout(deps.timeoutMs ?? 30_000), retries: 0 },
  });
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
    const status = (error as { status?: number }).status;
    const why = status ? `GitHub answered ${status}` : (error as Error).message;
    throw new DeliveryError(
      `Could not post the patch request on ${owner}/${repo}${issue ? `#${issue}` : ""} (${why}); post the key ${input.key} by hand`,
      { cause: error },
    );
  }
}
