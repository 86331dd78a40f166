import type { Environment } from "../config/environment.js";
import type { IpfsStore } from "../ipfs/store.js";
import type { ApplyJournal } from "../service/apply-journal.js";
import type { InstallationTokens } from "./github/installation-token.js";
import type { IssueGitHub } from "./github/issue-github.js";
import type { KeyPosters } from "./key-posters.js";
import type { MarkerSigner } from "./marker-signer.js";
import type { RefreshLimiter } from "./refresh-limit.js";
import type { SenderBudget } from "./sender-budget.js";
import type { TransferredIssues } from "./transferred-issues.js";
import type { WatchList } from "./watch/watch-list.js";

/** The slice of pino that the app uses; Probot's logger and a test's recorder both fit. */
export interface AppLog {
  info(bindingsOrMessage: object | string, message?: string): void;
  warn(bindingsOrMessage: object | string, message?: string): void;
  error(bindingsOrMessage: object | string, message?: string): void;
  child(bindings: object): AppLog;
}

/** Long-lived collaborators shared by every job. */
export interface Runtime {
  readonly store: IpfsStore;
  readonly journal: ApplyJournal;
  readonly environment: Environment;
  /** The bot's own login (`name[bot]`): only its comments' markers are trusted. */
  readonly botLogin: () => Promise<string>;
  /**
   * Signs every comment the bot writes and checks those it reads back: a marker is trusted only in a
   * comment whose signature verifies (docs/design.md §6).
   */
  readonly markers: MarkerSigner;
  readonly now?: () => Date;
  /** What each person may cost the bot (keys per hour), shared by all jobs of the process. */
  readonly senders: SenderBudget;
  /** Who refreshed which issue when: `/refresh` by people who may not approve is rate limited. */
  readonly refreshes: RefreshLimiter;
  /** The open patch keys polled for new versions; absent: nothing is watched. */
  readonly watched?: WatchList;
  /** The watch list's clock (epoch ms). */
  readonly watchClock?: () => number;
  /** Issues transferred away since the process started: their old lanes' jobs do nothing. */
  readonly transferred?: TransferredIssues;
  /** Who posted each key first on each issue, as the texts arrived (key-posters.ts); absent: not kept. */
  readonly keyPosters?: KeyPosters;
  /** Guards each installation Octokit's token call (github/installation-token.ts); absent: unguarded. */
  readonly installationTokens?: InstallationTokens;
}

/** One piece of work about one issue, after the webhook was answered. */
export interface IssueJob {
  readonly runtime: Runtime;
  readonly github: IssueGitHub;
  /** The GitHub App installation the event came through: a later poll of the issue's keys writes as it. */
  readonly installationId?: number;
  /** Bound to the delivery id, repository and issue; jobs add the key and CID. */
  readonly log: AppLog;
  readonly issue: {
    readonly labels: readonly string[];
    readonly body: string;
    /** Who opened the issue. */
    readonly author: string;
    /** When GitHub says the issue was opened (`created_at`), when the event told. */
    readonly createdAt?: string;
  };
}
