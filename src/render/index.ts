export {
  type ApprovableChoice,
  type ApprovalRefusedInput,
  type ReplacedRevision,
  renderApprovalRefusedMarkdown,
} from "./approval-refused-markdown.js";
export { type ConfigErrorsInput, renderConfigErrorsMarkdown } from "./config-errors-markdown.js";
export { renderConflictHoldMarkdown } from "./conflict-markdown.js";
export {
  type DecisionInput,
  isRulesRejection,
  RULESET,
  renderApplyHeldMarkdown,
  renderApplyRejectedMarkdown,
  renderHeldMarkdown,
  renderLiftedMarkdown,
  renderRejectedMarkdown,
} from "./decision-markdown.js";
export { type DenialInput, renderDenialMarkdown } from "./denial-markdown.js";
export { type FailureInput, renderFailureMarkdown } from "./failure-markdown.js";
export { renderFailuresMarkdown } from "./failures-markdown.js";
export { approvalFacts } from "./markdown-header.js";
export {
  DEFAULT_APPROVE_LABEL,
  DEFAULT_COMMANDS,
  DEFAULT_MAX_CHARS,
  DEFAULT_REFRESH_COMMAND,
  GITHUB_COMMENT_LIMIT,
  type ReviewMarkdownOptions,
  type RulesRejection,
  VERSION_PREFIX_LENGTH,
  versionCommand,
} from "./markdown-options.js";
export {
  isMarkerCid,
  isMarkerKey,
  isMarkerLogin,
  MARKER_VERSION,
  MAX_LISTED_REVISIONS,
  type Marker,
  parseMarker,
  REVIEW_STATES,
  type ReviewMarker,
  type ReviewState,
  type Revision,
  STATUS_STATES,
  type StatusMarker,
  type StatusState,
  writeMarker,
} from "./marker.js";
export {
  type NothingToApproveInput,
  renderNothingToApproveMarkdown,
} from "./nothing-to-approve-markdown.js";
export { type OutcomeOptions, renderOutcomeMarkdown } from "./outcome-markdown.js";
export { renderAppliedText, renderOutcomeText } from "./outcome-text.js";
export { renderReviewJson } from "./review-json.js";
export { renderReviewMarkdown } from "./review-markdown.js";
export { type ReviewStatus, reviewedResult, reviewStatus } from "./review-status.js";
export { renderReviewText } from "./review-text.js";
export { describeDelta, renderRevisionsMarkdown } from "./revisions-markdown.js";
export { renderSlowDownMarkdown } from "./slow-down-markdown.js";
export {
  type ApplyProgress,
  renderStatusFailureMarkdown,
  type StatusFailureInput,
} from "./status-failure-markdown.js";
export { renderSupersededMarkdown } from "./superseded-markdown.js";
export { stripTerminalControls } from "./terminal-safe.js";
export { DEFAULT_WIDTH, type TextOptions } from "./text-options.js";
export { renderTooMuchAtOnceMarkdown } from "./too-much-at-once-markdown.js";
export { renderVoidMarkdown, type VoidInput } from "./void-markdown.js";
export { renderVoidedMarkdown, type VoidedInput } from "./voided-markdown.js";
