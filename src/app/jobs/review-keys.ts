import { meetsLevel, type NomadPatchConfig } from "../../policy/index.js";
import {
  DEFAULT_REFRESH_COMMAND,
  renderFailuresMarkdown,
  renderSlowDownMarkdown,
} from "../../render/index.js";
import type { IssueJob } from "../job-context.js";
import { type ReviewRequest, reviewKey, type UnansweredFailure } from "./review-key.js";

/**
 * Whether `sender` may have `keys` patch keys reviewed now (README, "Flood limits"):
 * 1. within their keys for the hour: yes;
 * 2. refused before in this hour: no, without a word (no GitHub call at all);
 * 3. refused for the first time: someone with write access is not limited (one permission read);
 *    anyone else gets one note on the issue, and no.
 */
export async function admitKeys(job: IssueJob, sender: string, keys: number): Promise<boolean> {
  const senders = job.runtime.senders;
  if (keys === 0 || senders.take(sender, keys)) return true;
  if (!senders.firstRefusal(sender)) {
    job.log.info({ sender, keys }, "over the sender's keys for the hour: ignored");
    return false;
  }
  const level = await job.github.permissionOf(sender).catch(() => "none" as const);
  if (meetsLevel(level, "write")) {
    senders.exempt(sender);
    job.log.info({ sender, level }, "over the keys for the hour, but has write access: not limited");
    return senders.take(sender, keys);
  }
  job.log.warn({ sender, keys, level }, "over the sender's keys for the hour: refused, one note posted");
  const keysPerHour = job.runtime.environment.keysPerSenderPerHour;
  await job.github.createComment(renderSlowDownMarkdown({ keysPerHour }));
  return false;
}

/**
 * Reviews each key, then answers every offered key that could not be reviewed (and has no comment of
 * its own) in ONE comment: a comment full of keys that do not resolve costs one write, not one per key.
 * Failed keys count against the sender, whose later jobs then wait for everyone else's.
 */
export async function reviewKeys(
  job: IssueJob,
  config: NomadPatchConfig,
  sender: string,
  requests: readonly ReviewRequest[],
): Promise<void> {
  const failed: UnansweredFailure[] = [];
  for (const request of requests) {
    const failure = await reviewKey(job, config, request);
    if (failure) failed.push(failure);
  }
  if (failed.length > 0) job.runtime.senders.failed(sender, failed.length);
  const answer = failed.filter((f) => f.offered);
  if (answer.length === 0) return;
  const refreshCommand = config.commands.refresh[0] ?? DEFAULT_REFRESH_COMMAND;
  await job.github.createComment(
    renderFailuresMarkdown(
      answer.map((f) => ({ key: f.key, ...f.failure, refreshCommand, author: f.author })),
    ),
  );
}
