import type { CID } from "multiformats/cid";
import { LimitExceededError } from "../errors.js";
import { decodeBlock } from "../ipfs/block-codec.js";
import { delegateStore } from "../ipfs/delegate-store.js";
import { type IpfsStore, MAX_BLOCK_BYTES, type ReadOptions } from "../ipfs/store.js";

/**
 * A view of a store that counts the bytes read through it and stops at a budget, so one
 * patch request (however its DAG is shaped) can make the bot fetch only so much.
 * Writes and names pass through unchanged.
 */
export function withByteBudget(
  store: IpfsStore,
  maxBytes: number,
): IpfsStore & { readonly bytesRead: () => number } {
  let used = 0;
  const charge = (bytes: Uint8Array, what: string) => {
    used += bytes.byteLength;
    if (used > maxBytes) {
      throw new LimitExceededError(
        `Reading ${what} went past the limit of ${maxBytes} bytes fetched for one patch request`,
      );
    }
    return bytes;
  };
  const getBlock = async (cid: CID, options?: ReadOptions) =>
    charge(
      await store.getBlock(cid, {
        ...options,
        // The budget left caps a block, but never lifts the per-block limit.
        maxBytes: Math.min(options?.maxBytes ?? MAX_BLOCK_BYTES, maxBytes - used + 1),
      }),
      `block ${cid}`,
    );
  return {
    ...delegateStore(store),
    getBlock,
    dagGet: async (cid, options) => decodeBlock(cid, await getBlock(cid, options)),
    catFile: async (cid, options) =>
      charge(
        await store.catFile(cid, {
          ...options,
          maxBytes: Math.min(options?.maxBytes ?? Infinity, maxBytes - used),
        }),
        `file ${cid}`,
      ),
    bytesRead: () => used,
  };
}
