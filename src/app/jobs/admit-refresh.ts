import { meetsLevel, type NomadPatchConfig } from "../../policy/index.js";
import type { IssueJob } from "../job-context.js";
import type { CommandSource } from "./run-command.js";

/**
 * `/refresh` is open to anyone, but costs IPFS work and may cost GitHub writes: someone who may not
 * approve gets one per issue every `limits.refreshIntervalMinutes`, timed by GitHub's clock for their
 * comment (the bot's own when GitHub gave none). Over the limit it is only logged: no reaction, no comment.
 */
export async function admitRefresh(
  job: IssueJob,
  config: NomadPatchConfig,
  source: CommandSource,
): Promise<boolean> {
  try {
    if (meetsLevel(await job.github.permissionOf(source.user), config.permissions.approve)) return true;
  } catch (error) {
    job.log.warn({ user: source.user, err: error }, "permission lookup failed: the refresh limit applies");
  }
  const given = Date.parse(source.at ?? "");
  const at = Number.isFinite(given) ? given : (job.runtime.now?.() ?? new Date()).getTime();
  const { owner, repo, issueNumber } = job.github.ref;
  const who = `${owner}/${repo}#${issueNumber}:${source.user}`;
  const interval = config.limits.refreshIntervalMinutes * 60_000;
  if (job.runtime.refreshes.admit(who, at, interval)) return true;
  job.log.info(
    { user: source.user, intervalMinutes: config.limits.refreshIntervalMinutes },
    "refresh ignored: this person refreshed this issue too recently",
  );
  return false;
}
