/** What the GitHub layer tells the Markdown renderers about this repository's setup. */
export interface ReviewMarkdownOptions {
  /** The label that approves; default `nomad-patch: approve`. */
  readonly approveLabel?: string;
  /** Commands that approve, first is preferred; default `["/apply"]`. */
  readonly commands?: readonly string[];
  /** The command that re-resolves and re-renders; default `/refresh`. */
  readonly refreshCommand?: string;
  /** Upper bound for the whole comment; default 65,000 (GitHub refuses more than 65,536). */
  readonly maxChars?: number;
}

export const DEFAULT_APPROVE_LABEL = "nomad-patch: approve";
export const DEFAULT_COMMANDS: readonly string[] = ["/apply"];
export const DEFAULT_REFRESH_COMMAND = "/refresh";
export const DEFAULT_MAX_CHARS = 65_000;
/** GitHub's hard limit on a comment body. */
export const GITHUB_COMMENT_LIMIT = 65_536;
