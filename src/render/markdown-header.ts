import {
  hasConflicts,
  type PatchReview,
  type Problem,
  type PublishDriftChange,
} from "../patch-request/change-model.js";
import { deviceChangeOf } from "../patch-request/device-change.js";
import { collectWarnings } from "./collect-warnings.js";
import { driftLines, MAX_DRIFT_LINES } from "./drift-lines.js";
import { codeSpan, escapeInline, shorten } from "./escape.js";
import { renderIdentifiers } from "./markdown-identifiers.js";
import {
  DEFAULT_APPROVE_LABEL,
  DEFAULT_COMMANDS,
  DEFAULT_REFRESH_COMMAND,
  type ReviewMarkdownOptions,
  type RulesRejection,
  versionCommand,
} from "./markdown-options.js";
import { type ReviewStatus, reviewStatus } from "./review-status.js";
import { targetSummaryLine } from "./target-summary.js";
import { formatNumber } from "./words.js";

const STATUS_ICON: Record<ReviewStatus["state"], string> = {
  ready: "✅",
  "needs-review": "👀",
  refused: "⛔",
  "cannot-predict": "❔",
};

/** Problems listed in the header; the header must stay small whatever a patch holds. */
const MAX_LISTED = 15;

/**
 * The part of the comment that is never cut, laid out for the first screen (issue 16 §3): the title, the
 * verdict, one human line about the target, what needs reading (warnings, refusals, blockers), how to
 * approve in one sentence, and the identifiers folded away. Every untrusted string in it is
 * length-capped, so its size is bounded (a few thousand characters).
 */
export function renderMarkdownHeader(
  review: PatchReview,
  options: ReviewMarkdownOptions,
  leftOut: readonly string[] = [],
): string {
  const status = reviewStatus(review, leftOut.length > 0);
  const { patch } = review;
  const title = patch.title.trim() === "" ? "_(untitled)_" : escapeInline(patch.title, 200);
  const sections = [
    `### Patch request: ${title}`,
    statusLine(status, options.rulesReject),
    ...(leftOut.length > 0 ? [leftOutLine(leftOut, patch.key)] : []),
    targetSummaryLine(review),
  ];
  const warnings = collectWarnings(review);
  if (warnings.length > 0) sections.push(alert("WARNING", problemLines(warnings, review)));
  if (review.refusals.length > 0) {
    sections.push(["**Refused:**", ...problemLines(review.refusals, review)].join("\n"));
  }
  const rejection = rulesRejectionOf(status, options.rulesReject);
  if (rejection) sections.push(rejectionSection(rejection));
  const blockers = review.blockers ?? [];
  if (blockers.length > 0) {
    sections.push(
      ["**Blocked (an apply is refused until this clears):**", ...problemLines(blockers, review)].join("\n"),
    );
  }
  if (review.publishDrift) {
    const lines = driftList(review.publishDrift.changes);
    sections.push(
      [
        `**Beyond this patch, publishing would change** (published ${codeSpan(review.publishDrift.publishedCid)} → predicted result):`,
        ...lines,
        "",
        review.publishDrift.allowed
          ? "This target allows it (`allowDivergentPublish: true`)."
          : "Usually a device the bot does not know wrote them: name its local key under the target's `sources` in `.github/nomad-patch.yml` (or pair it with the bot). To publish anyway, set `allowDivergentPublish: true` on the target (`nomad-patch apply --allow-divergent-publish`).",
      ].join("\n"),
    );
  }
  sections.push(howToApprove(review, status, options), renderIdentifiers(review, options.author));
  return sections.join("\n\n");
}

/**
 * What the header says about approving this version under the repository's setup as `options` give it (the
 * rules' rejection, the approve label and commands): parts of the text `renderMarkdownHeader` writes. A
 * review comment that lacks one of them says what the rules, the label or the commands no longer say.
 */
export function approvalFacts(review: PatchReview, options: ReviewMarkdownOptions): string[] {
  const status = reviewStatus(review);
  const rejection = rulesRejectionOf(status, options.rulesReject);
  return [...(rejection ? [rejectionSection(rejection)] : []), howToApprove(review, status, options)];
}

function rejectionSection(rejection: RulesRejection): string {
  const reasons = rejection.reasons.slice(0, MAX_LISTED).map((reason) => `- ${escapeInline(reason, 300)}`);
  if (rejection.reasons.length > MAX_LISTED)
    reasons.push(`- …and ${formatNumber(rejection.reasons.length - MAX_LISTED)} more.`);
  return [
    `**Refused by ${rejection.by === "built-in" ? "nomad-patch (built-in)" : "the repository's rules"}:**`,
    ...reasons,
  ].join("\n");
}

/**
 * The rules' rejection, where it is news: a refused or unpredictable review cannot be approved anyway and
 * says why itself.
 */
function rulesRejectionOf(status: ReviewStatus, rejection: RulesRejection | undefined) {
  return status.state === "refused" || status.state === "cannot-predict" ? undefined : rejection;
}

/**
 * The verdict in bold, then what it means. A version the rules reject is not "ready to apply", though an
 * admin's approval (or a maintainer's, for an overridable rule) may still apply it: its marker keeps the
 * review's own state, so that approval can bind to it.
 */
function statusLine(status: ReviewStatus, rejection: RulesRejection | undefined): string {
  const shown = rulesRejectionOf(status, rejection);
  if (shown === undefined) return `**${STATUS_ICON[status.state]} ${status.label}.** ${status.explanation}`;
  return shown.by === "built-in"
    ? "**⛔ Refused.** nomad-patch refuses this version; see the reasons below."
    : "**🚫 Refused by a rule.** The repository's rules reject this version; see the reasons below.";
}

/**
 * What the comment leaves out, said under the verdict (issue 16 §2): a reviewer must not take a partial
 * view for the whole change. The parts are fixed words and numbers.
 */
function leftOutLine(leftOut: readonly string[], key: string): string {
  return `**Not shown here:** ${leftOut.join("; ")}. To see everything, run ${codeSpan(`nomad-patch show ${key}`)}.`;
}

/** Characters the drift list may take in the header, escaped; values longer than the field table's are cut. */
const DRIFT_LIST_BUDGET = 8_000;
const DRIFT_VALUE_MAX = 2_000;

/**
 * The drift list with values whole (issue 16: a value cut at 60 characters hid the end of a URL): lines
 * are kept while the list's budget holds them, and the rest are counted, never cut mid-value.
 */
function driftList(changes: readonly PublishDriftChange[]): string[] {
  const lines = driftLines(changes.slice(0, MAX_DRIFT_LINES), DRIFT_VALUE_MAX).map(
    // Escaping grows a character at most eightfold (`@`): the bound never cuts a line.
    (line) => `- ${escapeInline(line, line.length * 8 + 8)}`,
  );
  const kept: string[] = [];
  let used = 0;
  for (const line of lines) {
    if (used + line.length + 1 > DRIFT_LIST_BUDGET) break;
    kept.push(line);
    used += line.length + 1;
  }
  const omitted = changes.length - kept.length;
  return omitted > 0 ? [...kept, `- …and ${formatNumber(omitted)} more`] : kept;
}

function problemLines(problems: readonly Problem[], review: PatchReview): string[] {
  const lines = problems.slice(0, MAX_LISTED).map((problem) => `- ${describeProblem(problem, review)}`);
  if (problems.length > MAX_LISTED) lines.push(`- …and ${formatNumber(problems.length - MAX_LISTED)} more.`);
  return lines;
}

function describeProblem(problem: Problem, review: PatchReview): string {
  const message = escapeInline(problem.message, 300);
  if (problem.entryIndex === undefined) return message;
  const entry = review.entries.find((candidate) => candidate.index === problem.entryIndex);
  const eventId = entry ? ` (${codeSpan(entry.eventId, { max: 80 })})` : "";
  const device =
    entry && problem.code === "reserved-event-id" ? deviceChangeOf(entry.eventId, entry.content) : undefined;
  if (device) {
    // Said once, in words (issue 16 §5); the whole key is in the identifiers.
    const key = codeSpan(shorten(device.key, SHORT_KEY));
    const what =
      device.kind === "add"
        ? `would make ${key} a device with full write access`
        : `would remove ${key} from the devices that write this target`;
    return `Entry ${problem.entryIndex}${eventId} ${what}: a patch can never add or remove a source.`;
  }
  return `Entry ${problem.entryIndex}${eventId}: ${message}`;
}

/** A key shown in running text: the `k51qzi5uqu5d` every key shares, and enough after it to tell two apart. */
const SHORT_KEY = 17;

/** Whether the header lists this entry's refusal: the entries table then points at it instead of repeating it. */
export function refusalListed(review: PatchReview, entryIndex: number): boolean {
  return review.refusals.slice(0, MAX_LISTED).some((problem) => problem.entryIndex === entryIndex);
}

function alert(kind: "WARNING" | "NOTE", lines: readonly string[]): string {
  return [`> [!${kind}]`, ...lines.map((line) => `> ${line}`)].join("\n");
}

/** One short sentence; why an approval binds to this version is in the identifiers block and the docs. */
function howToApprove(review: PatchReview, status: ReviewStatus, options: ReviewMarkdownOptions): string {
  const refresh = codeSpan(options.refreshCommand ?? DEFAULT_REFRESH_COMMAND);
  if (status.state === "refused") {
    return `**Nothing to approve:** refused entries are never applied; publish a fixed version under the same key, then comment ${refresh}.`;
  }
  if (status.state === "cannot-predict") {
    return "**Nothing to approve:** an approval binds to a predicted result, and this patch's result cannot be predicted.";
  }
  if (!review.target.canApply) {
    return "**Preview only:** this bot's node cannot apply to this target; the operator can apply it from a paired node.";
  }
  const rejection = rulesRejectionOf(status, options.rulesReject);
  if (rejection?.by === "built-in" && rejection.rules.includes("unknown-target")) {
    // Not a refusal no one can lift: it holds while the configuration does not name the target.
    return `**Nothing to approve:** the repository's configuration does not name this patch's target, and while it does not, no approval can apply it. To take the patch, add the target under \`targets:\` in \`.github/nomad-patch.yml\` on the default branch, then comment ${refresh}.`;
  }
  if (rejection?.by === "built-in") {
    return "**Nothing to approve:** a built-in refusal rejects this version, and no one can override it.";
  }
  const label = codeSpan(options.approveLabel ?? DEFAULT_APPROVE_LABEL);
  const command = (options.commands ?? DEFAULT_COMMANDS)[0] ?? "/apply";
  const exact = codeSpan(versionCommand(command, review.patch.cid));
  if (rejection) {
    // docs/configuration.md, rules: an admin may override any rule; a maintainer only an overridable one.
    const rules = namesList(rejection.rules);
    return rejection.by === "overridable-rule"
      ? `**To approve:** a rule refuses this (${rules}); a maintainer may override it with ${exact} or the label ${label}.`
      : `**To approve:** a rule refuses this (${rules}); only an admin can override it, with ${exact} or the label ${label}.`;
  }
  if (hasConflicts(review)) {
    // Only an admin's approval applies a lost update (docs/decisions.md, "Lost updates"): say so here.
    return `**To approve** this version, an admin must comment ${exact} or add the label ${label}.`;
  }
  return `**To approve** this version, comment ${exact} or add the label ${label}.`;
}

/** Rule names, a few of them: the reasons list names each rule with its entry. */
function namesList(names: readonly string[]): string {
  const shown = names.slice(0, 3).map((name) => codeSpan(name, { max: 80 }));
  return names.length > shown.length
    ? `${shown.join(", ")} and ${formatNumber(names.length - shown.length)} more`
    : shown.join(", ");
}
