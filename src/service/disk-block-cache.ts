import { createHash, randomUUID } from "node:crypto";
import { closeSync, createReadStream, openSync, readSync, rmSync } from "node:fs";
import { appendFile, mkdir, open, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { CID } from "multiformats/cid";
import { decodeBlock } from "../ipfs/block-codec.js";
import { type Block, encodeCar, readCar } from "../ipfs/car.js";
import { encodeBlock, MAX_BLOCK_BYTES } from "../nomad/index.js";
import {
  type BlockIndex,
  blockPlaces,
  decodeIndex,
  digestKeyOf,
  encodeIndex,
  partOfBlock,
  type Range,
  rangesOf,
} from "./block-cache-index.js";
import { type DecodedDagShelf, openDecodedDagShelf } from "./decoded-dag-shelf.js";
import { type FoldShelfHandle, openFoldShelf } from "./fold-shelf.js";
import { type PidLock, takePidLock } from "./pid-lock.js";

/**
 * Blocks kept on disk in the data directory, so a restarted process starts warm. Nothing read back is
 * trusted before its hash matches its CID; a file that is damaged or not this cache's is discarded and
 * the cache starts empty. Opening reads a saved index (`block-cache-index.ts`) instead of every block.
 * Bounded in bytes: past the bound it starts over.
 */
export interface DiskBlockCache {
  /** The block's bytes, checked against its CID; undefined when absent (or found damaged: all is dropped). */
  get(cid: CID): Uint8Array | undefined;
  /**
   * Keep a block (hash-checked by whoever read it); written in batches. Only queued here: whether it is
   * on disk already is asked when the batch is written, so an export's blocks pay nothing more as they arrive.
   */
  put(block: Block): void;
  /**
   * Writes wait until the returned release is called (by every holder): a review holds them so that its
   * answer comes before the cache's writes, which then follow on the event loop's next turn. A hold is
   * bounded: past `HELD_FLUSH_BYTES` queued, or `HOLD_MAX_MS` after the first hold, writes go ahead.
   */
  hold(): () => void;
  /** A prefetch read the DAG under `root` (to its end, or to its first UnixFS file) into this cache. */
  hasDag(root: CID): boolean;
  /** Remember that the DAG under `root` is held whole: these blocks (by CID string), read back together. */
  markDag(root: CID, blocks: Iterable<CID>): void;
  /**
   * The blocks of a DAG held whole, read back in a few large reads and each checked against its CID;
   * undefined when it is not held, when its sections take more than `maxBytes`, or when one fails its
   * check (then all is dropped, as `get` does).
   */
  readDag(root: CID, maxBytes?: number): Promise<Block[] | undefined>;
  /** Write what is queued. */
  flush(): Promise<void>;
  close(): Promise<void>;
  stats(): { readonly blocks: number; readonly bytes: number; readonly discarded: number };
  /** Remembered folds of targets (`folds/`, a quarter of the bound), under the same lock. */
  readonly folds: FoldShelfHandle;
  /** Decoded blocks of patches' DAGs (`decoded/`, a quarter of the bound), under the same lock. */
  readonly decoded: DecodedDagShelf;
}

export interface DiskBlockCacheOptions {
  /** Most bytes on disk; beyond them the cache starts over. */
  readonly maxBytes: number;
  /** Told when a cache file is discarded, and why. */
  readonly onDiscard?: (reason: string) => void;
}

/** The first block of every cache file: what says the file is this cache's, and which generation. */
const MARK = "NomadPatchBlockCache";
const FORMAT = 1;
const SHA2_256 = 0x12;
const FLUSH_BYTES = 1024 * 1024;
const FLUSH_AFTER_MS = 200;
/**
 * While a review holds the writes, what may be queued before they go ahead anyway (the queued blocks are
 * the memory cache's own: what waits is a list of them, unless that cache drops them meanwhile) and for
 * how long (a review that hangs on a name or a node does not keep the cache from being written).
 */
const HELD_FLUSH_BYTES = 16 * 1024 * 1024;
const HOLD_MAX_MS = 30_000;
/** The index is saved again once this much of `blocks.car`, or as much as it covers, is not in it. */
const INDEX_EVERY_BYTES = 8 * 1024 * 1024;
/** A DAG held whole is read back in pieces of at most this size. */
const READ_PIECE_BYTES = 1024 * 1024;
const MAX_SECTION_BYTES = MAX_BLOCK_BYTES + 128;

/**
 * Opens (or creates) the cache in `dir`: `blocks.car` (a CARv1 file whose first block marks it as
 * this cache's) and `blocks.index` (where its blocks are, and the DAGs held whole, for that file's
 * generation). One process writes it at a time: another process that finds it in use gets `undefined`
 * and runs without it.
 */
export async function openDiskBlockCache(
  dir: string,
  options: DiskBlockCacheOptions,
): Promise<DiskBlockCache | undefined> {
  await mkdir(dir, { recursive: true });
  const lock = join(dir, "lock");
  const held = await tryLock(lock);
  if (!held) return undefined;
  const file = join(dir, "blocks.car");
  const indexFile = join(dir, "blocks.index");
  /** An index larger than this is neither written nor read (a quarter of the bound, as the folds). */
  const maxIndexBytes = Math.max(64 * 1024, Math.floor(options.maxBytes / 4));
  const folds = await openFoldShelf(join(dir, "folds"), {
    maxBytes: Math.floor(options.maxBytes / 4),
    onDiscard: options.onDiscard,
  });
  const decoded = await openDecodedDagShelf(join(dir, "decoded"), {
    maxBytes: Math.floor(options.maxBytes / 4),
    onDiscard: options.onDiscard,
  });

  let index = blockPlaces();
  let dags = new Map<string, readonly Range[]>();
  let generation = "";
  let size = 0;
  let discarded = 0;
  let reader: number | undefined;
  let queue: Block[] = [];
  let queuedBytes = 0;
  /** Holders of the writes now (`hold`), and since when the first of them has held them. */
  let holds = 0;
  let heldSince = 0;
  let afterRelease: NodeJS.Immediate | undefined;
  /** DAGs marked whole since the last write, with their blocks: placed once those are written. */
  let marked = new Map<string, Iterable<CID>>();
  /** The marks the write under way places. */
  let placing = new Map<string, Iterable<CID>>();
  /** How much of `blocks.car` the index on disk describes (0: none is saved). */
  let saved = 0;
  /** Where the first block after the mark starts: a refused part of the index is rebuilt from there. */
  let firstSection = 0;
  let indexDirty = false;
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();

  const closeReader = () => {
    if (reader !== undefined) closeSync(reader);
    reader = undefined;
  };

  /** A new, empty cache file (the old one, if any, is gone). */
  async function startOver(): Promise<void> {
    closeReader();
    generation = randomUUID();
    const mark = await encodeBlock({ [MARK]: FORMAT, Generation: generation });
    const car = encodeCar([mark.cid], [mark]);
    await rm(indexFile, { force: true });
    await writeFile(`${file}.new`, car);
    await rename(`${file}.new`, file);
    index = blockPlaces();
    dags = new Map();
    size = car.byteLength;
    saved = 0;
    indexDirty = true;
  }

  async function discard(reason: string): Promise<void> {
    discarded++;
    options.onDiscard?.(reason);
    await startOver();
  }

  /**
   * 1. read the mark (the file's first block, hash-checked): a file without it is not this cache's;
   * 2. take the saved index if it passes its checks and is of this file's generation and length;
   * 3. read the sections it does not cover (all of them without it), each hash-checked as it is indexed.
   * The blocks the index places are checked when they are read, not here.
   */
  async function load(): Promise<void> {
    const length = (await stat(file)).size;
    const markEnd = await readMark();
    firstSection = markEnd;
    const found = await readIndex(length, markEnd);
    index = found?.blocks ?? blockPlaces();
    dags = found?.dags ?? new Map();
    saved = found?.covered ?? 0;
    let end = found?.covered ?? markEnd;
    if (end < length) {
      end = await placeSections(index, end);
      indexDirty = true;
    }
    size = end;
    // The list of DAGs of an older version of this cache: they are in the index now.
    await rm(join(dir, "dags.json"), { force: true });
  }

  /** The file's mark: sets the generation, and says where the first block after it starts. */
  async function readMark(): Promise<number> {
    const handle = await open(file, "r");
    try {
      const { buffer, bytesRead } = await handle.read(new Uint8Array(4096), 0, 4096, 0);
      for await (const block of readCar([buffer.subarray(0, bytesRead)], {
        maxSectionBytes: MAX_SECTION_BYTES,
      })) {
        if (!hashMatches(block.cid, block.bytes))
          throw new Error(`block ${block.cid} does not match its CID`);
        const mark = decodeBlock(block.cid, block.bytes) as Record<string, unknown> | null;
        if (mark?.[MARK] !== FORMAT || typeof mark.Generation !== "string")
          throw new Error("not this cache's file");
        generation = mark.Generation;
        return block.offset + block.bytes.byteLength;
      }
    } finally {
      await handle.close();
    }
    throw new Error("no mark");
  }

  /** The saved index, if there is one that passes every check and describes this very file. */
  async function readIndex(length: number, markEnd: number): Promise<BlockIndex | undefined> {
    const refused = (reason: string) => {
      options.onDiscard?.(
        `the block cache's index ${indexFile} is not used (${reason}); it is rebuilt from ${file}`,
      );
      return undefined;
    };
    let bytes: Uint8Array;
    try {
      if ((await stat(indexFile)).size > maxIndexBytes) return refused(`larger than ${maxIndexBytes} bytes`);
      bytes = await readFile(indexFile);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      return refused((error as Error).message);
    }
    let found: BlockIndex;
    try {
      found = decodeIndex(bytes, {
        maxBlockBytes: MAX_BLOCK_BYTES,
        onDamagedPart: (part, reason) => rebuildPartLater(part, reason, length),
      });
    } catch (error) {
      return refused((error as Error).message);
    }
    if (found.generation !== generation) return refused("it is another file's");
    if (found.covered > length || found.covered < markEnd)
      return refused(`it describes ${found.covered} bytes, the file has ${length}`);
    return found;
  }

  /**
   * Reads `file`'s sections from `start` (to the byte `last`, when given), hash-checks each one `wanted`
   * (every one by default) and records its place in `places`; returns where the last section read ends.
   * A block that does not match its CID throws: the file is damaged.
   */
  async function placeSections(
    places: typeof index,
    start: number,
    options: { readonly last?: number; readonly wanted?: (cid: CID) => boolean } = {},
  ): Promise<number> {
    const range = options.last === undefined ? { start } : { start, end: options.last };
    let end = start;
    for await (const block of readCar(createReadStream(file, range), {
      maxSectionBytes: MAX_SECTION_BYTES,
      from: start,
    })) {
      if (options.wanted?.(block.cid) ?? true) {
        if (!hashMatches(block.cid, block.bytes))
          throw new Error(`block ${block.cid} does not match its CID`);
        places.set(block.cid, {
          offset: block.offset,
          length: block.bytes.byteLength,
          head: block.offset - end,
        });
      }
      end = block.offset + block.bytes.byteLength;
    }
    return end;
  }

  /**
   * A part of the saved index refused when first needed (`block-cache-index.ts`): its blocks are not found
   * by it, and are found again by reading the sections it described from `blocks.car` (each hash-checked),
   * in turn with the writes. Until then they are read from the node, as any block not held.
   */
  function rebuildPartLater(part: number, reason: string, fileLength: number): void {
    options.onDiscard?.(
      `part ${part} of the block cache's index ${indexFile} is not used (${reason}); it is rebuilt from ${file}`,
    );
    const places = index;
    writing = writing
      .then(async () => {
        // Dropped meanwhile (a damaged block found, the cache started over): nothing of it to rebuild.
        if (index !== places || fileLength <= firstSection) return;
        await placeSections(places, firstSection, {
          last: fileLength - 1,
          wanted: (cid) => partOfBlock(cid) === part,
        });
        indexDirty = true;
      })
      .catch((error: unknown) => {
        // Not returned: the discard waits for this very chain.
        void discardLater(`the block cache ${file} is damaged (${(error as Error).message}); it starts over`);
      });
  }

  /** The index saved as it is now, whole, in place of the last (none when over its bound). */
  async function saveIndex(): Promise<void> {
    indexDirty = false;
    const bytes = encodeIndex({ generation, covered: size, blocks: index, dags });
    if (bytes.byteLength > maxIndexBytes) {
      await rm(indexFile, { force: true });
      saved = 0;
      return;
    }
    await writeFile(`${indexFile}.new`, bytes);
    await rename(`${indexFile}.new`, indexFile);
    saved = size;
  }

  try {
    await load();
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === "ENOENT";
    if (missing) await startOver();
    else
      await discard(
        `the block cache ${file} is damaged or not this cache's (${(error as Error).message}); it starts over`,
      );
  }

  /** The blocks of a batch that are neither on disk nor earlier in the batch, with their index keys. */
  function notOnDisk(batch: readonly Block[]): { blocks: Block[]; keys: string[] } {
    const blocks: Block[] = [];
    const keys: string[] = [];
    const inBatch = new Set<string>();
    for (const block of batch) {
      const key = digestKeyOf(block.cid);
      if (inBatch.has(key) || index.get(block.cid, key)) continue;
      inBatch.add(key);
      blocks.push(block);
      keys.push(key);
    }
    return { blocks, keys };
  }

  async function write(): Promise<void> {
    const queued = queue;
    // Taken with the queue: a DAG is marked after its blocks were put, so the marks taken here have their
    // blocks in this write or an earlier one. A mark made while this write waits for the file is the next
    // write's (placed by this one, it was held with only the blocks already written).
    const marks = marked;
    placing = marks;
    queue = [];
    queuedBytes = 0;
    marked = new Map();
    const { blocks, keys } = notOnDisk(queued);
    if (blocks.length > 0) {
      const bytes = blocks.reduce((n, b) => n + section(b), 0);
      if (size + bytes > options.maxBytes) await startOver();
      // The sections appended, with the header dropped: offsets are counted from where the file ends.
      const car = encodeCar([], blocks);
      const headerLength = car.byteLength - bytes;
      const appended = car.subarray(headerLength);
      await appendFile(file, appended);
      let at = size;
      for (const [i, block] of blocks.entries()) {
        const length = block.bytes.byteLength;
        const head = section(block) - length;
        index.set(block.cid, { offset: at + head, length, head }, keys[i]);
        at += section(block);
      }
      size = at;
      indexDirty = true;
    }
    for (const [root, keys] of marks) {
      dags.set(root, rangesOf(keys, index));
      indexDirty = true;
    }
    placing = new Map();
    // Saved again as the file doubles (and on closing): a few saves however large it grows, since each
    // encodes the whole index on the event loop. A crash loses only the DAG marks since the last one:
    // the blocks after it are found by reading the file's tail.
    if (indexDirty && size - saved >= Math.max(INDEX_EVERY_BYTES, saved)) await saveIndex();
  }

  function flush(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (afterRelease) clearImmediate(afterRelease);
    afterRelease = undefined;
    writing = writing.then(write).catch((error: unknown) => {
      // Marks whose blocks were not written are dropped: the DAGs are read from the node again.
      placing = new Map();
      options.onDiscard?.(`the block cache could not be written (${(error as Error).message})`);
    });
    return writing;
  }

  /** How long the writes are still held (0: not held, or held for too long). */
  const heldFor = () => (holds > 0 ? Math.max(0, heldSince + HOLD_MAX_MS - Date.now()) : 0);

  function schedule(): void {
    const held = heldFor() > 0;
    if (queuedBytes >= (held ? HELD_FLUSH_BYTES : FLUSH_BYTES)) void flush();
    else if (!timer && !afterRelease) arm(FLUSH_AFTER_MS);
  }

  /** The batch is written after `ms`, or when the holds end, whichever comes later. */
  function arm(ms: number): void {
    timer = setTimeout(() => {
      timer = undefined;
      const left = heldFor();
      if (left > 0) arm(left);
      else void flush();
    }, ms);
    timer.unref();
  }

  function hold(): () => void {
    if (holds === 0) heldSince = Date.now();
    holds++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      holds--;
      if (holds > 0 || (queue.length === 0 && marked.size === 0)) return;
      // After a turn of the event loop: what the holder does right after (a review's render) comes first.
      if (timer) clearTimeout(timer);
      timer = undefined;
      afterRelease ??= setImmediate(() => {
        afterRelease = undefined;
        void flush();
      });
      afterRelease.unref();
    };
  }

  return {
    get(cid) {
      const place = index.get(cid);
      if (!place) return undefined;
      try {
        reader ??= openSync(file, "r");
        const bytes = new Uint8Array(place.length);
        // Small, local reads: one system call each, cheaper than a round through the thread pool.
        if (readSync(reader, bytes, 0, place.length, place.offset) !== place.length)
          throw new Error("short read");
        if (!hashMatches(cid, bytes)) throw new Error(`block ${cid} does not match its CID`);
        return bytes;
      } catch (error) {
        void discardLater(`the block cache ${file} is damaged (${(error as Error).message}); it starts over`);
        return undefined;
      }
    },
    put(block) {
      if (block.cid.multihash.code !== SHA2_256) return;
      queue.push(block);
      queuedBytes += section(block);
      schedule();
    },
    hold,
    hasDag: (root) => [dags, marked, placing].some((held) => held.has(root.toString())),
    markDag(root, blocks) {
      marked.set(root.toString(), blocks);
      schedule();
    },
    async readDag(root, maxBytes) {
      const ranges = dags.get(root.toString());
      if (!ranges) return undefined;
      if (maxBytes !== undefined && ranges.reduce((n, [start, end]) => n + end - start, 0) > maxBytes)
        return undefined;
      const blocks: Block[] = [];
      try {
        reader ??= openSync(file, "r");
        for (const [start, end] of ranges) {
          for await (const block of readCar(pieces(reader, start, end), {
            maxSectionBytes: MAX_SECTION_BYTES,
            from: start,
          })) {
            if (!hashMatches(block.cid, block.bytes))
              throw new Error(`block ${block.cid} does not match its CID`);
            blocks.push(block);
          }
        }
        return blocks;
      } catch (error) {
        void discardLater(`the block cache ${file} is damaged (${(error as Error).message}); it starts over`);
        return undefined;
      }
    },
    flush,
    async close() {
      await flush();
      if (indexDirty) await saveIndex().catch(() => {});
      await folds.flush();
      await decoded.flush();
      closeReader();
      heldLocks.delete(lock);
      await held.release();
    },
    stats: () => ({ blocks: index.size, bytes: size, discarded }),
    folds,
    decoded,
  };

  /** Nothing of a damaged file is used again: the index goes at once, the file with the next write. */
  function discardLater(reason: string): Promise<void> {
    index = blockPlaces();
    dags = new Map();
    marked = new Map();
    writing = writing.then(() => discard(reason)).catch(() => {});
    return writing;
  }
}

/** `[start, end)` of a file, read in pieces (small local reads: synchronous, as `get`'s). */
function* pieces(fd: number, start: number, end: number): Generator<Uint8Array> {
  for (let at = start; at < end; ) {
    const piece = new Uint8Array(Math.min(READ_PIECE_BYTES, end - at));
    const read = readSync(fd, piece, 0, piece.length, at);
    if (read === 0) throw new Error("short read");
    yield piece.subarray(0, read);
    at += read;
  }
}

/** The length of a block's CAR section: varint, CID, bytes (the varint is at most 3 bytes here). */
function section(block: Block): number {
  const length = block.cid.bytes.byteLength + block.bytes.byteLength;
  return varintLength(length) + length;
}

function varintLength(value: number): number {
  let n = 1;
  for (let rest = value; rest >= 0x80; rest = Math.floor(rest / 128)) n++;
  return n;
}

/** The hash check, synchronous: it runs once for every block read back. Only sha2-256 blocks are kept. */
function hashMatches(cid: CID, bytes: Uint8Array): boolean {
  const { code, digest } = cid.multihash;
  if (code !== SHA2_256) return false;
  const actual = createHash("sha256").update(bytes).digest();
  return Buffer.compare(actual, Buffer.from(digest.buffer, digest.byteOffset, digest.byteLength)) === 0;
}

/** Locks this process holds, removed when it exits however it ends (one listener for all of them). */
const heldLocks = new Set<string>();
let listening = false;

function releaseOnExit(path: string): void {
  if (!listening) process.once("exit", releaseHeldLocksOnExit);
  listening = true;
  heldLocks.add(path);
}

function releaseHeldLocksOnExit(): void {
  for (const lock of heldLocks) rmSync(lock, { force: true });
}

/** Thrown to stop waiting: a cache another live process writes is not waited for. */
const IN_USE = Symbol("in use");

/**
 * The cache's lock (pid-lock.ts): a dead owner's is taken over, by one process only; a live owner's (this
 * process's own included) means running without the cache, never waiting for it.
 */
async function tryLock(path: string): Promise<PidLock | undefined> {
  try {
    const lock = await takePidLock(path, {
      whileHeld: async () => {
        throw IN_USE;
      },
    });
    releaseOnExit(path);
    return lock;
  } catch (error) {
    if (error === IN_USE) return undefined;
    throw error;
  }
}
