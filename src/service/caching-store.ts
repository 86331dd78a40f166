import type { CID } from "multiformats/cid";
import { LimitExceededError } from "../errors.js";
import { decodeBlock } from "../ipfs/block-codec.js";
import { blockKey } from "../ipfs/block-key.js";
import type { Block } from "../ipfs/car.js";
import { delegateStore } from "../ipfs/delegate-store.js";
import type { IpfsStore, PrefetchedBlock, ReadOptions, SizedValue } from "../ipfs/store.js";
import { type BlockLru, blockLru } from "./block-lru.js";
import type { DecodedBlock } from "./decoded-dag-shelf.js";
import type { DiskBlockCache } from "./disk-block-cache.js";
import { linksIn } from "./fetch-referenced.js";
import { createTargetMemo, DEFAULT_TARGET_MEMO_BYTES, type TargetMemo } from "./target-memo.js";

export interface BlockCacheOptions {
  /** How many blocks to keep; the least recently used go first. */
  readonly maxBlocks: number;
  /**
   * How many bytes of memory the cache may hold: each block's bytes, and an estimate of its decoded
   * value once decoded. Default 128 MiB.
   */
  readonly maxBytes?: number;
  /** Blocks kept on disk across restarts (`openDiskBlockCache`): read before the node, written after it. */
  readonly disk?: DiskBlockCache;
  /** How many bytes (estimated) of remembered folds to keep in memory (`target-memo.ts`). Default 32 MiB. */
  readonly targetMemoBytes?: number;
}

export interface CachingStore extends IpfsStore {
  readonly cacheStats: () => {
    readonly hits: number;
    readonly misses: number;
    readonly size: number;
    readonly bytes: number;
    /** Blocks decoded (by reads, and by a prefetch's link check): what a second decode of one block would show. */
    readonly decoded: number;
  };
  /** Folds of targets learned by reviews over this cache, found again by the CIDs they came from. */
  readonly targetMemo: TargetMemo;
  /**
   * Keep the decoded blocks of the DAG under `root` on disk (`decoded-dag-shelf.ts`), as this cache holds
   * them now, so a prefetch of it after a restart takes them from one file; nothing without a disk cache.
   */
  readonly rememberDecodedDag: (root: CID) => void;
  /**
   * Hold the disk cache's writes until the returned release (`DiskBlockCache.hold`): a review's answer
   * comes before them. Nothing to hold without a disk cache.
   */
  readonly holdDiskWrites: () => () => void;
}

export const DEFAULT_BLOCK_CACHE_BYTES = 128 * 1024 * 1024;

/** UnixFS (dag-pb, and raw leaves): a file's blocks, which a prefetch never keeps. */
const DAG_PB = 0x70;
const RAW = 0x55;
/**
 * What a prefetch may stream past in file bytes, per Nomad block it keeps (and once at the start): about
 * what one request per block costs in time on loopback, so passing over small files never costs more
 * than reading their neighbours block by block would.
 */
const PASS_OVER_PER_BLOCK = 64 * 1024;
const PASS_OVER_START = 1024 * 1024;

/**
 * Blocks are immutable, so a block read once is never fetched again in this process (until evicted):
 * each block is kept by CID with its decoded value once decoded (so a byte budget counts its size
 * without decoding it again), in an LRU bounded in blocks and in bytes, and concurrent reads of one
 * CID share one fetch. `prefetchDag` reads a whole DAG in one request into the cache. Names are
 * mutable and pass straight through, as does everything else.
 */
export function withBlockCache(store: IpfsStore, options: BlockCacheOptions): CachingStore {
  const cache = blockLru({
    maxBlocks: options.maxBlocks,
    maxBytes: options.maxBytes ?? DEFAULT_BLOCK_CACHE_BYTES,
  });
  const pending = new Map<string, Promise<Uint8Array>>();
  /** Roots whose DAG a prefetch read to its end (or to its files). */
  const readWhole = new Set<string>();
  let hits = 0;
  let misses = 0;
  let decodes = 0;

  /** A block by its key (its CID's bytes, computed once per read). */
  function raw(cid: CID, o?: ReadOptions, key = blockKey(cid)): Promise<Uint8Array> {
    // A value read back decoded has no bytes beside it: they are read again when asked for.
    const found = cache.get(key)?.bytes;
    if (found) {
      hits++;
      try {
        return Promise.resolve(withinLimit(cid, found, o));
      } catch (error) {
        return Promise.reject(error);
      }
    }
    const inFlight = pending.get(key);
    if (inFlight) {
      hits++;
      return inFlight.then((bytes) => withinLimit(cid, bytes, o));
    }
    const kept = options.disk?.get(cid);
    if (kept) {
      hits++;
      cache.set(key, kept);
      try {
        return Promise.resolve(withinLimit(cid, kept, o));
      } catch (error) {
        return Promise.reject(error);
      }
    }
    misses++;
    // A failed fetch is forgotten, so a later call can try again.
    const fetch = store.getBlock(cid, o).then(
      (bytes) => {
        pending.delete(key);
        cache.set(key, bytes);
        options.disk?.put({ cid, bytes });
        return bytes;
      },
      (error: unknown) => {
        pending.delete(key);
        throw error;
      },
    );
    pending.set(key, fetch);
    return fetch;
  }

  async function dagGetSized(cid: CID, o?: ReadOptions): Promise<SizedValue> {
    const key = blockKey(cid);
    // Most reads find the block decoded already: one look-up, no promise to wait for.
    const held = cache.get(key);
    if (held?.decoded) {
      hits++;
      return { value: held.value, size: withinLimit(cid, held.size, o) };
    }
    const heldBytes = held?.bytes;
    if (heldBytes) hits++;
    const bytes = heldBytes ? withinLimit(cid, heldBytes, o) : await raw(cid, o, key);
    // Reads of one CID that waited for the same fetch decode it once.
    const now = held ?? cache.get(key);
    if (now?.decoded) return { value: now.value, size: bytes.byteLength };
    const value = decodeBlock(cid, bytes);
    decodes++;
    cache.setDecoded(key, value);
    return { value, size: bytes.byteLength };
  }

  async function prefetchDag(root: CID, o?: ReadOptions): Promise<PrefetchedBlock[]> {
    const read: PrefetchedBlock[] = [];
    const key = blockKey(root);
    // Read already (while its root is still cached): the reads find the blocks where they are.
    if (readWhole.has(key) && cache.get(key)) return read;
    // Its blocks kept decoded since an earlier review (one checked file): taken as they are, counted as an
    // export's blocks are, within the same bound.
    const decoded = options.disk?.decoded.has(root) ? await options.disk.decoded.get(root) : undefined;
    if (decoded && decoded.reduce((n, b) => n + b.size, 0) <= (o?.maxBytes ?? Infinity)) {
      for (const block of decoded) {
        const blockAt = blockKey(block.cid);
        if (!cache.get(blockAt)?.decoded) cache.setValue(blockAt, block.value, block.size);
        read.push({ key: blockAt, size: block.size });
      }
      remember(readWhole, key);
      return read;
    }
    // Held on disk since an earlier prefetch: read back in one pass, each block checked against its CID,
    // and counted as an export's blocks are. What the prefetch never had is fetched by the reads, as the
    // first time.
    if (options.disk?.hasDag(root)) {
      const kept = await options.disk.readDag(root, o?.maxBytes);
      for (const block of kept ?? []) {
        const key = blockKey(block.cid);
        if (!cache.has(key)) cache.set(key, block.bytes);
        read.push({ key, size: block.bytes.byteLength });
      }
      if (kept) remember(readWhole, key);
      return read;
    }
    const files = filePassage();
    // The blocks' CIDs, for the disk cache to mark the DAG it holds whole; without one none is kept: an
    // export's CIDs (33,000 in the largest review) kept to its end would be promoted to the old generation
    // and raise the peak heap (docs/benchmarks.md, target 5).
    const kept: CID[] | undefined = options.disk ? [] : undefined;
    // A local-only export skips the blocks the node lacks and still ends as if complete (a patch whose root
    // the node read from the contributor, not the rest): the disk's mark waits for every link to arrive.
    const links = options.disk ? linkCheck(() => decodes++) : undefined;
    /** The file the export stopped at, if it did. */
    let stoppedAt: string | undefined;
    try {
      // Only what the node has: a block it would have to fetch is left to the read that needs it.
      const summary = await store.exportDag(
        root,
        (block) => {
          const key = blockKey(block.cid);
          // Decoded here for its links: kept, so the read that follows does not decode it again.
          const value = links?.arrived(block, key);
          if (isFileBlock(block.cid)) {
            if (files.passOver(block.bytes, read.length)) return true;
            stoppedAt = key;
            return false;
          }
          if (!cache.has(key)) {
            cache.set(key, block.bytes);
            if (value !== undefined) cache.setDecoded(key, value);
          }
          options.disk?.put(block);
          kept?.push(block.cid);
          read.push({ key, size: block.bytes.byteLength });
          return true;
        },
        { ...o, localOnly: true },
      );
      if (summary.complete || files.stopped()) remember(readWhole, key);
      // Held on disk as far as the prefetch reads it: the whole DAG, every block of it arrived; or, for an
      // export stopped at a file, all that arrived with every block under it, but for the blocks above the
      // file, whose links after it the export never reached. A restart reads that back and exports nothing;
      // what lies after the file is read as the first time (from the disk, where those reads kept it).
      const held = summary.complete
        ? links?.allArrived()
        : stoppedAt !== undefined && links?.heldAbove(stoppedAt);
      if (kept && held) options.disk?.markDag(root, kept);
    } catch {
      // A hint only: what was read is kept, and any read that follows meets the failure itself.
    }
    return read;
  }

  return {
    ...delegateStore(store),
    getBlock: raw,
    dagGetSized,
    dagGet: async (cid, o) => (await dagGetSized(cid, o)).value,
    prefetchDag,
    cacheStats: () => ({ hits, misses, size: cache.size(), bytes: cache.bytes(), decoded: decodes }),
    rememberDecodedDag(root) {
      const shelf = options.disk?.decoded;
      // Walked when the file is written: after the review's answer, what it read is still in the cache.
      if (shelf && !shelf.has(root)) shelf.put(root, () => decodedDag(cache, root));
    },
    holdDiskWrites: () => options.disk?.hold() ?? noRelease,
    targetMemo: createTargetMemo({
      maxBytes: options.targetMemoBytes ?? DEFAULT_TARGET_MEMO_BYTES,
      shelf: options.disk?.folds,
    }),
  };
}

const noRelease = () => {};

const isFileBlock = (cid: CID) => cid.code === DAG_PB || cid.code === RAW;

/**
 * Kubo's `dag/export` walks a whole DAG and has no way to leave a subtree out, so a Storage history
 * (entry → event → the file it sets) arrives with its files' blocks in between the entries. A file of
 * one block (Kubo's chunk, 256 KiB: a dag-pb node with no links, or a raw leaf) is passed over: never
 * decoded, kept, written to disk or counted as read, and the export goes on to the next entry. The
 * export stops (the rest is read block by block) at a file of several blocks (a dag-pb node with
 * links, which dag-pb encodes first: byte 0x12) and once the bytes passed over reach the allowance.
 */
function filePassage(): { passOver(bytes: Uint8Array, kept: number): boolean; stopped(): boolean } {
  let passed = 0;
  let stopped = false;
  return {
    passOver(bytes, kept) {
      passed += bytes.byteLength;
      const hasLinks = bytes[0] === 0x12;
      stopped = hasLinks || passed > PASS_OVER_START + kept * PASS_OVER_PER_BLOCK;
      return !stopped;
    },
    stopped: () => stopped,
  };
}

/**
 * What an export brought, for the disk cache's mark: whether every block its blocks link to arrived (the
 * export was whole), or, for an export stopped at a file, whether all that arrived above that file is
 * held. Links to UnixFS blocks are not asked for: a prefetch never keeps a file's blocks, the reads fetch
 * them. A block that does not decode counts as a link not followed.
 */
function linkCheck(onDecode: () => void): {
  arrived(block: Block, key: string): unknown;
  allArrived(): boolean;
  heldAbove(stop: string): boolean;
} {
  const arrived = new Set<string>();
  const awaited = new Set<string>();
  /** Each Nomad block that arrived, with the keys of the Nomad blocks it links to. */
  const linksOf = new Map<string, string[]>();
  /** The blocks that link to each file: the file an export stopped at is found under them. */
  const fileParents = new Map<string, string[]>();
  let undecodable = false;
  return {
    /** The block's decoded value (undefined for a file or what does not decode). */
    arrived({ cid, bytes }, key) {
      arrived.add(key);
      awaited.delete(key);
      if (isFileBlock(cid)) return undefined;
      let value: unknown;
      try {
        value = decodeBlock(cid, bytes);
        onDecode();
      } catch {
        undecodable = true;
        return undefined;
      }
      const out: string[] = [];
      for (const link of linksIn(value)) {
        const linked = blockKey(link);
        if (isFileBlock(link)) {
          const parents = fileParents.get(linked);
          if (parents) parents.push(key);
          else fileParents.set(linked, [key]);
          continue;
        }
        out.push(linked);
        if (!arrived.has(linked)) awaited.add(linked);
      }
      linksOf.set(key, out);
      return value;
    },
    allArrived: () => !undecodable && awaited.size === 0,
    /**
     * Whether every block that arrived and is not above `stop` (a file the export stopped at) came with
     * all it links to. The blocks above the file are the ones the export was still in (Kubo's walk is
     * depth first), whose links after it were never reached: what is missing under them is what the
     * reads fetch. A block off that path that lacks one of its links was skipped by a local-only export
     * (the node lacked it): then nothing is held.
     */
    heldAbove(stop) {
      if (undecodable) return false;
      const above = ancestors(linksOf, fileParents.get(stop) ?? []);
      const whole = new Map<string, boolean>();
      for (const key of linksOf.keys()) if (!above.has(key) && !isWhole(key, linksOf, whole)) return false;
      return true;
    },
  };
}

/** The blocks a file is reached from through the links that arrived: its `parents` and theirs, up. */
function ancestors(linksOf: Map<string, string[]>, parents: readonly string[]): Set<string> {
  const up = new Map<string, string[]>();
  for (const [key, links] of linksOf)
    for (const link of links) {
      const into = up.get(link);
      if (into) into.push(key);
      else up.set(link, [key]);
    }
  const above = new Set<string>();
  const queue = [...parents];
  while (queue.length > 0) {
    const key = queue.pop() as string;
    if (above.has(key)) continue;
    above.add(key);
    queue.push(...(up.get(key) ?? []));
  }
  return above;
}

/**
 * Whether the block under `start` arrived with every Nomad block under it (memoised in `whole`). A stack,
 * not recursion: a stream's entries may chain thousands deep.
 */
function isWhole(start: string, linksOf: Map<string, string[]>, whole: Map<string, boolean>): boolean {
  const stack = [start];
  while (stack.length > 0) {
    const key = stack[stack.length - 1] as string;
    if (whole.has(key)) {
      stack.pop();
      continue;
    }
    const links = linksOf.get(key);
    const pending: string[] = [];
    let lacking = links === undefined;
    for (const link of links ?? []) {
      const known = whole.get(link);
      lacking = known === false || !linksOf.has(link);
      if (lacking) break;
      if (known === undefined) pending.push(link);
    }
    if (lacking || pending.length === 0) {
      whole.set(key, !lacking);
      stack.pop();
    } else stack.push(...pending);
  }
  return whole.get(start) as boolean;
}

/** Roots remembered: a few thousand at most (a root is forgotten when it leaves the cache anyway). */
const MAX_ROOTS = 4_096;

function remember(roots: Set<string>, key: string): void {
  roots.delete(key);
  roots.add(key);
  if (roots.size > MAX_ROOTS) roots.delete(roots.values().next().value as string);
}

/** At most this many blocks of one DAG are kept decoded on disk (a patch of 1,000 entries has about 3,000). */
const MAX_DECODED_DAG_BLOCKS = 50_000;

/**
 * The blocks of the DAG under `root` that this cache holds decoded with their bytes, found by following
 * the decoded values' links from the root: what a review of it read, nothing it did not.
 */
function decodedDag(cache: BlockLru, root: CID): (DecodedBlock & { bytes: Uint8Array })[] {
  const found: (DecodedBlock & { bytes: Uint8Array })[] = [];
  const seen = new Set<string>();
  const pending: CID[] = [root];
  while (pending.length > 0 && found.length < MAX_DECODED_DAG_BLOCKS) {
    const cid = pending.pop() as CID;
    const key = blockKey(cid);
    if (seen.has(key)) continue;
    seen.add(key);
    const held = cache.get(key);
    if (!held?.decoded || !held.bytes) continue;
    found.push({ cid, size: held.size, value: held.value, bytes: held.bytes });
    linksIn(held.value, pending);
  }
  return found;
}

/** A cached block still honours the caller's size limit. */
function withinLimit<T extends Uint8Array | number>(cid: CID, block: T, o?: ReadOptions): T {
  const max = o?.maxBytes;
  const size = typeof block === "number" ? block : block.byteLength;
  if (max !== undefined && size > max)
    throw new LimitExceededError(`block ${cid} has ${size} bytes, more than the limit of ${max}`);
  return block;
}
