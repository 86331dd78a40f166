import { CID } from "multiformats/cid";
import { isIpldMap } from "../../nomad/index.js";
import type { ApplyOutcome } from "../../patch-request/apply-outcome.js";
import type { NomadPatchConfig } from "../../policy/index.js";
import {
  type ApplyProgress,
  DEFAULT_REFRESH_COMMAND,
  type OutcomeOptions,
  renderApplyHeldMarkdown,
  renderApplyRejectedMarkdown,
  renderConflictHoldMarkdown,
  renderOutcomeMarkdown,
  renderStatusFailureMarkdown,
  renderVoidedMarkdown,
} from "../../render/index.js";
import type { StatusState } from "../../render/marker.js";
import { ConflictError, PatchMovedError, TargetMovedError } from "../../service/apply-errors.js";
import {
  approvedFrom,
  isUnfinished,
  type JournalIssue,
  type JournalRecord,
} from "../../service/apply-journal.js";
import { applyPatch, closeUnpublished, type UnpublishedClose } from "../../service/apply-patch.js";
import { displayNameOf } from "../../service/review-patch.js";
import { findStatus, type MarkedComment, reviewComments } from "../bot-comments.js";
import { describeFailure, describeRecordedFailure, type FailureDescription } from "../describe-failure.js";
import type { IssueJob } from "../job-context.js";
import { reviewLimits, targetSettings } from "../limits.js";
import { knownRevisions, revisionDelta } from "../revisions.js";
import { unwatch } from "../watch/watch-key.js";
import { takeDownApplyLabels } from "./apply-labels.js";
import { heldNow } from "./held-now.js";
import { readMarked } from "./issue-comments.js";
import { reviewKey } from "./review-key.js";
import { aboutPatch } from "./work-error.js";

export interface Approved {
  readonly key: string;
  /** From the bot's own review marker, never from a command or a person's comment. */
  readonly cid: string;
  readonly result: string;
}

interface ApprovedBy {
  /**
   * A login or "the repository's rules", named in the outcome; undefined when only the journal tells of the
   * approval (an apply finished after a stop) and its record names nobody.
   */
  readonly approvedBy: string | undefined;
  /** When a person's approval was given, by GitHub's clock (`JournalRecord.approvedAt`). */
  readonly approvedAt?: string;
  /** Set when a person's approval overrode the rules' rejection: said in the outcome. */
  readonly override?: OutcomeOptions["override"];
  /** The approver may apply a patch that conflicts with later changes (an admin: docs/decisions.md). */
  readonly overrideConflicts?: boolean;
  /** A hold stands that came after the apply had published the bot's stream: the outcome says so. */
  readonly heldTooLate?: boolean;
  /** With `heldTooLate`: the label was found up once the apply was done, not when a stopped one resumed. */
  readonly heldWhileRunning?: boolean;
  /** A rejection came after the apply had published the bot's stream: the outcome says so. */
  readonly rejectedTooLate?: boolean;
}

/**
 * docs/design.md §6, once someone (or the rules) approved:
 * 1. apply through the engine, bound to the reviewed CIDs (it writes each entry exactly once);
 * 2. the key or the target moved: the approval is void, say so and re-render the review;
 * 3. any other failure: a failed status and label, saying what the journal shows was published;
 * 4. applied: the outcome comment (unless already there), the labels, and close if configured.
 * A GitHub failure after step 1 is thrown saying the patch was applied, so the report never says
 * otherwise; approving again then reports it (the journal writes nothing twice).
 */
export async function applyReviewed(
  job: IssueJob,
  config: NomadPatchConfig,
  approved: Approved,
  by: ApprovedBy,
): Promise<void> {
  const { key, cid } = approved;
  const log = job.log.child({ key, cid, approvedBy: by.approvedBy });
  const applyCommand = config.commands.apply[0] ?? "/apply";
  let outcome: ApplyOutcome;
  try {
    outcome = await applyPatch(
      { store: job.runtime.store, journal: job.runtime.journal },
      {
        key,
        expectPatchCid: cid,
        expectResultCid: approved.result,
        targets: targetSettings(config),
        limits: reviewLimits(config, job.runtime.environment),
        dataDir: job.runtime.environment.dataDir,
        overrideConflicts: by.overrideConflicts === true,
        now: job.runtime.now,
        approvedBy: by.approvedBy,
        ...(by.approvedAt === undefined ? {} : { approvedAt: by.approvedAt }),
        issue: issueOf(job),
      },
    );
  } catch (error) {
    if (error instanceof ConflictError) {
      // Not a failure: the approval is refused as the review said it would be; the label goes.
      log.info({ paths: error.paths.length }, "approval refused: the patch conflicts with later changes");
      await aboutPatch({ key, cid, retryCommand: applyCommand }, async () => {
        const reason = `${error.message}; only an admin's approval applies it as it is`;
        await job.github.createComment(renderConflictHoldMarkdown({ key, cid, reason, by: by.approvedBy }));
        if (job.issue.labels.includes(config.labels.approve))
          await job.github.removeLabel(config.labels.approve);
      });
      return;
    }
    if (error instanceof PatchMovedError || error instanceof TargetMovedError) {
      log.info({ code: error.code }, "approval void: the key or the target moved; re-rendering");
      const refresh = config.commands.refresh[0] ?? DEFAULT_REFRESH_COMMAND;
      const voided =
        error instanceof PatchMovedError
          ? {
              key,
              approvedCid: cid,
              currentCid: error.actualCid ?? null,
              changes: error.actualCid ? await changesSince(job, config, cid, error.actualCid) : undefined,
              revisions: await revisionNumbers(job, key, cid),
            }
          : { key, approvedCid: cid, moved: "target" as const, targetId: error.targetId };
      await aboutPatch({ key, cid, retryCommand: refresh }, async () => {
        await job.github.createComment(renderVoidedMarkdown(voided));
        await job.github.removeLabel(config.labels.approve);
      });
      await reviewKey(job, config, { key, offered: true, author: undefined, runRules: false });
      return;
    }
    const failure = describeFailure(error);
    const progress = await applyProgress(job, cid);
    log.error({ code: failure.code, journal: progress.state, err: error }, "apply failed");
    await postFailure(job, config, { key, cid }, failure, progress);
    return;
  }
  const applied = { key, cid, retryCommand: applyCommand, appliedRoamingCid: outcome.roamingCid };
  // A hold label put on by hand while the apply ran was not looked at (an apply that began is finished):
  // read once it is done, so the outcome says the hold came too late rather than nothing of it.
  const heldWhileRunning =
    !by.heldTooLate && outcome.status === "applied" && (await heldNow(job, config).catch(() => false));
  const said = heldWhileRunning ? { ...by, heldTooLate: true, heldWhileRunning: true } : by;
  await aboutPatch(applied, () => reportApplied(job, config, outcome, { ...said, result: approved.result }));
}

/** The issue a job is about, as the apply journal names it (`JournalRecord.issue`). */
function issueOf(job: IssueJob): JournalIssue {
  const { owner, repo, issueNumber } = job.github.ref;
  return { owner, repo, number: issueNumber };
}

/**
 * The apply journal's record of version `cid` of `key` when this issue's approval began it, or it names no
 * issue (a record written before issues were kept, or the CLI's): what became of an apply is said on the
 * issue that approved it, not on every issue that reviews the key. Unreadable reads as none.
 */
async function recordOf(job: IssueJob, key: string, cid: string): Promise<JournalRecord | undefined> {
  const record = await job.runtime.journal.get(cid).catch(() => undefined);
  if (!record || record.patchKey !== key || !approvedFrom(record, issueOf(job))) return undefined;
  return record;
}

/**
 * Whether version `cid` of `key` was applied: the issue shows its outcome, or the journal says the apply
 * is done. An applied version is not reviewed again, since a new review of it would read as waiting for an
 * approval. An apply the journal finished that the issue does not show (the app stopped after the apply and
 * before its comment; the key applied from another issue) is reported now, with its labels.
 */
export async function reportIfApplied(
  job: IssueJob,
  config: NomadPatchConfig,
  marked: readonly MarkedComment[],
  key: string,
  cid: string,
): Promise<boolean> {
  const shown = findStatus(
    marked,
    (m) => (m.state === "applied" || m.state === "already-applied") && m.key === key && m.cid === cid,
  );
  if (shown) return true;
  // Unreadable reads as not applied: the review goes on, and an approval consults the journal again.
  const record = await job.runtime.journal.get(cid).catch(() => undefined);
  if (record?.state !== "done" || !record.outcome || record.patchKey !== key) return false;
  const { outcome } = record;
  job.log.info({ key, cid, roaming: outcome.roamingCid }, "applied before, and the issue does not say so");
  const applyCommand = config.commands.apply[0] ?? "/apply";
  const about = { key, cid, retryCommand: applyCommand, appliedRoamingCid: outcome.roamingCid };
  const by = { approvedBy: record.approvedBy, result: record.expectResultCid };
  await aboutPatch(about, () => reportApplied(job, config, outcome, by));
  return true;
}

/**
 * Whether an apply of version `cid` of `key` was begun and cut short before the issue heard of it: the
 * journal holds it unfinished (planned, or the local stream published) and the issue has no status about
 * the version. The app stopped in the middle (a kill, a crash, a deploy); the approval that began it, a
 * person's or the rules', was given and bound to this version, so the apply is finished now, without
 * re-checks (the journal's plan is what was approved) and without waiting for that approval's event to come
 * again: an automatic apply's event is a review, which finds the same version and would decide nothing, and a
 * poll's is not queued at all. Its outcome names the approver the journal kept. A failure already
 * said on the issue (the apply failed and said how to finish it) is left to the person it asks.
 */
export async function finishIfCutShort(
  job: IssueJob,
  config: NomadPatchConfig,
  marked: readonly MarkedComment[],
  key: string,
  cid: string,
): Promise<boolean> {
  // Unreadable reads as nothing begun: the review goes on as before, and an approval consults it again.
  const record = await recordOf(job, key, cid);
  if (!record || !isUnfinished(record.state)) return false;
  if (heardOf(marked, key, cid, ["held", "rejected"])) return false;
  const rejected = rejectionSince(marked, record);
  if (rejected) return resumeUnder(job, config, record, { state: "rejected", at: rejected.writtenAt });
  if (await heldNow(job, config)) return resumeUnder(job, config, record, { state: "held" });
  job.log.info(
    { key, cid, journal: record.state },
    "an apply of this version was cut short before the issue heard of it: finishing it",
  );
  const approved = { key, cid, result: record.expectResultCid };
  await applyReviewed(job, config, approved, { approvedBy: record.approvedBy });
  return true;
}

/**
 * An apply begun before a hold or a rejection and cut short (the app stopped), resumed while that decision
 * stands. Which wins follows from what the journal and the bot's stream say was published:
 * - nothing (`planned`, and the bot's stream holds none of its entries): the decision wins. The record is
 *   closed as `held` or `rejected`, nothing is published, and the issue says so (unless `quiet`: the
 *   rejection about to be posted says it); an approval once the hold is lifted, or given after the rejection,
 *   plans it afresh. Returns false: nothing changed in the target, and the review goes on.
 * - the bot's stream (`local-published`, or `planned` with the stream published before the stop): the
 *   target's devices already fold the entries, and stopping would leave its roaming value saying otherwise.
 *   It is finished, and its outcome says the decision came too late and why. Returns true, as finishing does.
 */
async function resumeUnder(
  job: IssueJob,
  config: NomadPatchConfig,
  record: JournalRecord,
  close: UnpublishedClose,
  { quiet = false }: { readonly quiet?: boolean } = {},
): Promise<boolean> {
  const { patchKey: key, patchCid: cid } = record;
  const applyCommand = config.commands.apply[0] ?? "/apply";
  const about = { key, cid, retryCommand: applyCommand };
  const closed = await aboutPatch(about, () =>
    closeUnpublished({ store: job.runtime.store, journal: job.runtime.journal }, cid, close),
  );
  if (closed.held) {
    job.log.info(
      { key, cid, decision: close.state },
      "an apply cut short before it published anything is closed under the decision, not finished",
    );
    if (quiet) return false;
    const body =
      close.state === "held"
        ? renderApplyHeldMarkdown({ key, cid, heldLabel: config.labels.held, retryCommand: applyCommand })
        : renderApplyRejectedMarkdown({ key, cid, retryCommand: applyCommand });
    await aboutPatch(about, () => job.github.createComment(body));
    return false;
  }
  job.log.info(
    { key, cid, journal: closed.state, decision: close.state },
    "an apply cut short after its first publish is finished: the decision came too late",
  );
  const approved = { key, cid, result: record.expectResultCid };
  const late = close.state === "held" ? { heldTooLate: true } : { rejectedTooLate: true };
  await applyReviewed(job, config, approved, { approvedBy: record.approvedBy, ...late });
  return true;
}

/**
 * The bot's rejection of the version a begun apply is of (or of the whole issue: a `/reject` of an issue with
 * several patches names none) written after the approval that began it, by GitHub's clock: the person's
 * approval the journal kept, else the version's review (the rules approve as it is written). A rejection
 * from before the approval was overridden by it.
 */
function rejectionSince(marked: readonly MarkedComment[], record: JournalRecord): MarkedComment | undefined {
  const { patchKey: key, patchCid: cid } = record;
  const review = reviewComments(marked).find((c) => c.marker.key === key && c.marker.cid === cid);
  const approvedAt = record.approvedAt ?? review?.writtenAt;
  if (approvedAt === undefined) return undefined;
  const began = Date.parse(approvedAt);
  return marked.findLast(
    (c) =>
      c.marker.kind === "status" &&
      c.marker.state === "rejected" &&
      ((c.marker.key === key && c.marker.cid === cid) || (c.marker.key === null && c.marker.cid === null)) &&
      Date.parse(c.writtenAt) > began,
  );
}

/** More reviews than this on one issue are not looked up for a begun apply when a hold comes. */
const MAX_SETTLED_UNDER_HOLD = 20;

/**
 * A hold stands (a `/hold` just put it up, or an approval found it): the applies of the issue's current
 * reviews that were begun and cut short before the issue heard of them are settled under it now
 * (`resumeUnder`), rather than left half-done until some later review. At most 20 reviews are looked
 * up, each one journal read; a record settled is closed or done, so a second hold finds nothing to do.
 * Returns how many were settled.
 */
export async function settleBegunUnderHold(
  job: IssueJob,
  config: NomadPatchConfig,
  marked: readonly MarkedComment[],
): Promise<number> {
  return settleBegun(job, config, marked, { state: "held" }, ["held"]);
}

/**
 * A `/reject` given at `at` is about to be said: the begun and cut-short applies of the issue's current
 * reviews are settled under it first, as under a hold (closed as `rejected` when nothing was published, the
 * rejection's comment saying so; finished and said too late when the bot's stream was). Earlier rejections
 * on the issue do not count as the issue having heard of the apply: they came before the approval that
 * began it, or were left unsettled by an older version of the app. Returns how many were settled.
 */
export async function settleBegunUnderRejection(
  job: IssueJob,
  config: NomadPatchConfig,
  marked: readonly MarkedComment[],
  at: string,
): Promise<number> {
  return settleBegun(job, config, marked, { state: "rejected", at }, ["held", "rejected"], { quiet: true });
}

async function settleBegun(
  job: IssueJob,
  config: NomadPatchConfig,
  marked: readonly MarkedComment[],
  close: UnpublishedClose,
  ignoring: readonly StatusState[],
  options: { readonly quiet?: boolean } = {},
): Promise<number> {
  const current = reviewComments(marked)
    .filter((c) => c.marker.cid !== null && c.marker.state !== "superseded")
    .slice(-MAX_SETTLED_UNDER_HOLD);
  let settled = 0;
  for (const { marker } of current) {
    const { key, cid } = marker;
    if (cid === null) continue;
    const record = await recordOf(job, key, cid);
    if (!record || !isUnfinished(record.state)) continue;
    if (heardOf(marked, key, cid, ignoring)) continue;
    await resumeUnder(job, config, record, close, options);
    settled++;
  }
  return settled;
}

/**
 * Whether version `cid` of `key` has an apply, begun from this issue, that the journal closed under the
 * rejection given at `at`: the rejection's comment says it was stopped (also when a replay of the `/reject`
 * says it, the record closed before the stop), and a later rejection does not say it again.
 */
export async function stoppedByRejection(
  job: IssueJob,
  key: string,
  cid: string,
  at: string,
): Promise<boolean> {
  const record = await recordOf(job, key, cid);
  return record?.state === "rejected" && record.rejectedAt === at;
}

/**
 * When the journal closed an apply of version `cid` of `key` under a rejection given after `approvedAt`:
 * an approval from before the rejection (a replay, a redelivery) is not applied; undefined otherwise.
 */
export async function rejectedAfter(
  job: IssueJob,
  key: string,
  cid: string,
  approvedAt: string | undefined,
): Promise<string | undefined> {
  const record = await job.runtime.journal.get(cid).catch(() => undefined);
  if (record?.state !== "rejected" || record.patchKey !== key || record.rejectedAt === undefined)
    return undefined;
  const approved = Date.parse(approvedAt ?? "");
  return Number.isFinite(approved) && approved > Date.parse(record.rejectedAt)
    ? undefined
    : record.rejectedAt;
}

/** The roaming value the journal says the apply of version `cid` of `key` published, when it is done. */
export async function appliedRoaming(job: IssueJob, key: string, cid: string): Promise<string | undefined> {
  const record = await job.runtime.journal.get(cid).catch(() => undefined);
  if (record?.state !== "done" || record.patchKey !== key) return undefined;
  return record.outcome?.roamingCid;
}

/**
 * An apply of version `cid` of `key`, the key's current version and the one its review on the issue shows,
 * that the journal recorded `failed` (nothing was published) and the issue never heard of: the app stopped
 * between recording the failure and saying it. Said now, in the words and with the label it would have had
 * live, so a person can approve again (the next approval plans afresh). Once: the status it posts is about
 * the version, as a failure said live is, and either is found by the next review.
 */
export async function sayIfFailedUnheard(
  job: IssueJob,
  config: NomadPatchConfig,
  marked: readonly MarkedComment[],
  key: string,
  cid: string,
): Promise<void> {
  const record = await recordOf(job, key, cid);
  if (record?.state !== "failed" || heardOf(marked, key, cid)) return;
  const failure = describeRecordedFailure({
    code: record.failureCode,
    message: record.failure ?? "",
    hint: record.failureHint,
  });
  job.log.info(
    { key, cid, code: failure.code },
    "an apply of this version failed before the issue heard of it: saying so",
  );
  await postFailure(job, config, { key, cid }, failure, { state: "failed", entries: record.entries.length });
}

/**
 * Whether the issue has a status about version `cid` of `key` that tells of its apply or decides about it:
 * an outcome, a failure, a voided approval, a rejection. A stranger's denied approval tells nothing, nor
 * does a hold's comment: whether a hold stands is the label's to say when it matters (it may have been
 * lifted since), and a hold that closed an apply leaves its record closed, which is found first.
 */
function heardOf(
  marked: readonly MarkedComment[],
  key: string,
  cid: string,
  /** Decisions that tell nothing of the apply here besides a hold's: a rejection, when it is weighed apart. */
  ignoring: readonly StatusState[] = ["held"],
): boolean {
  const said = findStatus(
    marked,
    (m) => m.key === key && m.cid === cid && m.state !== "denied" && !ignoring.includes(m.state),
  );
  return said !== undefined;
}

/** A failed apply's status and label: nothing applied, or as much as the journal says was published. */
async function postFailure(
  job: IssueJob,
  config: NomadPatchConfig,
  about: { readonly key: string; readonly cid: string },
  failure: FailureDescription,
  progress: ApplyProgress,
): Promise<void> {
  const applyCommand = config.commands.apply[0] ?? "/apply";
  await aboutPatch({ ...about, retryCommand: applyCommand }, async () => {
    const body = renderStatusFailureMarkdown({
      during: "apply",
      ...failure,
      ...about,
      retryCommand: applyCommand,
      progress,
    });
    await job.github.createComment(body);
    await job.github.addLabels([config.labels.failed]);
  });
}

/** What changed from the approved version to the key's current one, said in the voided approval. */
async function changesSince(job: IssueJob, config: NomadPatchConfig, approved: string, current: string) {
  const limits = reviewLimits(config, job.runtime.environment);
  return revisionDelta(approved, current, {
    store: job.runtime.store,
    maxEntries: limits.maxEntries,
    timeoutMs: limits.resolveTimeoutMs,
  });
}

/**
 * The approved version's revision number, and the next one, which the re-review about to be posted gives
 * the key's current version; undefined when the approved review kept no revision list.
 */
async function revisionNumbers(job: IssueJob, key: string, approved: string) {
  // Only words: when GitHub cannot list the comments now, the comment names the CIDs alone.
  const marked = await readMarked(job).catch(() => []);
  const latest = knownRevisions(marked, key).at(-1);
  return latest?.cid === approved ? { approved: latest.n, current: latest.n + 1 } : undefined;
}

/** What the apply journal says a failed apply published; unreadable counts as unknown, said as "planned". */
async function applyProgress(job: IssueJob, cid: string): Promise<ApplyProgress> {
  try {
    const record = await job.runtime.journal.get(cid);
    if (!record) return { state: "none" };
    return { state: record.state, streamCid: record.streamCid, entries: record.entries.length };
  } catch {
    return { state: "planned" };
  }
}

/** The outcome comment (once per patch CID on the issue), the labels, and the issue closed if configured. */
async function reportApplied(
  job: IssueJob,
  config: NomadPatchConfig,
  outcome: ApplyOutcome,
  /** Without `approvedBy` when only the journal tells of the apply and its record names nobody. */
  by: Partial<ApprovedBy> & { readonly result: string },
): Promise<void> {
  const { labels } = config;
  // Applied: later versions of the key are a new patch request, not a revision of this one.
  unwatch(job, outcome.patchKey);
  const marked = await readMarked(job);
  const shown = findStatus(
    marked,
    (m) =>
      (m.state === "applied" || m.state === "already-applied") &&
      m.key === outcome.patchKey &&
      m.cid === outcome.patchCid,
  );
  job.log.info(
    { key: outcome.patchKey, cid: outcome.patchCid, status: outcome.status, roaming: outcome.roamingCid },
    shown ? "apply finished; its outcome is on the issue already" : "apply finished",
  );
  if (!shown) {
    // The approved result is checked as the review's was (issue 16 §5: the ✔ was never shown).
    const body = renderOutcomeMarkdown(outcome, undefined, {
      targetName: await appliedName(job, outcome),
      approvedBy: by.approvedBy,
      override: by.override,
      predictedResultCid: by.result,
      gatewayUrl: job.runtime.environment.gatewayUrl,
      ...(by.heldTooLate
        ? { heldTooLate: { heldLabel: labels.held, whileRunning: by.heldWhileRunning === true } }
        : {}),
      rejectedTooLate: by.rejectedTooLate === true,
    });
    await job.github.createComment(body);
  }
  await job.github.addLabels([labels.applied]);
  // The labels as GitHub has them now, not as the event saw them: a failed apply or a `/reject` whose job
  // ran before this approval's, though after its event was sent, put its label up meanwhile.
  const now = (await job.github.readIssue()).labels;
  await takeDownApplyLabels(
    { ...job, issue: { ...job.issue, labels: now } },
    config,
    marked,
    outcome.patchKey,
  );
  // An override applied what the rules rejected: their label no longer says what happened. Nor does it
  // when every rejection on the issue was of this key (a rule since removed, a `/reject` reconsidered); a
  // rejection of another key, or of the whole issue, keeps it.
  if (by.override) await job.github.removeLabel(labels.rejected);
  else if (now.includes(labels.rejected) && rejectionsOnlyOf(marked, outcome.patchKey))
    await job.github.removeLabel(labels.rejected);
  if (config.closeIssueOnApply) await job.github.closeIssue();
}

/**
 * The issue's rejections, by the rules or by a person, were all of `key` (a `/reject` of several names none),
 * counting a rules' rejection of it since lifted (the label may have outlived it: a stop in between).
 */
function rejectionsOnlyOf(marked: readonly MarkedComment[], key: string): boolean {
  const ofState = (state: string) =>
    marked.filter((c) => c.marker.kind === "status" && c.marker.state === state);
  const rejections = ofState("rejected");
  const lifted = ofState("lifted").some((c) => c.marker.key === key);
  return (rejections.length > 0 || lifted) && rejections.every((c) => c.marker.key === key);
}

/** A roaming value is a small map (its lists are links); far larger is not read for a name. */
const MAX_NAMED_VALUE_BYTES = 1024 * 1024;

/**
 * The target's display name in the version just published (the review's name, after the patch): one
 * block the node has just written, bounded; none when it cannot be read, and the key names the target.
 */
async function appliedName(job: IssueJob, outcome: ApplyOutcome): Promise<string | undefined> {
  try {
    const value = await job.runtime.store.dagGet(CID.parse(outcome.roamingCid), {
      timeoutMs: job.runtime.environment.callTimeoutMs,
      maxBytes: MAX_NAMED_VALUE_BYTES,
    });
    return isIpldMap(value) ? displayNameOf(value) : undefined;
  } catch {
    return undefined;
  }
}
