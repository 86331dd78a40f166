import { createHash, randomUUID } from "node:crypto";
import { closeSync, createReadStream, openSync, readSync, rmSync } from "node:fs";
import { appendFile, mkdir, open, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { CID } from "multiformats/cid";
import { decodeBlock } from "../ipfs/block-codec.js";
import { type Block, encodeCar, readCar } from "../ipfs/car.js";
import { encodeBlock, MAX_BLOCK_BYTES } from "../nomad/index.js";
import { type FoldShelfHandle, openFoldShelf } from "./fold-shelf.js";

/**
 * Blocks kept on disk in the data directory, so a restarted process starts warm. Nothing read back is
 * trusted before its hash matches its CID; a file that is damaged or not this cache's is discarded and
 * the cache starts empty. Bounded in bytes: past the bound it starts over.
 */
export interface DiskBlockCache {
  /** The block's bytes, checked against its CID; undefined when absent (or found damaged: all is dropped). */
  get(cid: CID): Uint8Array | undefined;
  /** Keep a block (hash-checked by whoever read it); written in batches. */
  put(block: Block): void;
  /** A prefetch read the DAG under `root` (to its end, or to its first UnixFS file) into this cache. */
  hasDag(root: CID): boolean;
  markDag(root: CID): void;
  /** Write what is queued. */
  flush(): Promise<void>;
  close(): Promise<void>;
  stats(): { readonly blocks: number; readonly bytes: number; readonly discarded: number };
  /** Remembered folds of targets (`folds/`, a quarter of the bound), under the same lock. */
  readonly folds: FoldShelfHandle;
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

interface Place {
  readonly offset: number;
  readonly length: number;
}

/**
 * Opens (or creates) the cache in `dir`: `blocks.car` (a CARv1 file whose first block marks it as
 * this cache's) and `dags.json` (the DAGs held whole, for that file's generation). One process writes
 * it at a time: another process that finds it in use gets `undefined` and runs without it.
 */
export async function openDiskBlockCache(
  dir: string,
  options: DiskBlockCacheOptions,
): Promise<DiskBlockCache | undefined> {
  await mkdir(dir, { recursive: true });
  const lock = join(dir, "lock");
  if (!(await tryLock(lock))) return undefined;
  const file = join(dir, "blocks.car");
  const dagsFile = join(dir, "dags.json");
  const folds = await openFoldShelf(join(dir, "folds"), {
    maxBytes: Math.floor(options.maxBytes / 4),
    onDiscard: options.onDiscard,
  });

  let index = new Map<string, Place>();
  let dags = new Set<string>();
  let generation = "";
  let size = 0;
  let discarded = 0;
  let reader: number | undefined;
  let queue: Block[] = [];
  let queued = new Set<string>();
  let queuedBytes = 0;
  let dagsDirty = false;
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
    await writeFile(`${file}.new`, car);
    await rename(`${file}.new`, file);
    await rm(dagsFile, { force: true });
    index = new Map();
    dags = new Set();
    size = car.byteLength;
  }

  async function discard(reason: string): Promise<void> {
    discarded++;
    options.onDiscard?.(reason);
    await startOver();
  }

  async function load(): Promise<void> {
    let first = true;
    const found = new Map<string, Place>();
    let end = 0;
    for await (const block of readCar(createReadStream(file), { maxSectionBytes: MAX_BLOCK_BYTES + 128 })) {
      if (!hashMatches(block.cid, block.bytes)) throw new Error(`block ${block.cid} does not match its CID`);
      if (first) {
        const mark = decodeBlock(block.cid, block.bytes) as Record<string, unknown> | null;
        if (mark?.[MARK] !== FORMAT || typeof mark.Generation !== "string")
          throw new Error("not this cache's file");
        generation = mark.Generation;
        first = false;
      } else {
        found.set(block.cid.toString(), { offset: block.offset, length: block.bytes.byteLength });
      }
      end = block.offset + block.bytes.byteLength;
    }
    if (first) throw new Error("no mark");
    index = found;
    size = end;
    const saved = JSON.parse(await readFile(dagsFile, "utf8").catch(() => "{}")) as {
      generation?: unknown;
      roots?: unknown;
    };
    dags =
      saved.generation === generation && Array.isArray(saved.roots)
        ? new Set(saved.roots.filter((r): r is string => typeof r === "string"))
        : new Set();
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

  async function write(): Promise<void> {
    const blocks = queue;
    const bytes = queuedBytes;
    queue = [];
    queued = new Set();
    queuedBytes = 0;
    if (blocks.length > 0) {
      if (size + bytes > options.maxBytes) await startOver();
      // The sections appended, with the header dropped: offsets are counted from where the file ends.
      const car = encodeCar([], blocks);
      const headerLength = car.byteLength - blocks.reduce((n, b) => n + section(b), 0);
      const appended = car.subarray(headerLength);
      await appendFile(file, appended);
      let at = size;
      for (const block of blocks) {
        const length = block.bytes.byteLength;
        index.set(block.cid.toString(), { offset: at + section(block) - length, length });
        at += section(block);
      }
      size = at;
    }
    if (dagsDirty) {
      dagsDirty = false;
      await writeFile(`${dagsFile}.new`, JSON.stringify({ generation, roots: [...dags] }));
      await rename(`${dagsFile}.new`, dagsFile);
    }
  }

  function flush(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = undefined;
    writing = writing.then(write).catch((error: unknown) => {
      options.onDiscard?.(`the block cache could not be written (${(error as Error).message})`);
    });
    return writing;
  }

  function schedule(): void {
    if (queuedBytes >= FLUSH_BYTES) void flush();
    else if (!timer) {
      timer = setTimeout(() => void flush(), FLUSH_AFTER_MS);
      timer.unref();
    }
  }

  return {
    get(cid) {
      const place = index.get(cid.toString());
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
      const key = block.cid.toString();
      if (block.cid.multihash.code !== SHA2_256 || index.has(key) || queued.has(key)) return;
      queue.push(block);
      queued.add(key);
      queuedBytes += section(block);
      schedule();
    },
    hasDag: (root) => dags.has(root.toString()),
    markDag(root) {
      dags.add(root.toString());
      dagsDirty = true;
      schedule();
    },
    flush,
    async close() {
      await flush();
      await folds.flush();
      closeReader();
      held.delete(lock);
      await rm(lock, { force: true });
    },
    stats: () => ({ blocks: index.size, bytes: size, discarded }),
    folds,
  };

  /** Nothing of a damaged file is used again: the index goes at once, the file with the next write. */
  function discardLater(reason: string): Promise<void> {
    index = new Map();
    dags = new Set();
    writing = writing.then(() => discard(reason)).catch(() => {});
    return writing;
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
const held = new Set<string>();
let listening = false;

function releaseOnExit(path: string): void {
  if (!listening)
    process.once("exit", () => {
      for (const lock of held) rmSync(lock, { force: true });
    });
  listening = true;
  held.add(path);
}

/** The lock file holds the owner's pid; a lock whose owner is gone is taken over. */
async function tryLock(path: string): Promise<boolean> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, "wx");
      await handle.writeFile(String(process.pid));
      await handle.close();
      releaseOnExit(path);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = Number(await readFile(path, "utf8").catch(() => ""));
      if (owner > 0 && isAlive(owner)) return false;
      await rm(path, { force: true });
    }
  }
  return false;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
