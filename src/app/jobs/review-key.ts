import { PolicyRefusal } from "../../errors.js";
import type { PatchReview } from "../../patch-request/change-model.js";
import type { NomadPatchConfig } from "../../policy/index.js";
import { levelRank } from "../../policy/index.js";
import type { ReviewMarker, Revision } from "../../render/index.js";
import {
  approvalFacts,
  DEFAULT_REFRESH_COMMAND,
  renderFailureMarkdown,
  renderReviewMarkdown,
  renderSupersededMarkdown,
  reviewedResult,
  reviewStatus,
} from "../../render/index.js";
import { reviewPatch } from "../../service/review-patch.js";
import { findReview, type MarkedComment, reviewComments } from "../bot-comments.js";
import { describeFailure, type FailureDescription } from "../describe-failure.js";
import { earliestPoster, firstPoster } from "../first-poster.js";
import { type IssueComment, issueLane } from "../github/issue-github.js";
import type { IssueJob } from "../job-context.js";
import { reviewLimits, targetSettings } from "../limits.js";
import { knownRevisions, withRevision } from "../revisions.js";
import { watchKey } from "../watch/watch-key.js";
import { standingFailures, takeDownApplyLabels } from "./apply-labels.js";
import { finishIfCutShort, reportIfApplied, sayIfFailedUnheard } from "./apply-reviewed.js";
import { applyRules, authorPermission, judgeReview, rulesRejection } from "./apply-rules.js";
import { readComments } from "./issue-comments.js";
import { settleRejection } from "./settle-rejection.js";
import { aboutPatch, type WorkAbout } from "./work-error.js";

export interface ReviewRequest {
  readonly key: string;
  /** Offered as a patch: a wrong key gets a reply. Otherwise an incidental mention, answered only if real. */
  readonly offered: boolean;
  /**
   * Who posted the text holding the key. The patch's author for the rules' `authorPermission` is the
   * one its review records, else whoever posted the key first on the issue (`firstPoster`), and this
   * only when the issue does not show the key: a later mention by someone else (a maintainer quoting a
   * stranger's key) vouches for no version they were shown. Undefined on a re-render that no text
   * caused (`/refresh`, a voided approval); without any author the rules do not run.
   */
  readonly author: string | undefined;
  /** False when re-rendering after a voided approval: the rules had their say on this event already. */
  readonly runRules?: boolean;
  /**
   * Whether this event may mark superseded the older reviews of the key that read as current when the
   * version did not change (a writer put the bot's own earlier texts back): for someone who may not
   * approve, only within the refresh limit. Asked at most once, and only when there is such a review.
   * Absent: the bot's own work (a refresh already admitted, a repair, an apply), which may.
   */
  readonly mayTidy?: () => Promise<boolean>;
}

/**
 * Older reviews of a key still reading as current that one event marks superseded, besides the review a
 * new version replaces. Which review is current never depends on it (the newest that is not superseded,
 * `findReview`): marking them only makes the issue read true, so it may wait for later events. Without a
 * bound, a writer who put back the bot's own earlier texts on an issue (GitHub's edit history keeps
 * every one, signed) had one event rewrite all of them at once (49 writes seen).
 */
export const MAX_STALE_SUPERSEDED_PER_EVENT = 3;

/** Per job (one event): the older reviews marked superseded so far, shared by every key it reviews. */
const staleWritten = new WeakMap<IssueJob, number>();

function withinStaleBudget<T>(job: IssueJob, stale: readonly T[]): T[] {
  const written = staleWritten.get(job) ?? 0;
  const taken = stale.slice(0, Math.max(0, MAX_STALE_SUPERSEDED_PER_EVENT - written));
  staleWritten.set(job, written + taken.length);
  return taken;
}

/** A key that could not be reviewed and has no comment of its own: the caller answers all of them at once. */
export interface UnansweredFailure {
  readonly key: string;
  readonly failure: FailureDescription;
  /** Offered as a patch: it deserves a reply. An incidental mention stays quiet. */
  readonly offered: boolean;
  readonly author: string | undefined;
}

/**
 * The review comment for one key (docs/design.md §5). An approval binds to what a comment showed when
 * it was written, so a review's text is written once:
 * 1. find the key's current review comment; an apply of its version that was begun and cut short (the app
 *    stopped) is finished instead (`finishIfCutShort`);
 * 2. review the patch on IPFS (resolve, fold the target, predict the result); a version that was applied is
 *    not reviewed again: its outcome is posted if the issue lacks it (`reportIfApplied`); the failure of an
 *    apply of the version the review shows, recorded and never said (the app stopped), is said
 *    (`sayIfFailedUnheard`);
 * 3. the same version as the current review (patch CID, result, state): nothing is written, nothing runs,
 *    unless older reviews of the key were left current (up to `MAX_STALE_SUPERSEDED_PER_EVENT` of them
 *    are marked superseded now, if `mayTidy` allows) or what the review
 *    says about approving no longer holds (the rules, the author's permission, the label or the commands
 *    changed: it is rewritten in place, and the rules decide again);
 * 4. read the repository's rules, judging the recorded author: the review says whether one refuses it;
 * 5. otherwise post the review; when it replaces one, it says what changed (edits notify nobody) and the
 *    old one is marked superseded, so no approval binds to it;
 * 6. keep watching the key for its next version (docs/design.md §5);
 * 7. let that verdict decide (apply, reject, or wait for a person).
 * Nothing is written before the review is known (no "resolving…" placeholder): a key that does not
 * resolve must not cost writes of its own, since every write of the process waits in one throttled
 * queue. Such a failure is returned, and the caller answers all of a text's failures in one comment.
 * A GitHub failure on the way is thrown with the key (and the CID once known) for the last-resort report.
 */
export async function reviewKey(
  job: IssueJob,
  config: NomadPatchConfig,
  request: ReviewRequest,
): Promise<UnansweredFailure | undefined> {
  const { key } = request;
  const log = job.log.child({ key });
  const refresh = config.commands.refresh[0] ?? DEFAULT_REFRESH_COMMAND;
  const about: WorkAbout = { key, cid: null, retryCommand: refresh };
  const { comments, botLogin, marked } = await aboutPatch(about, () => readComments(job));
  const current = findReview(marked, key);
  // The first poster's, as recorded or as the issue shows: whoever controls the key may republish it
  // after someone with more permission mentioned it.
  const firstPosted = current?.marker.author ?? postedBy(job, comments, botLogin, request);
  // Before reviewing: a review now would fold the target with the half-published apply in it, and read
  // as a new state of the patch rather than the apply it is.
  const reviewed = current?.marker.cid;
  if (
    reviewed &&
    (await aboutPatch({ ...about, cid: reviewed }, () =>
      finishIfCutShort(job, config, marked, key, reviewed),
    ))
  )
    return undefined;

  const limits = reviewLimits(config, job.runtime.environment);
  let review: PatchReview;
  try {
    const reviewed = await reviewPatch(
      { store: job.runtime.store },
      {
        key,
        targets: targetSettings(config),
        limits,
        dataDir: job.runtime.environment.dataDir,
        now: job.runtime.now?.(),
      },
    );
    review = reviewed.review;
  } catch (error) {
    const failure = describeFailure(error);
    if (current === undefined) {
      log.info({ code: failure.code, offered: request.offered }, "review failed: left to the caller");
      return { key, failure, offered: request.offered, author: firstPosted };
    }
    // Only an unfinished comment is overwritten: a review someone may be reading stays, and an
    // approval of it is checked against the key again when it is applied. A refusal is no passing
    // failure, though: the repository's own configuration (a target it no longer names, say) now refuses
    // what the review offers to apply, so a review still reading "Ready to apply" would be untrue.
    const refused = error instanceof PolicyRefusal && current.marker.state !== "failed";
    if (current.marker.state !== "resolving" && !refused) {
      log.warn(
        { code: failure.code, current: current.marker.state },
        "review failed: the comment already there stays",
      );
      return undefined;
    }
    log.warn(
      { code: failure.code, err: error },
      refused ? "review refused: the review is rewritten" : "review failed",
    );
    const body = renderFailureMarkdown({ key, ...failure, refreshCommand: refresh, author: firstPosted });
    await aboutPatch(about, async () => {
      await job.github.updateComment(current.id, body);
      // Nothing of this key can be approved now: an approve label set for it no longer stands.
      if (refused) await takeDownApplyLabels(job, config, marked, key);
    });
    return undefined;
  }

  const cid = review.patch.cid;
  const result = reviewedResult(review);
  // Permissions are read only for a version that resolved: a key that fails costs no GitHub call.
  const author = await judgedAuthor(job, config, current, firstPosted, request, cid);
  if (await reportIfApplied(job, config, marked, key, cid)) {
    log.info({ cid }, "this version was applied: not reviewed again");
    return undefined;
  }
  // Nothing of a failed apply was published, so the review goes on; its failure is said first, if unsaid.
  if (current?.marker.cid === cid)
    await aboutPatch({ ...about, cid }, () => sayIfFailedUnheard(job, config, marked, key, cid));
  // Reviews of the key still current besides the newest: a stop, or GitHub failing, after a review was
  // posted and before the one it replaced was marked superseded. Each still reads as the key's review.
  const stale = reviewComments(marked).filter(
    (c) => c.marker.key === key && c.marker.state !== "superseded" && c.id !== current?.id,
  );
  // The rules are read before the review is written, so that it says whether one refuses this version.
  const reviewOptions = async (revisions: readonly Revision[]) => {
    const verdict = await judgeReview(job, config, review, author);
    const options = {
      rulesReject: rulesRejection(verdict),
      revisions,
      approveLabel: config.labels.approve,
      commands: config.commands.apply,
      refreshCommand: refresh,
      author,
      gatewayUrl: job.runtime.environment.gatewayUrl,
    };
    return { verdict, options };
  };
  if (current && sameVersion(current.marker, review)) {
    await aboutPatch({ ...about, cid }, async () => {
      if (stale.length > 0 && ((await request.mayTidy?.()) ?? true)) {
        const tidied = withinStaleBudget(job, stale);
        if (tidied.length < stale.length)
          log.info(
            { stale: stale.length, now: tidied.length },
            "older reviews read as current: some left for later events",
          );
        if (tidied.length > 0) await supersedeStale(job, config, marked, key, tidied);
      }
      const { verdict, options } = await reviewOptions(knownRevisions(marked, key));
      const shown = comments.find((c) => c.id === current.id)?.body;
      if (shown === undefined || approvalFacts(review, options).every((fact) => shown.includes(fact))) {
        log.info({ cid, result }, "the review is unchanged: nothing to write");
        watchKey(job, config, key, cid);
        // What the issue says of its rejection follows the review even when the review's text did not
        // change since: a stop between rewriting it and lifting (or posting) the rejection.
        if (request.runRules === false || author === undefined) return;
        await settleRejection(job, config, review, verdict, { comments, marked });
        return;
      }
      // The same version, but the rules, the author's permission, the approve label or the commands
      // changed since it was written: what it says about approving it is rewritten. The edit makes it
      // newer than any approval given before it, which no longer binds to it.
      const replaces = replacedBy(marked, current);
      await job.github.updateComment(current.id, renderReviewMarkdown(review, { ...options, replaces }));
      log.info({ cid, result }, "the review's rules or approval setup changed: rewritten");
      watchKey(job, config, key, cid);
      if (request.runRules === false) return;
      if (author === undefined) return log.info("no recorded author to judge: the rules do not run");
      await applyRules(job, config, review, verdict);
    });
    return undefined;
  }
  await aboutPatch({ ...about, cid }, async () => {
    const revisions = await withRevision(knownRevisions(marked, key), cid, {
      store: job.runtime.store,
      maxEntries: limits.maxEntries,
      timeoutMs: limits.resolveTimeoutMs ?? job.runtime.environment.resolveTimeoutMs,
      now: job.runtime.now?.() ?? new Date(),
    });
    const { verdict, options } = await reviewOptions(revisions);
    const replaces = current?.marker.cid
      ? { cid: current.marker.cid, result: current.marker.result }
      : undefined;
    const otherFailures = await standingFailures(job, marked, key);
    await job.github.createComment(renderReviewMarkdown(review, { ...options, replaces, otherFailures }));
    // The review this one replaces always; older ones left reading as current within the event's budget.
    const tidied = withinStaleBudget(job, stale);
    const replaced = current ? [current, ...tidied] : tidied;
    if (replaced.length > 0) await supersedeStale(job, config, marked, key, replaced);
    log.info({ cid, result, replaced: current?.marker.cid ?? null }, "review posted");
    watchKey(job, config, key, cid);
    if (request.runRules === false) return;
    if (author === undefined) return log.info("no recorded author to judge: the rules do not run");
    await applyRules(job, config, review, verdict);
  });
  return undefined;
}

/**
 * Who first posted the key on the issue, when no review records it yet. A key the issue does not show
 * (GitHub's list may not hold a new comment yet) is the text's author's; an issue too long to read to the
 * end has no known author, so no rule judges it by its author (it waits for a person).
 */
function postedBy(
  job: IssueJob,
  comments: readonly IssueComment[],
  botLogin: string,
  request: ReviewRequest,
): string | undefined {
  const shown = firstPoster(job.issue, comments, request.key, botLogin);
  const recorded =
    job.runtime.keyPosters?.lookup(issueLane(job.github.ref), request.key, job.issue.createdAt) ??
    ({ kind: "none" } as const);
  const first = earliestPoster(shown, recorded);
  if (first.kind === "found") return first.login;
  if (first.kind === "nowhere") return request.author;
  job.log.warn(
    { key: request.key, recorded: recorded.kind },
    recorded.kind === "forgotten"
      ? "the record of who posted the key first on this issue was dropped: no author"
      : "the issue is too long to find who posted the key first: no author",
  );
  return undefined;
}

/**
 * The author the rules judge when no review records one: the key's first poster, unless the text that
 * brings the key to review is someone else's, and then the less trusted of the two. The issue shows only
 * what is left of it: a stranger who takes their key out of their own text (an edit or a deletion, which
 * anyone may make of their own) after a maintainer quoted it leaves the quote as the first text holding
 * it, and offering the key again would have had the rules judge it as the maintainer's (docs/decisions.md,
 * "The author of a key on an issue is whoever posted it first"). The two permissions are read only when
 * a rule asks about the author (`authorPermission`); otherwise the first poster is recorded, as before.
 */
async function lessTrusted(
  job: IssueJob,
  config: NomadPatchConfig,
  firstPosted: string | undefined,
  request: ReviewRequest,
): Promise<string | undefined> {
  const poster = request.author;
  if (firstPosted === undefined || poster === undefined || poster === firstPosted) return firstPosted;
  const firstLevel = await authorPermission(job, config, firstPosted);
  const posterLevel = await authorPermission(job, config, poster);
  const author = levelRank(posterLevel) < levelRank(firstLevel) ? poster : firstPosted;
  job.log.info(
    { key: request.key, first: firstPosted, poster, author },
    "the key's author so far and the poster of this text differ: the less trusted is its author",
  );
  return author;
}

/**
 * The author the rules judge this version under, recorded in its review. A version its current review
 * shows keeps the author recorded there. A new version was published by whoever controls the key, which
 * the recorded author may not: a maintainer who offered a stranger's key vouched for what they offered,
 * not for what the stranger publishes next. So a new version that a text brings is judged as the less
 * trusted of the recorded author and the text's poster, and one that no text brings (the watch, a
 * `/refresh`, the review after a voided approval) as nobody (the bot, whose permission reads as none),
 * unless the recorded author is trusted with nothing anyway (docs/decisions.md, "The author of a key on
 * an issue is whoever posted it first").
 */
async function judgedAuthor(
  job: IssueJob,
  config: NomadPatchConfig,
  current: MarkedComment<ReviewMarker> | undefined,
  firstPosted: string | undefined,
  request: ReviewRequest,
  cid: string,
): Promise<string | undefined> {
  const recorded = current?.marker.author ?? undefined;
  if (recorded === undefined) return lessTrusted(job, config, firstPosted, request);
  // A review that showed no version yet (the key did not resolve): this is the first the recorded author's
  // text brings, as for a key without a review.
  if (current?.marker.cid === cid || !current?.marker.cid) return recorded;
  if (request.author !== undefined) return lessTrusted(job, config, recorded, request);
  if ((await authorPermission(job, config, recorded)) === "none") return recorded;
  job.log.info(
    { key: request.key, cid, recorded },
    "a new version no text brought: judged as nobody's, not on the word of who offered an earlier one",
  );
  return job.runtime.botLogin();
}

function sameVersion(marker: ReviewMarker, review: PatchReview): boolean {
  return (
    marker.cid === review.patch.cid &&
    marker.result === reviewedResult(review) &&
    marker.state === reviewStatus(review).state
  );
}

/**
 * Marks older reviews of `key` superseded, so no approval binds to them, and takes down the labels that
 * were about them, unless another key's failed apply stands.
 */
async function supersedeStale(
  job: IssueJob,
  config: NomadPatchConfig,
  marked: readonly MarkedComment[],
  key: string,
  old: readonly MarkedComment<ReviewMarker>[],
): Promise<void> {
  for (const review of old)
    await job.github.updateComment(review.id, renderSupersededMarkdown(review.marker));
  await takeDownApplyLabels(job, config, marked, key);
}

/** The version the current review replaced (the newest superseded review of its key before it), if any. */
function replacedBy(marked: readonly MarkedComment[], current: MarkedComment<ReviewMarker>) {
  const before = reviewComments(marked)
    .filter((c) => c.marker.key === current.marker.key && c.id < current.id && c.marker.cid !== null)
    .at(-1);
  return before ? { cid: before.marker.cid, result: before.marker.result } : undefined;
}
