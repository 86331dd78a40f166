import type { IssueJob } from "../job-context.js";
import { loadRepoConfig } from "../load-config.js";
import { approve } from "./approve.js";
import { reportConfigError } from "./report-config-error.js";

/**
 * A label added to an issue: only the approve label matters. Adding it is an approval by the *sender*,
 * checked like a command (triage users can add labels); a refused approval takes the label off again.
 */
export interface LabelEvent {
  readonly label: string;
  readonly sender: string;
  /** When GitHub says the label was added: the issue's `updated_at` in the `labeled` payload. */
  readonly at: string | undefined;
}

export async function handleLabel(job: IssueJob, event: LabelEvent): Promise<void> {
  const { label, sender } = event;
  const repo = await loadRepoConfig(job.github);
  if (repo.status === "invalid") {
    // Only a label that looks like ours is worth a comment about a broken configuration.
    if (!/nomad-patch/i.test(label)) return job.log.info({ label }, "label ignored (configuration unusable)");
    return reportConfigError(job, repo.errors);
  }
  const { config } = repo;
  if (label !== config.labels.approve) return job.log.info({ label }, "not the approve label: ignored");
  const approval = { user: sender, via: "label" as const, at: event.at };
  if (!(await approve(job, config, approval))) await job.github.removeLabel(label);
}
