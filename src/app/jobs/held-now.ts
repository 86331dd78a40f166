import type { NomadPatchConfig } from "../../policy/index.js";
import type { IssueJob } from "../job-context.js";

/**
 * Whether the issue is on hold now: its labels as GitHub has them when the job runs, not as the event that
 * queued the job saw them. One issue's jobs run one at a time in arrival order, so a `/hold` given before an
 * approval has put its label up by the time the approval runs, though the approval's event, sent while the
 * hold still waited, does not show it; and a replayed event shows the labels of before the stop.
 */
export async function heldNow(job: IssueJob, config: NomadPatchConfig): Promise<boolean> {
  return (await job.github.readIssue()).labels.includes(config.labels.held);
}
