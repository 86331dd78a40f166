import { renderConfigErrorsMarkdown } from "../../render/index.js";
import { findStatus } from "../bot-comments.js";
import type { IssueJob } from "../job-context.js";
import { CONFIG_PATH, type RepoConfig } from "../load-config.js";
import { readMarked, upsertComment } from "./issue-comments.js";

/**
 * One comment per issue about a configuration that cannot be used: later events update it in place
 * (the problems may have changed) instead of repeating it.
 */
export async function reportConfigError(
  job: IssueJob,
  repo: Extract<RepoConfig, { status: "invalid" }>,
): Promise<void> {
  const { errors, missing = false } = repo;
  const existing = findStatus(await readMarked(job), (marker) => marker.state === "config-error");
  job.log.warn(
    { missing, problems: errors.length, updating: existing !== undefined },
    "the repository's configuration cannot be used: nothing else is done",
  );
  await upsertComment(job, existing?.id, renderConfigErrorsMarkdown(errors, { file: CONFIG_PATH, missing }));
}
