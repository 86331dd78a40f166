import { botMarkedComments, type MarkedComment, type UntrustedComment } from "../bot-comments.js";
import type { IssueComment } from "../github/issue-github.js";
import type { IssueJob } from "../job-context.js";

/** The bot's own marked comments on the job's issue, read fresh (another job may have just written one). */
export async function readMarked(job: IssueJob): Promise<MarkedComment[]> {
  return (await readComments(job)).marked;
}

/** Every comment on the job's issue, read fresh, with the bot's own marked ones among them. */
export async function readComments(job: IssueJob): Promise<{
  readonly comments: readonly IssueComment[];
  readonly botLogin: string;
  readonly marked: MarkedComment[];
  /** The bot's comments whose signature does not verify (docs/design.md §6). */
  readonly untrusted: UntrustedComment[];
}> {
  const [comments, botLogin] = await Promise.all([job.github.listComments(), job.runtime.botLogin()]);
  const verifies = (body: string) => job.runtime.markers.verify(body, job.github.ref);
  return { comments, botLogin, ...botMarkedComments(comments, botLogin, verifies) };
}

/** Update the comment in place when there is one, else post it; returns its id. */
export async function upsertComment(
  job: IssueJob,
  commentId: number | undefined,
  body: string,
): Promise<number> {
  if (commentId === undefined) return job.github.createComment(body);
  await job.github.updateComment(commentId, body);
  return commentId;
}
