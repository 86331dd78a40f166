/** What an apply did, for the outcome comment, the CLI and `--json`. Plain JSON, like the change model. */
export interface ApplyOutcome {
  /** `applied` now, or found `already-applied` earlier (an apply never writes twice). */
  readonly status: "applied" | "already-applied";
  readonly patchKey: string;
  /** The patch CID the approval bound to. */
  readonly patchCid: string;
  readonly targetId: string;
  /** The new roaming value's CID (equal to the review's predicted result). */
  readonly roamingCid: string;
  /** The bot's local event stream after the append. */
  readonly localStreamCid: string;
  /** The local key the entries were written under (the bot's device). */
  readonly localKey: string;
  /** CIDs of the entries written, in order (fresh timestamps, so not the proposed CIDs). */
  readonly entryCids: readonly string[];
  readonly appliedAt: string;
  /**
   * What the patch wrote that had changed after its base, applied by an override (an admin's approval,
   * `--override-conflicts`): those later changes were replaced. Absent when there was no conflict, and
   * on an apply finished from its journal.
   */
  readonly overriddenConflicts?: readonly string[];
}
