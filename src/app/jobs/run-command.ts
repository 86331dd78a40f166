import type { NomadPatchConfig, SlashCommand } from "../../policy/index.js";
import { renderHeldMarkdown, renderRejectedMarkdown } from "../../render/index.js";
import { type MarkedComment, reviewComments } from "../bot-comments.js";
import { findKeys } from "../find-keys.js";
import type { IssueJob } from "../job-context.js";
import { unwatch } from "../watch/watch-key.js";
import { takeDownApplyLabels } from "./apply-labels.js";
import {
  appliedRoaming,
  settleBegunUnderHold,
  settleBegunUnderRejection,
  stoppedByRejection,
} from "./apply-reviewed.js";
import { approve } from "./approve.js";
import { heldNow } from "./held-now.js";
import { readMarked } from "./issue-comments.js";
import { mayDecide } from "./may-decide.js";
import { admitKeys, reviewKeys } from "./review-keys.js";

/** Who gave a command, and when GitHub says the comment holding it was written. */
export interface CommandSource {
  readonly user: string;
  readonly at: string | undefined;
}

/** One slash command from a comment. */
export async function runCommand(
  job: IssueJob,
  config: NomadPatchConfig,
  command: SlashCommand,
  source: CommandSource,
): Promise<void> {
  const { user } = source;
  job.log.info({ command: command.name, user }, "command");
  switch (command.kind) {
    case "apply":
      await approve(job, config, { user, via: "command", at: source.at, version: command.args || undefined });
      return;
    case "reject": {
      if (!(await mayDecide(job, config, user, { action: "reject", via: "command" }))) return;
      await reject(job, config, source, command.args);
      return;
    }
    case "hold":
      await hold(job, config, source);
      return;
    case "refresh":
      await refresh(job, config, user);
      return;
  }
}

/**
 * `/hold` by someone who may decide: the held label goes up, then an apply of the issue's that was begun
 * and cut short (the app stopped) is settled under the hold (`settleBegunUnderHold`: held if nothing was
 * published, finished and said too late if the bot's stream was), and then the hold is said: as too late
 * for the issue's one patch when that was applied before it (its approval's job ran first), so the issue
 * never reads "will not be applied" under an outcome that says it was. A hold that stands already (its label
 * up, and the bot's latest decision a hold) writes nothing again: a writer's flood of `/hold` costs reads.
 */
async function hold(job: IssueJob, config: NomadPatchConfig, source: CommandSource): Promise<void> {
  const { user } = source;
  if (!(await mayDecide(job, config, user, { action: "hold", via: "command" }))) return;
  const marked = await readMarked(job);
  if (decidedSince(job, marked, "held", source.at)) return;
  const heldLabel = config.labels.held;
  if ((await heldNow(job, config)) && latestDecision(marked) === "held") {
    job.log.info({ user }, "already on hold: nothing written");
    await settleBegunUnderHold(job, config, marked);
    return;
  }
  await job.github.addLabels([heldLabel]);
  await settleBegunUnderHold(job, config, marked);
  const about = soleReviewOf(marked);
  const roamingCid = about.key && about.cid ? await appliedRoaming(job, about.key, about.cid) : undefined;
  const applied = roamingCid === undefined ? undefined : { roamingCid };
  if (applied) job.log.info({ ...about }, "hold after the patch was applied: said too late");
  await job.github.createComment(renderHeldMarkdown({ ...about, user, heldLabel, applied }));
}

/**
 * `/reject [reason]` by someone who may decide. An apply of the issue's that was begun and cut short (the app
 * stopped) is settled first (`settleBegunUnderRejection`): closed with nothing published, and the rejection
 * says so; or, when the bot's stream held its entries, finished, its outcome saying the rejection came too
 * late. Then the rejection is said: as too late for the issue's one patch when that was applied before it
 * (its approval's job ran first, or the apply was past its first publish), with no `rejected` label beside
 * `applied`; otherwise with the label, and the approval label taken down.
 */
async function reject(
  job: IssueJob,
  config: NomadPatchConfig,
  source: CommandSource,
  reason: string,
): Promise<void> {
  const { user } = source;
  const marked = await readMarked(job);
  if (decidedSince(job, marked, "rejected", source.at)) return;
  const rejectedAt = source.at ?? new Date().toISOString();
  await settleBegunUnderRejection(job, config, marked, rejectedAt);
  const about = soleReviewOf(marked);
  const roamingCid = about.key && about.cid ? await appliedRoaming(job, about.key, about.cid) : undefined;
  if (roamingCid !== undefined) {
    job.log.info({ ...about }, "rejection after the patch was applied: said too late");
    await job.github.createComment(
      renderRejectedMarkdown({ ...about, user, reason, applied: { roamingCid } }),
    );
    unwatch(job);
    return;
  }
  const stopped =
    about.key && about.cid ? await stoppedByRejection(job, about.key, about.cid, rejectedAt) : false;
  await job.github.createComment(renderRejectedMarkdown({ ...about, user, reason, stopped }));
  await job.github.addLabels([config.labels.rejected]);
  unwatch(job);
  // The approval and a failed apply's labels no longer say what stands, read as GitHub has them now: a
  // failed apply whose job ran before this one, though after its event was sent, put its label up.
  const now = (await job.github.readIssue()).labels;
  const current = { ...job, issue: { ...job.issue, labels: now } };
  if (about.key !== undefined) await takeDownApplyLabels(current, config, marked, about.key);
  else if (now.includes(config.labels.approve)) await job.github.removeLabel(config.labels.approve);
}

/** The bot's latest decision comment on the issue: a hold or a rejection. */
function latestDecision(marked: readonly MarkedComment[]): "held" | "rejected" | undefined {
  const decisions = marked.filter((c) => c.marker.state === "held" || c.marker.state === "rejected");
  const state = decisions.at(-1)?.marker.state;
  return state === "held" || state === "rejected" ? state : undefined;
}

/**
 * Re-resolve and re-render every patch on the issue: the keys of the bot's review comments and the
 * keys in the issue body. Anyone may ask: it changes nothing but the reviews, and a version that has
 * not changed writes nothing. The rules judge each patch's recorded author (who posted its key), never
 * the person asking; a key only the issue body holds was posted by the issue's author.
 */
async function refresh(job: IssueJob, config: NomadPatchConfig, user: string): Promise<void> {
  const known = new Set(reviewComments(await readMarked(job)).map((c) => c.marker.key));
  const inBody = findKeys(job.issue.body, { offered: true, max: config.limits.maxKeysPerComment });
  const keys = [...new Set([...known, ...inBody.map((k) => k.key)])];
  if (keys.length === 0) return job.log.info({ user }, "refresh: no patch key on this issue");
  if (!(await admitKeys(job, user, keys.length))) return;
  const requests = keys.map((key) => ({
    key,
    offered: true,
    author: known.has(key) ? undefined : job.issue.author,
  }));
  await reviewKeys(job, config, user, requests);
}

/**
 * Whether the bot's latest decision comment written since the command is already this one: the
 * command's job ran before, and was replayed after a restart cut it short (its record was still on
 * disk). Posting again would repeat the decision; a different decision since means this one is new.
 */
function decidedSince(
  job: IssueJob,
  marked: readonly MarkedComment[],
  state: "held" | "rejected",
  at: string | undefined,
): boolean {
  if (at === undefined) return false;
  if (latestDecision(marked.filter((c) => c.writtenAt >= at)) !== state) return false;
  job.log.info({ state }, "this decision was posted before (a replayed event): not posted again");
  return true;
}

/** The key and CID a decision is about, when the issue carries exactly one reviewed patch. */
function soleReviewOf(marked: readonly MarkedComment[]): { key?: string; cid?: string } {
  const reviews = reviewComments(marked);
  const only = reviews.length === 1 ? reviews[0] : undefined;
  return { key: only?.marker.key, cid: only?.marker.cid ?? undefined };
}
