import type { Revision } from "./marker.js";

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
  /** Who posted the text holding the key: recorded in the marker, for the rules on later re-renders. */
  readonly author?: string;
  /** The version an earlier review showed, when this review replaces it: the comment says what changed. */
  readonly replaces?: { readonly cid: string | null; readonly result: string | null };
  /**
   * The versions of the key so far, this review's last (r1, r2, …): kept in the marker, listed in the
   * comment once there are two, and named in the notice that says what changed.
   */
  readonly revisions?: readonly Revision[];
  /**
   * The repository's rules reject this version (docs/configuration.md, rules), known before the review is
   * posted: the status and the approve line say so, and who may still approve it. Absent: no rule rejects.
   */
  readonly rulesReject?: RulesRejection;
  /**
   * Other keys on the issue whose failed apply still stands, with the version that failed: a review that
   * replaces an earlier one says the approve and failed labels are about them, not this version.
   */
  readonly otherFailures?: readonly { readonly key: string; readonly cid: string }[];
  /** The IPFS gateway that "view" links of files without a text diff open; default `https://ipfs.io`. */
  readonly gatewayUrl?: string;
}

/** Why the rules reject a version, and who may approve it all the same. */
export interface RulesRejection {
  /**
   * `built-in`: a built-in refusal, which no one overrides; `rule`: a rule that only an admin may override;
   * `overridable-rule`: every rejecting rule says `overridable: true`, so a maintainer's approval applies it.
   */
  readonly by: "built-in" | "rule" | "overridable-rule";
  /** The rejecting rules' names (`rules[i]` for an unnamed one), or the built-in refusals' codes. */
  readonly rules: readonly string[];
  /** One sentence a reason, as the rules wrote them. */
  readonly reasons: readonly string[];
}

/**
 * How much of a patch CID the review shows in the command that approves exactly that version: enough
 * hash characters after the CID's fixed header that two versions on one issue never share it.
 */
export const VERSION_PREFIX_LENGTH = 20;

/** The command that approves exactly the version with patch CID `cid`: `/apply bafy…`. */
export function versionCommand(command: string, cid: string): string {
  return `${command} ${cid.slice(0, VERSION_PREFIX_LENGTH)}`;
}

export const DEFAULT_APPROVE_LABEL = "nomad-patch: approve";
export const DEFAULT_COMMANDS: readonly string[] = ["/apply"];
export const DEFAULT_REFRESH_COMMAND = "/refresh";
export const DEFAULT_MAX_CHARS = 65_000;
/** GitHub's hard limit on a comment body. */
export const GITHUB_COMMENT_LIMIT = 65_536;
/** The public gateway the review links files through unless the deployment names another. */
export const DEFAULT_GATEWAY_URL = "https://ipfs.io";
