import examples from "@octokit/webhooks-examples/api.github.com/index.json" with { type: "json" };
import { gitHubTime } from "./github-clock.js";

/**
 * Real webhook payloads (GitHub's own examples, shipped by @octokit/webhooks-examples) with only the
 * fields a test is about changed: the text, the issue number, the labels, who sent it.
 */
// biome-ignore lint/suspicious/noExplicitAny: deep JSON examples, edited field by field
type Payload = Record<string, any>;

function example(name: string, action: string): Payload {
  const definition = (examples as unknown as { name: string; examples: Payload[] }[]).find(
    (e) => e.name === name,
  );
  const found = definition?.examples.find((e) => e.action === action);
  if (!found) throw new Error(`no ${name}.${action} example in @octokit/webhooks-examples`);
  return structuredClone(found);
}

export const REPO = { owner: "Codertocat", repo: "Hello-World" } as const;

interface IssueFields {
  readonly number: number;
  readonly body?: string;
  readonly author?: string;
  readonly labels?: readonly string[];
}

function withIssue(payload: Payload, issue: IssueFields): Payload {
  payload.repository.owner.login = REPO.owner;
  payload.repository.name = REPO.repo;
  payload.issue.number = issue.number;
  payload.issue.body = issue.body ?? "";
  payload.issue.user = { ...payload.issue.user, login: issue.author ?? "contributor", type: "User" };
  payload.issue.labels = (issue.labels ?? []).map((name, i) => ({ id: i + 1, name, color: "ededed" }));
  return payload;
}

function sender(payload: Payload, login: string, type = "User"): Payload {
  payload.sender = { ...payload.sender, login, type };
  return payload;
}

export function issueOpened(issue: IssueFields): Payload {
  return sender(withIssue(example("issues", "opened"), issue), issue.author ?? "contributor");
}

/** The issue's body, written by its author, edited by `by` (who may be someone else). */
export function issueEdited(issue: IssueFields, by: string): Payload {
  return sender(withIssue(example("issues", "edited"), issue), by);
}

/** The issue closed by `by` (GitHub's examples have no `closed` payload: an `opened` one, closed). */
export function issueClosed(issue: IssueFields, by: string): Payload {
  const payload = sender(withIssue(example("issues", "opened"), issue), by);
  payload.action = "closed";
  payload.issue.state = "closed";
  return payload;
}

/** The issue reopened by `by`. */
export function issueReopened(issue: IssueFields, by: string): Payload {
  return sender(withIssue(example("issues", "reopened"), issue), by);
}

/** The label added by `by`; GitHub tells when by the issue's `updated_at`. */
export function issueLabeled(issue: IssueFields, label: string, by: string, at = gitHubTime()): Payload {
  const payload = sender(withIssue(example("issues", "labeled"), issue), by);
  payload.label = { ...payload.label, name: label };
  payload.issue.updated_at = at;
  return payload;
}

/**
 * The issue moved to `to` by `by`, as its old repository hears it: GitHub's `transferred` example, whose
 * `changes` name the new issue and its repository (the new repository hears an `opened` of its own).
 */
export function issueTransferred(
  issue: IssueFields,
  to: { readonly owner: string; readonly repo: string; readonly number: number },
  by: string,
): Payload {
  const payload = sender(withIssue(example("issues", "transferred"), issue), by);
  const newRepository = payload.changes.new_repository;
  newRepository.name = to.repo;
  newRepository.full_name = `${to.owner}/${to.repo}`;
  newRepository.owner = { ...newRepository.owner, login: to.owner };
  const url = `https://api.github.com/repos/${to.owner}/${to.repo}`;
  payload.changes.new_issue = {
    ...payload.changes.new_issue,
    number: to.number,
    url: `${url}/issues/${to.number}`,
    repository_url: url,
    body: issue.body ?? "",
  };
  return payload;
}

/** The same payload, as another repository of the same owner sends it. */
export function inRepository(payload: Payload, repo: string): Payload {
  payload.repository.name = repo;
  payload.repository.full_name = `${payload.repository.owner.login}/${repo}`;
  return payload;
}

export function commentCreated(
  issue: IssueFields,
  body: string,
  by: string,
  options: { id?: number; type?: string; at?: string } = {},
) {
  const payload = sender(withIssue(example("issue_comment", "created"), issue), by, options.type);
  const at = options.at ?? gitHubTime();
  payload.comment = {
    ...payload.comment,
    id: options.id ?? 700_000 + Math.floor(Math.random() * 100_000),
    body,
    created_at: at,
    updated_at: at,
  };
  payload.comment.user = { ...payload.comment.user, login: by, type: options.type ?? "User" };
  return payload;
}

/** Comment `id`, written by `author` (default `by`), edited by `by`. */
export function commentEdited(issue: IssueFields, body: string, by: string, id: number, author = by) {
  const payload = sender(withIssue(example("issue_comment", "edited"), issue), by);
  payload.comment = {
    ...payload.comment,
    id,
    body,
    updated_at: gitHubTime(),
    user: { ...payload.comment.user, login: author, type: "User" },
  };
  return payload;
}

/**
 * Comment `id`, written by `author` at `at` with `body`, deleted by `by`: GitHub's `deleted` payload carries
 * the comment as it was when deleted.
 */
export function commentDeleted(
  issue: IssueFields,
  comment: { readonly id: number; readonly body: string; readonly author: string; readonly at: string },
  by = comment.author,
) {
  const payload = sender(withIssue(example("issue_comment", "deleted"), issue), by);
  payload.comment = {
    ...payload.comment,
    id: comment.id,
    body: comment.body,
    created_at: comment.at,
    updated_at: comment.at,
    user: { ...payload.comment.user, login: comment.author, type: "User" },
  };
  return payload;
}
