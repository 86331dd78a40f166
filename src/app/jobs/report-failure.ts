import type { IssueJob } from "../job-context.js";
import { describeFailure } from "../messages/describe-failure.js";
import { statusComment } from "../messages/status-comment.js";

/**
 * The last resort for a job that failed outside the steps that report their own failures (mostly
 * GitHub refusing a call, or its rate limit): a log line with the delivery, repository and issue, and a
 * status on the issue when GitHub lets the bot write one.
 */
export async function reportFailure(job: IssueJob, error: unknown): Promise<void> {
  const failure = describeFailure(error);
  job.log.error({ code: failure.code, err: error }, "job failed");
  try {
    await job.github.createComment(
      statusComment("failed", { key: null, cid: null }, [`**❌ The bot could not finish:** ${failure.text}`]),
    );
  } catch (again) {
    job.log.error({ err: again }, "could not report the failure on the issue either");
  }
}
