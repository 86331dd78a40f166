/**
 * What a piece of work on one patch was about when it failed. The last-resort report (a status on the
 * issue and a log line) names the key and CID from it, and never says "nothing changed" after an apply.
 */
export interface WorkAbout {
  readonly key: string;
  readonly cid: string | null;
  /** The command that tries again: `/refresh` before an apply, the approval command after. */
  readonly retryCommand: string;
  /** Set once the patch was applied: only reporting it failed. */
  readonly appliedRoamingCid?: string;
}

/** A failure with what it was about; `cause` is the error that was thrown (often GitHub's). */
export class PatchWorkError extends Error {
  override readonly name = "PatchWorkError";
  constructor(
    readonly about: WorkAbout,
    override readonly cause: unknown,
  ) {
    super(`nomad-patch: work on patch ${about.key} failed: ${(cause as Error)?.message ?? String(cause)}`, {
      cause,
    });
  }
}

/** Runs `work`, naming `about` on its failure, unless an inner step named its own (it knows more). */
export async function aboutPatch<T>(about: WorkAbout, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw error instanceof PatchWorkError ? error : new PatchWorkError(about, error);
  }
}
