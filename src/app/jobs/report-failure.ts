import { DEFAULT_REFRESH_COMMAND, renderStatusFailureMarkdown } from "../../render/index.js";
import { describeFailure } from "../describe-failure.js";
import { InstallationTokenError } from "../github/installation-token.js";
import type { IssueJob } from "../job-context.js";
import { PatchWorkError } from "./work-error.js";

/**
 * The last resort for a job that failed outside the steps that report their own failures (mostly
 * GitHub refusing a call, or its rate limit): a log line with the delivery, repository and issue (bound
 * to the job's log) and the key and CID, and a status on the issue when GitHub lets the bot write one
 * (never when the failure was GitHub giving no installation token: writing needs one).
 */
export async function reportFailure(job: IssueJob, error: unknown): Promise<void> {
  const about = error instanceof PatchWorkError ? error.about : undefined;
  const cause = error instanceof PatchWorkError ? error.cause : error;
  const failure = describeFailure(cause);
  const log = job.log.child({ key: about?.key ?? null, cid: about?.cid ?? null });
  const applied = about?.appliedRoamingCid;
  log.error(
    { code: failure.code, roaming: applied, err: cause },
    applied === undefined ? "job failed" : "patch applied, but reporting it on the issue failed",
  );
  // Posting needs the token GitHub just refused (or failed to give): trying would only wait and fail again.
  if (cause instanceof InstallationTokenError) return;
  try {
    await job.github.createComment(
      renderStatusFailureMarkdown({
        during: "work",
        ...failure,
        key: about?.key,
        cid: about?.cid ?? undefined,
        appliedRoamingCid: applied,
        retryCommand: about?.retryCommand ?? DEFAULT_REFRESH_COMMAND,
      }),
    );
  } catch (again) {
    // Nothing on the issue says what happened: this line is all the operator gets.
    log.error(
      { code: describeFailure(again).code, failed: failure.code, roaming: applied, err: again },
      "could not post the failure status on the issue either",
    );
  }
}
