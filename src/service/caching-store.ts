import type { CID } from "multiformats/cid";
import { delegateStore } from "../ipfs/delegate-store.js";
import type { IpfsStore, ReadOptions } from "../ipfs/store.js";

export interface BlockCacheOptions {
  /** How many decoded blocks and raw blocks to keep; the least recently used go first. */
  readonly maxBlocks: number;
}

export interface CachingStore extends IpfsStore {
  readonly cacheStats: () => { readonly hits: number; readonly misses: number; readonly size: number };
}

/**
 * Blocks are immutable, so a block read once is never fetched again in this process (until evicted):
 * `dagGet` and `getBlock` are cached by CID in a bounded LRU, and concurrent reads of one CID share one
 * fetch. Names are mutable and pass straight through, as does everything else.
 */
export function withBlockCache(store: IpfsStore, options: BlockCacheOptions): CachingStore {
  const decoded = lru<Promise<unknown>>(options.maxBlocks);
  const raw = lru<Promise<Uint8Array>>(options.maxBlocks);
  let hits = 0;
  let misses = 0;

  function cached<T>(cache: Lru<Promise<T>>, cid: CID, fetch: () => Promise<T>): Promise<T> {
    const key = cid.toString();
    const found = cache.get(key);
    if (found) {
      hits++;
      return found;
    }
    misses++;
    // A failed fetch is forgotten, so a later call can try again.
    const pending = fetch().catch((error: unknown) => {
      cache.delete(key);
      throw error;
    });
    cache.set(key, pending);
    return pending;
  }

  return {
    ...delegateStore(store),
    dagGet: (cid: CID, o?: ReadOptions) => cached(decoded, cid, () => store.dagGet(cid, o)),
    getBlock: (cid: CID, o?: ReadOptions) => cached(raw, cid, () => store.getBlock(cid, o)),
    cacheStats: () => ({ hits, misses, size: decoded.size() + raw.size() }),
  };
}

interface Lru<T> {
  get(key: string): T | undefined;
  set(key: string, value: T): void;
  delete(key: string): void;
  size(): number;
}

/** A Map keeps insertion order: re-inserting on read makes the first key the least recently used. */
function lru<T>(max: number): Lru<T> {
  const map = new Map<string, T>();
  return {
    get(key) {
      const value = map.get(key);
      if (value !== undefined) {
        map.delete(key);
        map.set(key, value);
      }
      return value;
    },
    set(key, value) {
      map.delete(key);
      map.set(key, value);
      while (map.size > max) map.delete(map.keys().next().value as string);
    },
    delete: (key) => void map.delete(key),
    size: () => map.size,
  };
}
