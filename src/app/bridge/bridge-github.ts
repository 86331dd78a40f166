import type { Context } from "probot";
import type { IssueGitHub } from "../github/issue-github.js";
import type { MarkerSigner } from "../marker-signer.js";

type Octokit = Context["octokit"];

/**
 * One of the bot's open or closed inbox issues, as its marker names it. `key` and `target` are undefined
 * when the marker is missing or its signature is not the bot's (a writer edited the body, or an earlier
 * version opened the issue): an issue of the bot's, for a key and target nobody can tell.
 */
export interface InboxIssue {
  readonly number: number;
  readonly open: boolean;
  readonly key: string | undefined;
  readonly target: string | undefined;
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
   * bot opened count (anyone may write a marker), and pull requests are left out. Each names its key and
   * target only when its marker's signature verifies.
   */
  listInboxIssues(label: string, state: "open" | "all", botLogin: string): Promise<InboxIssue[]>;
  /**
   * The bot's issue for `key` in `target`'s inbox, wherever it is among the labelled issues: the newest
   * (listed: seconds-old issues are not in the search index yet), then GitHub's search for the key's text
   * (older ones, past what the listing reads). At most `MAX_LISTED_PAGES` + 1 calls.
   */
  findInboxIssue(
    label: string,
    key: string,
    target: string,
    botLogin: string,
  ): Promise<InboxIssue | undefined>;
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
  markers: MarkerSigner,
): Promise<BridgeGitHub> {
  const [owner = "", repo = ""] = repository.split("/");
  const bounded = () => ({ request: { signal: AbortSignal.timeout(timeoutMs) } });
  const asApp = await auth();
  const { data } = await asApp.rest.apps.getRepoInstallation({ owner, repo, ...bounded() });
  const installationId = data.id;
  const octokit = await auth(installationId);
  const listInboxIssues: BridgeGitHub["listInboxIssues"] = async (label, state, botLogin) => {
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
      found.push(...inboxIssuesOf(issues, botLogin, markers, { owner, repo }));
      if (issues.length < 100) break;
    }
    return found;
  };
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
    listInboxIssues,
    async findInboxIssue(label, key, target, botLogin) {
      const isIt = (issue: InboxIssue) => issue.key === key && issue.target === target;
      const listed = (await listInboxIssues(label, "all", botLogin)).find(isIt);
      if (listed) return listed;
      // One page: only people who may label issues can put one in these results, and the bot opens one
      // issue per key, so the key's own is among the first hundred.
      const { data } = await octokit.rest.search.issuesAndPullRequests({
        q: `repo:${owner}/${repo} is:issue label:"${label.replaceAll('"', "")}" in:body "${key}"`,
        per_page: 100,
        ...bounded(),
      });
      return inboxIssuesOf(data.items, botLogin, markers, { owner, repo }).find(isIt);
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

type ListedIssue = {
  readonly number: number;
  readonly state: string;
  readonly body?: string | null;
  readonly pull_request?: unknown;
  readonly user: { readonly login: string } | null;
};

/**
 * The bot's issues among `issues` (anyone may open one with the label and a marker), each with the key
 * and target of its marker when the marker's signature is the bot's for the repository (a writer may
 * edit the bot's issue body).
 */
function inboxIssuesOf(
  issues: readonly ListedIssue[],
  botLogin: string,
  markers: MarkerSigner,
  repository: { readonly owner: string; readonly repo: string },
): InboxIssue[] {
  const found: InboxIssue[] = [];
  for (const issue of issues) {
    if (issue.pull_request || issue.user?.login !== botLogin) continue;
    const marker = markers.readInboxIssue(issue.body, repository);
    found.push({
      number: issue.number,
      open: issue.state === "open",
      key: marker?.key,
      target: marker?.target,
    });
  }
  return found;
}
