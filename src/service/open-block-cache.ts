import { join } from "node:path";
import type { IpfsStore } from "../ipfs/store.js";
import { type CachingStore, withBlockCache } from "./caching-store.js";
import { openDiskBlockCache } from "./disk-block-cache.js";

export interface BlockCacheSettings {
  readonly dataDir: string;
  readonly blockCacheBlocks: number;
  readonly blockCacheBytes: number;
  /** 0: nothing kept on disk. */
  readonly diskCacheBytes: number;
}

/**
 * The process's block cache: bounded in memory, backed by `block-cache/` in the data directory so a
 * restart starts warm (unless another process is using that directory's cache, or it is turned off).
 */
export async function openBlockCache(
  store: IpfsStore,
  settings: BlockCacheSettings,
  log: (message: string) => void = () => {},
): Promise<{ readonly store: CachingStore; close(): Promise<void> }> {
  const disk =
    settings.diskCacheBytes > 0
      ? await openDiskBlockCache(join(settings.dataDir, "block-cache"), {
          maxBytes: settings.diskCacheBytes,
          onDiscard: log,
        }).catch((error: unknown) => {
          log(`the block cache on disk is not used: ${(error as Error).message}`);
          return undefined;
        })
      : undefined;
  const cached = withBlockCache(store, {
    maxBlocks: settings.blockCacheBlocks,
    maxBytes: settings.blockCacheBytes,
    disk,
  });
  return { store: cached, close: async () => disk?.close() };
}
