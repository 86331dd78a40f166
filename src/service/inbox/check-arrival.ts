import { NomadPatchError, UsageError } from "../../errors.js";
import { NotFoundError } from "../../ipfs/errors.js";
import type { IpfsStore } from "../../ipfs/store.js";
import type { IpnsName } from "../../nomad/index.js";
import { decodePatchRequest } from "../../patch-request/patch-request-record.js";

/** A patch request's roaming value is one small block; a key pointing at more is not a patch request. */
const MAX_PATCH_RECORD_BYTES = 256 * 1024;

const MAX_TITLE_CHARS = 200;

export type CheckedArrival =
  | { readonly ok: true; readonly cid: string; readonly title: string }
  | { readonly ok: false; readonly reason: string; readonly error: NomadPatchError };

/**
 * What an inbox checks before handing a key on: it resolves (past the name cache, within `timeoutMs`)
 * to a patch request whose `Target` is the inbox's target. Only the roaming value is read; the review
 * reads the rest, with its own limits, as for a key posted on an issue. Never throws for bad input:
 * what is wrong is the reason.
 */
export async function checkArrival(
  store: IpfsStore,
  key: IpnsName,
  target: IpnsName,
  timeoutMs: number,
): Promise<CheckedArrival> {
  try {
    const cid = await store.resolveName(key, { timeoutMs, nocache: true });
    if (!cid) throw new NotFoundError(`the key ${key} does not resolve`);
    const record = decodePatchRequest(
      await store.dagGet(cid, { timeoutMs, maxBytes: MAX_PATCH_RECORD_BYTES }),
      cid.toString(),
    );
    if (record.target !== target)
      throw new UsageError(`the patch request ${key} is for another target, ${record.target}`);
    // Shown in a list: a long title is the contributor's to write, not the inbox's to keep.
    return { ok: true, cid: cid.toString(), title: record.title.slice(0, MAX_TITLE_CHARS) };
  } catch (error) {
    if (!(error instanceof NomadPatchError)) throw error;
    return { ok: false, reason: error.message, error };
  }
}
