import type { PatchReview } from "../patch-request/change-model.js";
import { renderConflictMarkdown, renderConflictSidesMarkdown } from "./conflict-markdown.js";
import { codeSpan, escapeInline, quoteMarkdown } from "./escape.js";
import { EMPTY_SECTION, type Section } from "./fit-lines.js";
import { renderEntriesSection } from "./markdown-entries-section.js";
import { renderEntryContentsSection } from "./markdown-entry-contents.js";
import { renderFieldsSection } from "./markdown-fields-section.js";
import { renderFileDiffsSection } from "./markdown-file-diffs.js";
import { renderMarkdownHeader } from "./markdown-header.js";
import { renderJsonDiffSection } from "./markdown-json-diff.js";
import { DEFAULT_MAX_CHARS, GITHUB_COMMENT_LIMIT, type ReviewMarkdownOptions } from "./markdown-options.js";
import { renderOtherFilesSection } from "./markdown-other-files.js";
import { renderTreeSection } from "./markdown-tree-section.js";
import { isMarkerLogin, SIGNATURE_CHARS, writeMarker } from "./marker.js";
import { reviewedResult, reviewStatus, unshownTextFiles } from "./review-status.js";
import { describeDelta, renderRevisionsMarkdown } from "./revisions-markdown.js";
import { count } from "./words.js";

/** Room kept for the "Not shown here" line, which is only known once the bulky parts are fitted. */
const NOTICE_RESERVE = 700;
const SEPARATOR = "\n\n";

/**
 * The sticky GitHub comment for one patch request. Its first line is the review marker; then the header
 * (never cut), the module-aware view, the description, the file diffs, the entries and the JSON diff. The bulky parts
 * share what is left of `maxChars`; they are cut in this order when it runs out: the JSON diff, the
 * entry contents, the entries table, the per-file diffs, and last the tree or field table. A line under
 * the verdict says what was left out (cut, or files never read) and how to see everything.
 */
export function renderReviewMarkdown(review: PatchReview, options: ReviewMarkdownOptions = {}): string {
  // The signature is added when the comment is posted (app/marker-signer.ts): it must still fit.
  const maxChars = Math.min(options.maxChars ?? DEFAULT_MAX_CHARS, GITHUB_COMMENT_LIMIT - SIGNATURE_CHARS);
  const marker = writeMarker({
    kind: "review",
    v: 1,
    key: review.patch.key,
    cid: review.patch.cid,
    result: reviewedResult(review),
    target: review.target.id,
    state: reviewStatus(review).state,
    ...(options.author !== undefined && isMarkerLogin(options.author) ? { author: options.author } : {}),
    ...(options.revisions && options.revisions.length > 0 ? { revs: options.revisions } : {}),
  });
  // A conflict first: approving it removes someone's later changes (docs/decisions.md, lost updates);
  // its two sides after the summary line, which must stay on the first screen.
  const renderHeader = (leftOut: readonly string[]) =>
    [
      renderConflictMarkdown(review),
      changeNotice(review, options),
      renderMarkdownHeader(review, options, leftOut),
      renderConflictSidesMarkdown(review),
      renderRevisionsMarkdown(options.revisions ?? []),
    ]
      .filter((part) => part !== "")
      .join(SEPARATOR);
  const description = descriptionSection(review);
  const footer = `<sub>Reviewed ${escapeInline(review.reviewedAt, 40)}. In a terminal: ${codeSpan(`nomad-patch show ${review.patch.key}`)}</sub>`;
  const fixed = [marker, renderHeader([]), description, footer];
  let budget = maxChars - length(fixed) - NOTICE_RESERVE - SEPARATOR.length * 8;

  // Fitted from the part cut last to the part cut first, each taking what it needs of what is left.
  const take = (render: (budget: number) => Section): Section => {
    const section = render(Math.max(0, budget));
    budget -= section.text.length + SEPARATOR.length;
    return section;
  };
  const view = review.moduleView;
  const primary = take((b) =>
    view.kind === "storage"
      ? renderTreeSection(view.items, b)
      : view.kind === "fields"
        ? renderFieldsSection(view.fields, b)
        : { text: `#### Effect\n\n❔ The effect cannot be previewed: ${escapeInline(view.note, 500)}` },
  );
  // The diffs before the entries table (issue 16 §2): a reviewer judges the change by its diffs; the
  // entries table says how it is written, which `nomad-patch show` lists in full.
  const fileDiffs = take((b) =>
    view.kind === "storage" ? renderFileDiffsSection(view.items, b) : EMPTY_SECTION,
  );
  const otherFiles = take((b) =>
    view.kind === "storage" ? renderOtherFilesSection(view.items, b, options.gatewayUrl) : EMPTY_SECTION,
  );
  const entries = take((b) => renderEntriesSection(review, b));
  const contents = take((b) => renderEntryContentsSection(review, b));
  // The JSON diff is the diff to the predicted result, which a refused patch never reaches.
  const jsonDiff = take((b) =>
    review.refusals.length > 0 ? EMPTY_SECTION : renderJsonDiffSection(review, b),
  );

  const unshown = unshownTextFiles(review);
  const leftOut = [
    ...[primary, fileDiffs, otherFiles, entries, contents, jsonDiff].flatMap((section) => section.cut ?? []),
    ...(unshown > 0
      ? [`the text of ${count(unshown, "file", "files")} (see "Files without a text diff")`]
      : []),
  ];
  // The changes come first (issue 16 §3): the tree or field table, then the author's words, then the diffs.
  const parts = [
    marker,
    renderHeader(leftOut),
    primary,
    description,
    fileDiffs,
    otherFiles,
    contents,
    entries,
    jsonDiff,
    footer,
  ];
  return parts
    .map((part) => (typeof part === "string" ? part : part.text))
    .filter((part) => part !== "")
    .join(SEPARATOR);
}

/** Said first when this review replaces an earlier one: edits notify nobody, so a change gets a new comment. */
function changeNotice(review: PatchReview, options: ReviewMarkdownOptions): string {
  const before = options.replaces;
  if (!before) return "";
  const what = (label: string, from: string | null, to: string | null) =>
    from === to ? [] : [`${label} ${from ? codeSpan(from) : "_none_"} → ${to ? codeSpan(to) : "_none_"}`];
  const changes = [
    ...what("patch CID", before.cid, review.patch.cid),
    ...what("predicted result", before.result, review.predictedResultCid),
  ];
  const [previous, current] = (options.revisions ?? []).slice(-2);
  const revision =
    previous && current && current.cid === review.patch.cid && previous.cid !== current.cid
      ? `r${previous.n} → r${current.n}: ${describeDelta(current.ch)}; `
      : "";
  return [
    "> [!IMPORTANT]",
    `> **This patch changed since the review above** (${revision}${changes.length > 0 ? changes.join("; ") : "its review changed"}).`,
    "> Approvals given before this comment are void: nothing is applied until someone approves this version.",
    ...standingElsewhere(options),
  ].join("\n");
}

/** The issue's labels outlive this key's change while another key's failed apply stands: say whose they are. */
function standingElsewhere(options: ReviewMarkdownOptions): string[] {
  const others = (options.otherFailures ?? []).slice(0, 5);
  if (others.length === 0) return [];
  const named = others.map((o) => `${codeSpan(o.key)} (version ${codeSpan(o.cid)})`).join(", ");
  return [
    `> The issue's approve and failed labels stay: they are about the failed apply of ${named}, which still stands, not about this patch.`,
  ];
}

function descriptionSection(review: PatchReview): string {
  const text = review.patch.description.trim();
  return text === "" ? "" : `#### Description\n\n${quoteMarkdown(text, 4000)}`;
}

function length(parts: readonly string[]): number {
  return parts.reduce((sum, part) => sum + part.length, 0);
}
