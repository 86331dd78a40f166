import type { CID } from "multiformats/cid";
import { LimitExceededError } from "../errors.js";
import { decodeBlock } from "../ipfs/block-codec.js";
import type { IpfsStore, ReadOptions } from "../ipfs/store.js";

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
        maxBytes: Math.min(options?.maxBytes ?? Infinity, maxBytes - used + 1),
      }),
      `block ${cid}`,
    );
  return {
    ...bindAll(store),
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

/** The store's methods bound to it, so spreading them keeps `this` (class instances don't spread methods). */
function bindAll(store: IpfsStore): IpfsStore {
  return {
    dagPut: store.dagPut.bind(store),
    dagGet: store.dagGet.bind(store),
    getBlock: store.getBlock.bind(store),
    addFile: store.addFile.bind(store),
    catFile: store.catFile.bind(store),
    resolveName: store.resolveName.bind(store),
    publishName: store.publishName.bind(store),
    listKeys: store.listKeys.bind(store),
    generateKey: store.generateKey.bind(store),
    importKey: store.importKey.bind(store),
    exportKey: store.exportKey.bind(store),
    pin: store.pin.bind(store),
    id: store.id.bind(store),
  };
}
