import { createHash } from "node:crypto";
import { closeSync, openSync, readSync } from "node:fs";
import { mkdir, open, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import * as dagCbor from "@ipld/dag-cbor";
import { CID } from "multiformats/cid";
import { create as digestOf } from "multiformats/hashes/digest";
import { decodeDagCbor } from "../ipfs/cid-decoding.js";

/**
 * Things a review learned, kept on disk one file each so that a restarted process finds them: the
 * folds of targets (`fold-shelf.ts`) and the decoded blocks of patches (`decoded-dag-shelf.ts`). A file
 * is named by the hash of its key and the CID of its bytes: the directory listing, read once on opening,
 * is the index, and a file is read only when its key is asked for. Nothing read back is used before its
 * bytes hash to the CID in its name and `decode` (which checks the shelf's mark and format, the very key
 * asked for and every field) accepts it; a file that fails any of it (damaged, cut short, foreign, of
 * another version, too large) is deleted and the thing is made again. Bounded in bytes: the oldest
 * files go first, and no file may take more than half the bound.
 */
export interface CheckedShelf<T, P = T> {
  get(key: string): Promise<T | undefined>;
  /**
   * Queued: `encode` runs, and the file is written, in turn with the other writes and never before the
   * event loop has had a turn, so the work of whoever put it (a review, before its answer) comes first.
   */
  put(key: string, item: P): void;
  /** Whether a file is kept for `key` (not read, so not checked yet). */
  has(key: string): boolean;
  /** Write what is queued. */
  flush(): Promise<void>;
  stats(): { readonly items: number; readonly bytes: number; readonly discarded: number };
}

export interface CheckedShelfOptions<T, P = T> {
  readonly maxBytes: number;
  readonly onDiscard?: (reason: string) => void;
  /** The files' name ending (`fold`), and what one holds, for the messages (`remembered fold`). */
  readonly suffix: string;
  readonly what: string;
  /**
   * The file's bytes: a DAG-CBOR value with the shelf's mark, format and key in it; undefined: nothing
   * kept. Bytes, not a value, so a shelf can write what it already holds encoded without encoding it again.
   */
  readonly encode: (item: P, key: string) => Uint8Array | undefined;
  /** The value read back as `T` for `key`, every field checked: anything else throws. */
  readonly decode: (value: unknown, key: string) => T;
}

interface Shelved {
  readonly file: string;
  readonly cid: CID;
  readonly size: number;
}

export async function openCheckedShelf<T, P = T>(
  dir: string,
  options: CheckedShelfOptions<T, P>,
): Promise<CheckedShelf<T, P>> {
  await mkdir(dir, { recursive: true });
  const name = new RegExp(`^([0-9a-f]{64})\\.(b[a-z2-7]+)\\.${options.suffix}$`);
  /** By key hash, oldest first. */
  const index = new Map<string, Shelved>();
  let total = 0;
  let discarded = 0;
  let writing: Promise<void> = Promise.resolve();
  const maxFileBytes = Math.floor(options.maxBytes / 2);

  const found: { hash: string; shelved: Shelved; mtime: number }[] = [];
  for (const file of await readdir(dir)) {
    const match = name.exec(file);
    const cid = match ? parseCid(match[2] as string) : undefined;
    if (!match || !cid) {
      // Not this shelf's (a half-written file, or anything else): it has no place here.
      await rm(join(dir, file), { force: true, recursive: true });
      continue;
    }
    const info = await stat(join(dir, file));
    found.push({ hash: match[1] as string, shelved: { file, cid, size: info.size }, mtime: info.mtimeMs });
  }
  for (const { hash, shelved } of found.sort((a, b) => a.mtime - b.mtime)) {
    const old = index.get(hash);
    if (old) await drop(hash, old);
    index.set(hash, shelved);
    total += shelved.size;
  }
  await fitBound();

  async function drop(hash: string, shelved: Shelved): Promise<void> {
    if (index.get(hash) === shelved) index.delete(hash);
    total -= shelved.size;
    await rm(join(dir, shelved.file), { force: true });
  }

  async function fitBound(): Promise<void> {
    while (total > options.maxBytes && index.size > 0) {
      const [hash, oldest] = index.entries().next().value as [string, Shelved];
      await drop(hash, oldest);
    }
  }

  async function discard(hash: string, shelved: Shelved, reason: string): Promise<undefined> {
    discarded++;
    options.onDiscard?.(`the ${options.what} ${shelved.file} is not used (${reason}); it is made again`);
    await drop(hash, shelved);
    return undefined;
  }

  async function write(key: string, item: P): Promise<void> {
    const bytes = options.encode(item, key);
    if (bytes === undefined || bytes.byteLength > maxFileBytes) return;
    const cid = CID.createV1(dagCbor.code, digestOf(SHA2_256, createHash("sha256").update(bytes).digest()));
    const hash = keyHash(key);
    const file = `${hash}.${cid.toString()}.${options.suffix}`;
    await writeFile(join(dir, `${file}.new`), bytes);
    await rename(join(dir, `${file}.new`), join(dir, file));
    const old = index.get(hash);
    if (old && old.file !== file) await drop(hash, old);
    else if (old) total -= old.size;
    index.delete(hash);
    index.set(hash, { file, cid, size: bytes.byteLength });
    total += bytes.byteLength;
    await fitBound();
  }

  return {
    async get(key) {
      const hash = keyHash(key);
      const shelved = index.get(hash);
      if (!shelved) return undefined;
      await writing;
      let bytes: Uint8Array;
      try {
        // Never more than the size it was listed with and a byte, nor past the largest file kept: a file
        // swapped since (for a device without end, say) is not read whole.
        const size = Math.min(shelved.size, maxFileBytes);
        bytes =
          size <= SYNC_READ_BYTES
            ? readListed(join(dir, shelved.file), size)
            : await readListedInPool(join(dir, shelved.file), size);
      } catch (error) {
        return discard(hash, shelved, (error as Error).message);
      }
      if (bytes.byteLength > maxFileBytes) return discard(hash, shelved, "too large");
      if (!hashMatches(shelved.cid, bytes)) return discard(hash, shelved, "its bytes do not match its CID");
      try {
        return options.decode(decodeDagCbor(bytes), key);
      } catch (error) {
        return discard(hash, shelved, (error as Error).message);
      }
    },
    put(key, item) {
      // Encoding a file is one synchronous pass over a whole fold or a patch's 3,000 decoded blocks: run in
      // the microtask after the put, it ran inside the review that put it, before its answer
      // (docs/benchmarks.md, target 1). After a turn, the review's own continuations have run first.
      writing = writing.then(aTurnLater).then(() =>
        write(key, item).catch((error: unknown) => {
          options.onDiscard?.(`a ${options.what} could not be written (${(error as Error).message})`);
        }),
      );
    },
    has: (key) => index.has(keyHash(key)),
    flush: () => writing,
    stats: () => ({ items: index.size, bytes: total, discarded }),
  };
}

/**
 * Files up to this size are read synchronously: a local read of a few hundred KiB takes well under a
 * millisecond, while a round through libuv's thread pool waits for a thread, and on a loaded machine
 * for a core, twice (docs/benchmarks.md, "Target 2: a restart's own work"). Larger ones (a fold of a
 * large state) are read in the pool, so as not to hold the event loop.
 */
const SYNC_READ_BYTES = 1024 * 1024;

/**
 * A file's bytes, read at most one byte beyond the size it was listed with: a file grown since is not
 * read whole, and its bytes (cut, or longer) do not match the CID in its name.
 */
function readListed(path: string, size: number): Uint8Array {
  const fd = openSync(path, "r");
  try {
    const bytes = new Uint8Array(size + 1);
    return bytes.subarray(0, readSync(fd, bytes, 0, size + 1, 0));
  } finally {
    closeSync(fd);
  }
}

/** `readListed` in libuv's thread pool, for files too large to read while holding the event loop. */
async function readListedInPool(path: string, size: number): Promise<Uint8Array> {
  const handle = await open(path, "r");
  try {
    const bytes = new Uint8Array(size + 1);
    let got = 0;
    // A read may return fewer bytes than asked: read on until the bound or the end of the file.
    while (got < bytes.byteLength) {
      const { bytesRead } = await handle.read(bytes, got, bytes.byteLength - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return bytes.subarray(0, got);
  } finally {
    await handle.close();
  }
}

/** Resolves once the event loop has had a turn: every microtask queued before it has run. */
const aTurnLater = () => new Promise<void>((resolve) => setImmediate(resolve));

function keyHash(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

function parseCid(text: string): CID | undefined {
  try {
    return CID.parse(text);
  } catch {
    return undefined;
  }
}

const SHA2_256 = 0x12;

function hashMatches(cid: CID, bytes: Uint8Array): boolean {
  if (cid.code !== dagCbor.code || cid.multihash.code !== SHA2_256) return false;
  const actual = createHash("sha256").update(bytes).digest();
  const digest = cid.multihash.digest;
  return Buffer.compare(actual, Buffer.from(digest.buffer, digest.byteOffset, digest.byteLength)) === 0;
}

/** Field checks shared by the shelves' decoders: each throws with what is wrong. */
export function asMap(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value) || CID.asCID(value))
    throw new Error(`${what} is not a map`);
  return value as Record<string, unknown>;
}
export function list(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new Error(`${what} is not a list`);
  return value;
}
export function str(value: unknown, what: string): string {
  if (typeof value !== "string") throw new Error(`${what} is not a string`);
  return value;
}
export function num(value: unknown, what: string): number {
  if (!Number.isSafeInteger(value) || (value as number) < 0) throw new Error(`${what} is not a count`);
  return value as number;
}
export function bool(value: unknown, what: string): boolean {
  if (typeof value !== "boolean") throw new Error(`${what} is not true or false`);
  return value;
}
export function cid(value: unknown, what: string): CID {
  const parsed = CID.asCID(value);
  if (!parsed) throw new Error(`${what} is not a CID`);
  return parsed;
}
