import type { IssueJob } from "../job-context.js";
import { loadRepoConfig } from "../load-config.js";
import { approve } from "./approve.js";
import { repairUntrusted } from "./repair-untrusted.js";
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
  /** GitHub says the sender is a bot (an app or a workflow's token): it speaks for no person. */
  readonly byBot?: boolean;
}

export async function handleLabel(job: IssueJob, event: LabelEvent): Promise<void> {
  const { label, sender } = event;
  // The app's own labels come back as events: nothing to do, and no configuration to read for them.
  if (event.byBot && sender === (await job.runtime.botLogin())) {
    return job.log.info({ label }, "the app's own label: ignored");
  }
  const repo = await loadRepoConfig(job.github);
  if (repo.status === "invalid") {
    // Only a label that looks like ours, added by a person, is worth a comment about a broken configuration.
    if (event.byBot || !/nomad-patch/i.test(label)) {
      return job.log.info({ label }, "label ignored (configuration unusable)");
    }
    return reportConfigError(job, repo);
  }
  const { config } = repo;
  if (label !== config.labels.approve) return job.log.info({ label }, "not the approve label: ignored");
  if (event.byBot) {
    // Another app's bot (a labelling workflow reacting to a stranger's text, say) approves nothing, and
    // its label left on the issue would read as an approval: taken off, without a comment to answer it.
    job.log.warn({ label, sender }, "approve label added by a bot: no approval, label taken off");
    return job.github.removeLabel(label);
  }
  const approval = { user: sender, via: "label" as const, at: event.at };
  if (!(await approve(job, config, approval))) await job.github.removeLabel(label);
  // After the approval, which an untrusted review refuses: the review it could not bind to is redone.
  await repairUntrusted(job, config);
}
