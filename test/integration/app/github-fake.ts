import nock from "nock";
import { gitHubTime } from "./github-clock.js";

export const API = "https://api.github.com";

export interface FakeComment {
  readonly id: number;
  readonly issue: number;
  body: string;
  readonly user: { readonly login: string; readonly type: string };
  readonly created_at: string;
  updated_at: string;
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly body: unknown;
  /** Set when an injected fault answered instead of the fake. */
  readonly failedWith?: number;
}

/** A GitHub error to answer with instead of doing the request (a 5xx, a rate limit). */
export interface Fault {
  readonly status: number;
  readonly headers?: Record<string, string>;
  /** How many matching requests it answers; default 1. */
  readonly times?: number;
  /** GitHub did the request, and its answer was lost: the fault comes after the change. */
  readonly afterDoing?: boolean;
  /** GitHub's `message`; default: its words for a server error (5xx) or a rate limit. */
  readonly message?: string;
}

/** An issue opened through the API (`POST /issues`): what the inbox bridge opens. */
export interface FakeIssue {
  readonly number: number;
  readonly title: string;
  body: string;
  readonly labels: readonly string[];
  readonly user: { readonly login: string; readonly type: string };
  state: "open" | "closed";
}

export interface FakeGitHubOptions {
  readonly owner: string;
  readonly repo: string;
  readonly botLogin: string;
  /** The text of `.github/nomad-patch.yml`; undefined: the file does not exist. */
  readonly config?: string;
  /** Answers of the collaborator-permission API by user: an answer, or an HTTP status to fail with. */
  readonly permissions?: Record<string, { permission: string; role_name: string } | number>;
}

/**
 * GitHub's issue API for one repository, behind nock: a small stateful fake (comments, labels,
 * reactions, issue state) that records every request with its body, so tests assert what the app
 * sent. Its interceptors are optional (a test uses some routes, not all); one-shot interceptors a
 * test adds before it take precedence and must be used (`nock.pendingMocks()`).
 */
export function fakeGitHub(options: FakeGitHubOptions) {
  const base = `/repos/${options.owner}/${options.repo}`;
  const comments: FakeComment[] = [];
  const labels = new Set<string>();
  const requests: RecordedRequest[] = [];
  const state = { closed: false, nextId: 5000, nextIssue: 100, config: options.config };
  const issues: FakeIssue[] = [];
  const faults: { method: string; suffix: string | RegExp; fault: Fault; left: number }[] = [];
  const matches = (path: string, suffix: string | RegExp) =>
    typeof suffix === "string" ? path.endsWith(suffix) : suffix.test(path);

  const route = (
    method: string,
    pattern: RegExp,
    reply: (match: RegExpExecArray, body: Record<string, unknown>, uri: string) => [number, unknown],
  ) => {
    nock(API)
      .persist()
      .intercept((path) => pattern.test(path.split("?")[0] ?? ""), method)
      .optionally()
      .reply((uri, raw) => {
        const path = uri.split("?")[0] ?? "";
        const body =
          typeof raw === "string" ? (raw === "" ? {} : JSON.parse(raw)) : (raw as Record<string, unknown>);
        // An injected fault answers first, and changes nothing: GitHub did not do the request.
        const injected = faults.find((f) => f.left > 0 && f.method === method && matches(path, f.suffix));
        if (injected) {
          injected.left -= 1;
          if (injected.fault.afterDoing) reply(pattern.exec(path) as RegExpExecArray, body, uri);
          requests.push({ method, path, body, failedWith: injected.fault.status });
          const { status, headers, message } = injected.fault;
          return [
            status,
            { message: message ?? (status >= 500 ? "Server Error" : "API rate limit exceeded") },
            headers ?? {},
          ];
        }
        requests.push({ method, path, body });
        return reply(pattern.exec(path) as RegExpExecArray, body, uri);
      });
  };
  const issueComment = (issue: number, body: string, user: { login: string; type: string }) => {
    const at = gitHubTime();
    const comment: FakeComment = { id: state.nextId++, issue, body, user, created_at: at, updated_at: at };
    comments.push(comment);
    return comment;
  };
  const asApi = (c: FakeComment) => ({
    id: c.id,
    body: c.body,
    user: c.user,
    created_at: c.created_at,
    updated_at: c.updated_at,
  });

  route("GET", new RegExp(`^${base}/contents/`), () =>
    state.config === undefined
      ? [404, { message: "Not Found" }]
      : [
          200,
          {
            type: "file",
            encoding: "base64",
            path: ".github/nomad-patch.yml",
            content: Buffer.from(state.config).toString("base64"),
          },
        ],
  );
  // The repository, as `propose --deliver` checks it before publishing anything.
  route("GET", new RegExp(`^${base}$`), () => [
    200,
    { full_name: `${options.owner}/${options.repo}`, has_issues: true },
  ]);
  // The app's installation on the repository (asked as the app by the inbox bridge).
  route("GET", new RegExp(`^${base}/installation$`), () => [
    200,
    { id: 4242, account: { login: options.owner } },
  ]);
  const apiIssue = (issue: FakeIssue) => ({
    number: issue.number,
    html_url: `https://github.com/${options.owner}/${options.repo}/issues/${issue.number}`,
    title: issue.title,
    body: issue.body,
    state: issue.state,
    labels: issue.labels.map((name) => ({ name })),
    user: issue.user,
  });
  // Issues opened through the API, newest first, filtered by state and label as GitHub does.
  route("GET", new RegExp(`^${base}/issues$`), (_m, _body, uri) => {
    const query = new URL(uri, API).searchParams;
    const wanted = query.get("state") ?? "open";
    const label = query.get("labels");
    const page = Number(query.get("page") ?? "1");
    const perPage = Number(query.get("per_page") ?? "30");
    const listed = [...issues]
      .reverse()
      .filter((i) => wanted === "all" || i.state === wanted)
      .filter((i) => label === null || i.labels.includes(label));
    return [200, listed.slice((page - 1) * perPage, page * perPage).map(apiIssue)];
  });
  // GitHub's issue search, as far as the app asks it: `repo:`, `is:issue`, `label:"…"`, `in:body` and one
  // quoted phrase, matched in the body; best match first is any order here, so newest first.
  route("GET", /^\/search\/issues$/, (_m, _body, uri) => {
    const q = new URL(uri, API).searchParams.get("q") ?? "";
    const repo = /(?:^|\s)repo:(\S+)/.exec(q)?.[1];
    const label = /(?:^|\s)label:"([^"]*)"/.exec(q)?.[1];
    const phrase = /(?:^|\s)"([^"]+)"(?:\s|$)/.exec(q.replace(/label:"[^"]*"/g, ""))?.[1];
    const perPage = Number(new URL(uri, API).searchParams.get("per_page") ?? "30");
    const items = (repo === `${options.owner}/${options.repo}` ? [...issues] : [])
      .reverse()
      .filter((i) => label === undefined || i.labels.includes(label))
      .filter((i) => phrase === undefined || i.body.includes(phrase));
    return [
      200,
      { total_count: items.length, incomplete_results: false, items: items.slice(0, perPage).map(apiIssue) },
    ];
  });
  route("POST", new RegExp(`^${base}/issues$`), (_m, body) => {
    const issue: FakeIssue = {
      number: state.nextIssue++,
      title: String(body.title),
      body: String(body.body ?? ""),
      labels: (body.labels as string[] | undefined) ?? [],
      user: { login: options.botLogin, type: "Bot" },
      state: "open",
    };
    issues.push(issue);
    return [201, apiIssue(issue)];
  });
  // What a poll of a watched key reads first: whether the issue is still open, and its labels.
  route("GET", new RegExp(`^${base}/issues/(\\d+)$`), (m) => [
    200,
    {
      number: Number(m[1]),
      repository_url: `${API}${base}`,
      state: state.closed ? "closed" : "open",
      labels: [...labels].map((name) => ({ name })),
      body: "",
      user: { login: "contributor", type: "User" },
    },
  ]);
  route("GET", new RegExp(`^${base}/issues/(\\d+)/comments$`), (m) => [
    200,
    comments.filter((c) => c.issue === Number(m[1])).map(asApi),
  ]);
  route("POST", new RegExp(`^${base}/issues/(\\d+)/comments$`), (m, body) => [
    201,
    asApi(issueComment(Number(m[1]), String(body.body), { login: options.botLogin, type: "Bot" })),
  ]);
  route("PATCH", new RegExp(`^${base}/issues/comments/(\\d+)$`), (m, body) => {
    const comment = comments.find((c) => c.id === Number(m[1]));
    if (!comment) return [404, { message: "Not Found" }];
    comment.body = String(body.body);
    comment.updated_at = gitHubTime();
    return [200, asApi(comment)];
  });
  route("POST", new RegExp(`^${base}/issues/(\\d+/|comments/\\d+/)reactions$`), (_m, body) => [201, body]);
  route("POST", new RegExp(`^${base}/issues/(\\d+)/labels$`), (_m, body) => {
    for (const label of body.labels as string[]) labels.add(label);
    return [200, [...labels].map((name) => ({ name }))];
  });
  route("DELETE", new RegExp(`^${base}/issues/(\\d+)/labels/(.+)$`), (m) => {
    const name = decodeURIComponent(m[2] ?? "");
    return labels.delete(name)
      ? [200, [...labels].map((n) => ({ name: n }))]
      : [404, { message: "Label does not exist" }];
  });
  route("PATCH", new RegExp(`^${base}/issues/(\\d+)$`), (_m, body) => {
    state.closed = body.state === "closed";
    return [200, { state: body.state }];
  });
  // Only when given: permission tests add one-shot interceptors of their own, which must all be used.
  if (options.permissions) {
    const permissions = options.permissions;
    route("GET", new RegExp(`^${base}/collaborators/([^/]+)/permission$`), (m) => {
      const answer = permissions[decodeURIComponent(m[1] ?? "")];
      if (answer === undefined) return [404, { message: "Not Found" }];
      return typeof answer === "number"
        ? [answer, { message: "Server Error" }]
        : [200, { ...answer, user: {} }];
    });
  }

  return {
    comments,
    /** Issues opened through the API, oldest first. */
    issues,
    /** An issue opened by a person (it then shows in the list, as anyone's issue would). */
    personIssue: (login: string, fields: { body: string; labels: readonly string[] }) => {
      const issue: FakeIssue = {
        number: state.nextIssue++,
        title: "opened by a person",
        ...fields,
        user: { login, type: "User" },
        state: "open",
      };
      issues.push(issue);
      return issue;
    },
    labels,
    requests,
    /**
     * Someone with write access edits an issue's body in GitHub's editor, the bot's issue included: the
     * author GitHub reports stays, and nothing says who edited it.
     */
    editIssue: (number: number, edit: (body: string) => string) => {
      const issue = issues.find((i) => i.number === number);
      if (!issue) throw new Error(`no issue ${number}`);
      issue.body = edit(issue.body);
      return issue;
    },
    /** Commits another `.github/nomad-patch.yml` (undefined: deletes it); the next read sees it. */
    setConfig: (text: string | undefined) => {
      state.config = text;
    },
    get closed() {
      return state.closed;
    },
    /** A comment written by a person (it arrives by webhook, and shows in the list). */
    humanComment: (issue: number, login: string, body: string) =>
      issueComment(issue, body, { login, type: "User" }),
    /**
     * Someone with write access edits a comment in GitHub's editor, the bot's included: the text changes
     * and `updated_at` moves; the author GitHub reports stays, and nothing says who edited it.
     */
    editComment: (id: number, edit: (body: string) => string) => {
      const comment = comments.find((c) => c.id === id);
      if (!comment) throw new Error(`no comment ${id}`);
      comment.body = edit(comment.body);
      comment.updated_at = gitHubTime();
      return comment;
    },
    /**
     * Its author (or someone with write access) deletes a comment: GitHub's list no longer shows it, and
     * nothing in the API says it was there. Returns it as it was, for the `deleted` webhook.
     */
    deleteComment: (id: number) => {
      const at = comments.findIndex((c) => c.id === id);
      const [comment] = at < 0 ? [] : comments.splice(at, 1);
      if (!comment) throw new Error(`no comment ${id}`);
      return comment;
    },
    /** A comment the bot posted before this test (an earlier version of the app, say), as it was written. */
    earlierBotComment: (issue: number, body: string) =>
      issueComment(issue, body, { login: options.botLogin, type: "Bot" }),
    botComments: (issue: number) =>
      comments.filter((c) => c.issue === issue && c.user.login === options.botLogin),
    /** The requests of one method whose path ends with `suffix` that GitHub did (faults left out). */
    sent: (method: string, suffix: string | RegExp) =>
      requests.filter((r) => r.method === method && r.failedWith === undefined && matches(r.path, suffix)),
    /** From now on, the next `fault.times` requests of `method` to a path ending in `suffix` fail. */
    fail: (method: string, suffix: string | RegExp, fault: Fault) => {
      faults.push({ method, suffix, fault, left: fault.times ?? 1 });
    },
    /** Faults not yet used up: a test expects none left, or its GitHub errors never happened. */
    unusedFaults: () => faults.filter((f) => f.left > 0).map((f) => `${f.method} ${String(f.suffix)}`),
  };
}
