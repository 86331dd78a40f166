import type { CID } from "multiformats/cid";
import { NomadPatchError } from "../errors.js";
import type { IpfsStore } from "../ipfs/store.js";
import { type IpldMap, isIpldMap } from "../nomad/index.js";
import type { BaseState } from "../patch-request/detect-conflicts.js";

/**
 * The target as the patch's author saw it: the roaming value at the patch's `Base` (a roaming value is
 * the fold of the sources at that time, as every reader takes it). Usually the bot has it, as an earlier
 * value of its own target; when it cannot be read in time (or is not a roaming value), it is reported
 * as unavailable rather than guessed. Only the store's typed errors are caught: Kubo down still fails.
 */
export async function readBaseState(
  store: IpfsStore,
  base: CID | null,
  published: { readonly cid: CID; readonly value: IpldMap } | undefined,
): Promise<BaseState> {
  if (base === null) return { state: "loaded", cid: null, value: null };
  const cid = base.toString();
  if (published?.cid.equals(base)) return { state: "loaded", cid, value: published.value };
  try {
    // One block, not a name: the store's call bound (NOMAD_PATCH_CALL_TIMEOUT_SECONDS) is the right one.
    const value = await store.dagGet(base);
    if (isIpldMap(value)) return { state: "loaded", cid, value };
    return { state: "unavailable", cid, note: `the base ${cid} is not a roaming value` };
  } catch (error) {
    if (
      !(error instanceof NomadPatchError) ||
      !["TIMEOUT", "NOT_FOUND", "DECODE", "LIMIT"].includes(error.code)
    )
      throw error;
    return { state: "unavailable", cid, note: `the base ${cid} cannot be read (${error.message})` };
  }
}
