import type { NomadPatchConfig } from "../../policy/index.js";
import { DEFAULT_REFRESH_COMMAND, renderFailuresMarkdown, renderVoidMarkdown } from "../../render/index.js";
import type { UntrustedComment } from "../bot-comments.js";
import type { IssueJob } from "../job-context.js";
import { readComments } from "./issue-comments.js";
import { reviewKey, type UnansweredFailure } from "./review-key.js";

/**
 * Untrusted comments set right in one event; the rest wait for the next. Each costs a review (an IPNS
 * resolve) and two writes, and each is done once: the comment then carries the bot's signature again.
 * So an issue's untrusted comments cost at most this much per event, whoever sends the events, and all
 * of them together once.
 */
export const MAX_REPAIRS_PER_EVENT = 3;

/**
 * The untrusted comments a reader could take for the bot's word on a patch: a review any approval could
 * bind to (any state but `superseded`), or a comment whose marker no longer reads at all. A status comment
 * that does not verify is left as it is: it decides nothing (no rule, dedupe or label reads it), it
 * reports something past, and rewriting every one of an issue's older statuses after an upgrade would be
 * a flood of edits.
 */
export function standingUntrusted(untrusted: readonly UntrustedComment[]): UntrustedComment[] {
  return untrusted.filter(
    (c) => c.claims === undefined || (c.claims.kind === "review" && c.claims.state !== "superseded"),
  );
}

/** The patch keys that standing untrusted comments claim, once each, in the order of the comments. */
export function claimedKeys(untrusted: readonly UntrustedComment[]): string[] {
  return [...new Set(standingUntrusted(untrusted).flatMap((c) => (c.claims?.key ? [c.claims.key] : [])))];
}

/**
 * docs/design.md §6, "Signed comments": the bot's comments on the issue whose signature does not verify
 * and that stand as a review (edited by someone, or written before comments were signed):
 * 1. review the key each one claims again, as if asked to (`/refresh`): the review is posted anew when no
 *    trusted review of that version stands; the rules do not run again (they had their say on the version
 *    when it was first reviewed, and an approval is judged by them anew);
 * 2. then rewrite the comment to say it is void, signed, so it is never repaired twice;
 * 3. a key that could not be reviewed now is answered, all in one comment, as `/refresh` answers them.
 * The review goes first: if GitHub fails it, the comment is still untrusted and the next event tries again.
 */
export async function repairUntrusted(job: IssueJob, config: NomadPatchConfig): Promise<void> {
  const { untrusted } = await readComments(job);
  const standing = standingUntrusted(untrusted).slice(0, MAX_REPAIRS_PER_EVENT);
  if (standing.length === 0) return;
  job.log.warn(
    { comments: standing.map((c) => c.id), more: standingUntrusted(untrusted).length - standing.length },
    "the bot's comments whose signature does not verify: voided, their keys reviewed again",
  );
  const reviewed = new Set<string>();
  const failed: UnansweredFailure[] = [];
  for (const comment of standing) {
    const key = comment.claims?.key ?? undefined;
    if (key !== undefined && !reviewed.has(key)) {
      reviewed.add(key);
      const failure = await reviewKey(job, config, {
        key,
        offered: true,
        author: undefined,
        runRules: false,
      });
      if (failure) failed.push(failure);
    }
    await job.github.updateComment(comment.id, renderVoidMarkdown({ key }));
  }
  if (failed.length === 0) return;
  const refreshCommand = config.commands.refresh[0] ?? DEFAULT_REFRESH_COMMAND;
  await job.github.createComment(
    renderFailuresMarkdown(
      failed.map((f) => ({ key: f.key, ...f.failure, refreshCommand, author: f.author })),
    ),
  );
}
