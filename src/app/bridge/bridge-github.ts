import type { Context } from "probot";
import { parseInboxIssueMarker } from "../../render/inbox-issue-markdown.js";
import type { IssueGitHub } from "../github/issue-github.js";

type Octokit = Context["octokit"];

/** One of the bot's open or closed inbox issues, as its marker names it. */
export interface InboxIssue {
  readonly number: number;
  readonly open: boolean;
  readonly key: string;
  readonly target: string;
}

/** What the inbox bridge asks of GitHub about one repository: a small port over Octokit. */
export interface BridgeGitHub {
  readonly owner: string;
  readonly repo: string;
  readonly installationId: number | undefined;
  readonly octokit: Octokit;
  /** The configuration file's text on the default branch (`IssueGitHub.readFile`). */
  readonly readFile: IssueGitHub["readFile"];
  /**
   * The bot's issues carrying `label`, newest first, at most `MAX_LISTED_PAGES` pages: only issues the
   * bot opened count (anyone may write a marker), and pull requests are left out.
   */
  listInboxIssues(label: string, state: "open" | "all", botLogin: string): Promise<InboxIssue[]>;
  createIssue(issue: { title: string; body: string; labels: readonly string[] }): Promise<number>;
}

/** 1,000 issues: far above any `maxOpenIssues`; beyond, the newest are what a restart looks for. */
const MAX_LISTED_PAGES = 10;

/**
 * The installation's client for `owner/repo` (asked of GitHub as the app, `GET /repos/{owner}/{repo}/installation`)
 * with every call bounded by `timeoutMs`.
 */
export async function bridgeGitHub(
  auth: (installationId?: number) => Promise<Octokit>,
  repository: string,
  timeoutMs: number,
): Promise<BridgeGitHub> {
  const [owner = "", repo = ""] = repository.split("/");
  const bounded = () => ({ request: { signal: AbortSignal.timeout(timeoutMs) } });
  const asApp = await auth();
  const { data } = await asApp.rest.apps.getRepoInstallation({ owner, repo, ...bounded() });
  const installationId = data.id;
  const octokit = await auth(installationId);
  return {
    owner,
    repo,
    installationId,
    octokit,
    async readFile(path) {
      try {
        const { data: file } = await octokit.rest.repos.getContent({ owner, repo, path, ...bounded() });
        if (Array.isArray(file) || file.type !== "file" || typeof file.content !== "string") return undefined;
        return Buffer.from(file.content, "base64").toString("utf8");
      } catch (error) {
        if ((error as { status?: number }).status === 404) return undefined;
        throw error;
      }
    },
    async listInboxIssues(label, state, botLogin) {
      const found: InboxIssue[] = [];
      for (let page = 1; page <= MAX_LISTED_PAGES; page++) {
        const { data: issues } = await octokit.rest.issues.listForRepo({
          owner,
          repo,
          labels: label,
          state,
          sort: "created",
          direction: "desc",
          per_page: 100,
          page,
          ...bounded(),
        });
        for (const issue of issues) {
          if (issue.pull_request || issue.user?.login !== botLogin) continue;
          const marker = parseInboxIssueMarker(issue.body);
          if (marker) found.push({ number: issue.number, open: issue.state === "open", ...marker });
        }
        if (issues.length < 100) break;
      }
      return found;
    },
    async createIssue(issue) {
      const { data: created } = await octokit.rest.issues.create({
        owner,
        repo,
        title: issue.title,
        body: issue.body,
        labels: [...issue.labels],
        ...bounded(),
      });
      return created.number;
    },
  };
}
