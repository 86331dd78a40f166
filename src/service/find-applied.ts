import type { IpfsStore } from "../ipfs/store.js";
import { parseIpnsName } from "../nomad/index.js";
import type { ApplyOutcome } from "../patch-request/apply-outcome.js";
import type { ApplyJournal } from "./apply-journal.js";

export interface FindAppliedInput {
  readonly key: string;
  /** The approved version; without it, the version the key resolves to now. */
  readonly expectPatchCid?: string;
  readonly resolveTimeoutMs?: number;
}

/**
 * The outcome of this node's apply of the patch version in question, when its journal says it is done:
 * `show` and `apply` say so first instead of reviewing a version whose entries are already in the target
 * (a review would read "can be applied" with the target moved by the apply itself). A key that does not
 * resolve has no applied version here; the review that follows says why.
 */
export async function findApplied(
  deps: { readonly store: IpfsStore; readonly journal: ApplyJournal },
  input: FindAppliedInput,
): Promise<ApplyOutcome | undefined> {
  const key = parseIpnsName(input.key, "patch request key");
  const cid =
    input.expectPatchCid ??
    (await deps.store.resolveName(key, { timeoutMs: input.resolveTimeoutMs, nocache: true }))?.toString();
  if (cid === undefined) return undefined;
  const record = await deps.journal.get(cid);
  return record?.state === "done" && record.outcome
    ? { ...record.outcome, status: "already-applied" }
    : undefined;
}
