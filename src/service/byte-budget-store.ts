import type { CID } from "multiformats/cid";
import { LimitExceededError } from "../errors.js";
import { blockKey, cidOfKey } from "../ipfs/block-key.js";
import { delegateStore } from "../ipfs/delegate-store.js";
import { type IpfsStore, MAX_BLOCK_BYTES, type ReadOptions } from "../ipfs/store.js";
import { yieldIfBusy } from "../nomad/event-loop-slice.js";

export interface ByteBudgetStore extends IpfsStore {
  readonly bytesRead: () => number;
  readonly bytesLeft: () => number;
  /** Count bytes read without this view (what a remembered fold read once), as `getBlock` would. */
  readonly spend: (bytes: number, what: string) => void;
}

/**
 * A view of a store that counts the bytes read through it and stops at a budget, so one
 * patch request (however its DAG is shaped) can make the bot fetch only so much. A block counts
 * once, however often it is read, and a prefetched block counts when it is prefetched: the budget
 * bounds what is fetched, and a prefetch is given only what is left of it (prefetches that run together
 * can each be given the same rest: what they read together is checked when each ends). Writes and names
 * pass through unchanged.
 */
export function withByteBudget(store: IpfsStore, maxBytes: number): ByteBudgetStore {
  let used = 0;
  const counted = new Set<string>();
  /** `what` is named only when the limit is passed (a prefetch charges tens of thousands of blocks). */
  const charge = (size: number, what: string | (() => string)) => {
    used += size;
    if (used > maxBytes) {
      throw new LimitExceededError(
        `Reading ${typeof what === "string" ? what : what()} went past the limit of ${maxBytes} bytes fetched for one patch request`,
      );
    }
  };
  const chargeBlock = (cid: CID, key: string, size: number) => {
    if (counted.has(key)) return;
    charge(size, `block ${cid}`);
    counted.add(key);
  };
  // The budget left caps a block, but never lifts the per-block limit.
  const capped = (options?: ReadOptions): ReadOptions => ({
    ...options,
    maxBytes: Math.min(options?.maxBytes ?? MAX_BLOCK_BYTES, maxBytes - used + 1),
  });
  const dagGetSized = async (cid: CID, options?: ReadOptions) => {
    const key = blockKey(cid);
    const sized = await store.dagGetSized(cid, counted.has(key) ? options : capped(options));
    chargeBlock(cid, key, sized.size);
    return sized;
  };
  return {
    ...delegateStore(store),
    getBlock: async (cid, options) => {
      const key = blockKey(cid);
      const bytes = await store.getBlock(cid, counted.has(key) ? options : capped(options));
      chargeBlock(cid, key, bytes.byteLength);
      return bytes;
    },
    dagGetSized,
    dagGet: async (cid, options) => (await dagGetSized(cid, options)).value,
    prefetchDag: async (root, options) => {
      const left = maxBytes - used;
      if (left <= 0) return [];
      const read = await store.prefetchDag(root, {
        ...options,
        maxBytes: Math.min(options?.maxBytes ?? left, left),
      });
      for (const block of read) {
        // An export of 30,000 blocks is counted in slices, as it was read.
        const turn = yieldIfBusy();
        if (turn) await turn;
        if (counted.has(block.key)) continue;
        // Checked as any read: prefetches running together (a crawl level's streams, the patch beside
        // its target) are each given what was left when they started, so together they can go past it.
        charge(block.size, () => `the DAG of ${root} (block ${cidOfKey(block.key)})`);
        counted.add(block.key);
      }
      return read;
    },
    catFile: async (cid, options) => {
      const bytes = await store.catFile(cid, {
        ...options,
        maxBytes: Math.min(options?.maxBytes ?? Infinity, maxBytes - used),
      });
      charge(bytes.byteLength, `file ${cid}`);
      return bytes;
    },
    bytesRead: () => used,
    bytesLeft: () => maxBytes - used,
    spend: charge,
  };
}
