import { NomadPatchError } from "../errors.js";

/**
 * The patch key now resolves to another CID than the one approved: the approval is void,
 * the caller re-renders and asks again. Nothing was written.
 */
export class PatchMovedError extends NomadPatchError {
  readonly code = "PATCH_MOVED";
  override readonly exitCode = 4;
  constructor(
    readonly key: string,
    readonly expectedCid: string,
    readonly actualCid: string | undefined,
  ) {
    super(
      `The patch request ${key} now resolves to ${actualCid ?? "nothing"}, not the approved ${expectedCid}: review it again`,
    );
  }
}

/**
 * Folding the target with the patch now gives another result than the approver saw (the
 * target moved, or the patch would now do something else). Nothing was written.
 */
export class TargetMovedError extends NomadPatchError {
  readonly code = "TARGET_MOVED";
  override readonly exitCode = 4;
  constructor(
    readonly targetId: string,
    readonly expectedResultCid: string,
    readonly actualResultCid: string | null,
  ) {
    super(
      `Applying now would give ${actualResultCid ?? "an unpredictable result"} instead of the approved ${expectedResultCid}: the target ${targetId} moved since the review; review it again`,
    );
  }
}

/** This node does not hold the target's roaming key and a local key: it can preview, not apply. */
export class ReadOnlyTargetError extends NomadPatchError {
  readonly code = "READ_ONLY";
  override readonly exitCode = 5;
  constructor(readonly targetId: string) {
    super(
      `This node cannot apply patches to ${targetId}: it holds no roaming key for it with a matching local key (run \`nomad-patch init\`)`,
    );
  }
}
