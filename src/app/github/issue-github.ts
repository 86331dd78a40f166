import type { Context } from "probot";
import { type PermissionLevel, permissionFromGitHub } from "../../policy/index.js";
import type { AppLog } from "../job-context.js";
import type { MarkerSigner } from "../marker-signer.js";

export interface IssueRef {
  readonly owner: string;
  readonly repo: string;
  readonly issueNumber: number;
}

/** The work queue's lane for an issue: its jobs run one at a time, in order, whatever caused them. */
export function issueLane(ref: IssueRef): string {
  return `${ref.owner}/${ref.repo}#${ref.issueNumber}`;
}

export interface IssueComment {
  readonly id: number;
  readonly body: string;
  readonly login: string;
  readonly userType: string;
  /** When GitHub says the comment's current text was written (its `updated_at`; ISO 8601). */
  readonly writtenAt: string;
  /** When GitHub says the comment was posted (its `created_at`; ISO 8601). */
  readonly createdAt: string;
}

/** What a job that no webhook carried needs to know of its issue. */
export interface IssueFacts {
  readonly open: boolean;
  readonly labels: readonly string[];
  readonly body: string;
  readonly author: string;
  /**
   * Set when GitHub answered with another issue than the one asked for (`owner/repo#number`): the issue
   * was transferred (or its repository renamed), and GitHub's redirect, which Octokit follows, led there.
   */
  readonly answeredAs?: string;
}

/**
 * `owner/repo#number` of the issue GitHub answered with, when it is not `ref` (a transferred issue's old
 * address answers 301 to the new one); undefined when it is the one asked for. GitHub's names are not
 * case-sensitive. An answer without `repository_url` is judged by its number alone.
 */
export function otherIssue(
  ref: IssueRef,
  number: number,
  repositoryUrl: string | undefined,
): string | undefined {
  const path =
    repositoryUrl === undefined ? undefined : /\/repos\/([^/]+)\/([^/?#]+)\/?$/.exec(repositoryUrl);
  const repo = path ? `${path[1]}/${path[2]}` : `${ref.owner}/${ref.repo}`;
  const same = repo.toLowerCase() === `${ref.owner}/${ref.repo}`.toLowerCase() && number === ref.issueNumber;
  return same ? undefined : `${repo}#${number}`;
}

export type Reaction = "eyes" | "+1" | "-1" | "confused";

/** What the app asks of GitHub about one issue: a small port over Octokit, so jobs read as steps. */
export interface IssueGitHub {
  readonly ref: IssueRef;
  readIssue(): Promise<IssueFacts>;
  listComments(): Promise<IssueComment[]>;
  createComment(body: string): Promise<number>;
  updateComment(commentId: number, body: string): Promise<void>;
  addLabels(labels: readonly string[]): Promise<void>;
  /** Removes a label; one that is not on the issue is no error. */
  removeLabel(label: string): Promise<void>;
  /** Reacts on a comment, or on the issue itself when `commentId` is undefined. */
  react(commentId: number | undefined, content: Reaction): Promise<void>;
  closeIssue(): Promise<void>;
  /** The user's permission on the repository; GitHub errors propagate (the caller fails closed). */
  permissionOf(username: string): Promise<PermissionLevel>;
  /** A file's text on the default branch, or undefined when there is none. */
  readFile(path: string): Promise<string | undefined>;
}

type Octokit = Context["octokit"];

/**
 * The port over Octokit for one issue. Every comment it writes is signed with `signer` for this issue, here
 * and nowhere else, so no job can post a comment the bot would not trust when it reads it back.
 */
export function issueGitHub(
  octokit: Octokit,
  ref: IssueRef,
  signer: MarkerSigner,
  log: Pick<AppLog, "error">,
): IssueGitHub {
  const repo = { owner: ref.owner, repo: ref.repo };
  const issue = { ...repo, issue_number: ref.issueNumber };
  /**
   * GitHub answers a write with the comment as it stored it. Should it ever store other text than was sent
   * (a rewrite of the Markdown, say), every comment the bot writes would read back as untrusted and be voided:
   * say so at once, loudly, rather than leave the operator to find reviews voided one by one.
   */
  const checkStored = (commentId: number, sent: string, stored: string | null | undefined) => {
    if (typeof stored !== "string" || signer.verify(stored, ref)) return;
    let at = 0;
    while (at < sent.length && sent[at] === stored[at]) at++;
    log.error(
      { commentId, sentChars: sent.length, storedChars: stored.length, firstDifferenceAt: at },
      "GitHub stored the bot's comment with other text than was sent: its signature does not verify, so the bot will not trust it when it reads it back (docs/decisions.md, \"App: the bot's comments are signed\")",
    );
  };
  return {
    ref,
    async readIssue() {
      const { data } = await octokit.rest.issues.get(issue);
      const answeredAs = otherIssue(ref, data.number, data.repository_url);
      return {
        open: data.state === "open",
        labels: data.labels.map((label) => (typeof label === "string" ? label : (label.name ?? ""))),
        body: data.body ?? "",
        author: data.user?.login ?? "",
        ...(answeredAs === undefined ? {} : { answeredAs }),
      };
    },
    async listComments() {
      const comments = await octokit.paginate(octokit.rest.issues.listComments, { ...issue, per_page: 100 });
      return comments.map((c) => ({
        id: c.id,
        body: c.body ?? "",
        login: c.user?.login ?? "",
        userType: c.user?.type ?? "",
        writtenAt: c.updated_at ?? c.created_at ?? "",
        createdAt: c.created_at ?? "",
      }));
    },
    async createComment(body) {
      const signed = signer.sign(body, ref);
      const { data } = await octokit.rest.issues.createComment({ ...issue, body: signed });
      checkStored(data.id, signed, data.body);
      return data.id;
    },
    async updateComment(commentId, body) {
      const signed = signer.sign(body, ref);
      const { data } = await octokit.rest.issues.updateComment({
        ...repo,
        comment_id: commentId,
        body: signed,
      });
      checkStored(commentId, signed, data.body);
    },
    async addLabels(labels) {
      await octokit.rest.issues.addLabels({ ...issue, labels: [...labels] });
    },
    async removeLabel(name) {
      await octokit.rest.issues.removeLabel({ ...issue, name }).catch((error: { status?: number }) => {
        if (error.status !== 404) throw error;
      });
    },
    async react(commentId, content) {
      if (commentId === undefined) await octokit.rest.reactions.createForIssue({ ...issue, content });
      else await octokit.rest.reactions.createForIssueComment({ ...repo, comment_id: commentId, content });
    },
    async closeIssue() {
      await octokit.rest.issues.update({ ...issue, state: "closed", state_reason: "completed" });
    },
    async permissionOf(username) {
      const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({ ...repo, username });
      return permissionFromGitHub(data);
    },
    async readFile(path) {
      try {
        const { data } = await octokit.rest.repos.getContent({ ...repo, path });
        if (Array.isArray(data) || data.type !== "file" || typeof data.content !== "string") return undefined;
        return Buffer.from(data.content, "base64").toString("utf8");
      } catch (error) {
        if ((error as { status?: number }).status === 404) return undefined;
        throw error;
      }
    },
  };
}
