import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import * as dagCbor from "@ipld/dag-cbor";
import { CID } from "multiformats/cid";
import { encodeBlock, isIpldMap } from "../nomad/index.js";
import type { FoldShelf, RememberedFold } from "./target-memo.js";

/**
 * Remembered folds kept on disk, one file each, so that the first review after a restart finds the fold
 * of its target as a warm one does. A file is named by the hash of its key and the CID of its bytes:
 * the directory listing, read once on opening, is the index, and every file is read only when its key
 * is asked for. Nothing read back is used before its bytes hash to the CID in its name, it carries this
 * shelf's mark and format and the very key asked for, and every field has its type; a file that fails
 * any of it (damaged, cut short, foreign, of another version, too large) is deleted and the fold is made
 * again. Bounded in bytes: the oldest files go first.
 */
export interface FoldShelfHandle extends FoldShelf {
  /** Write what is queued. */
  flush(): Promise<void>;
  stats(): { readonly folds: number; readonly bytes: number; readonly discarded: number };
}

export interface FoldShelfOptions {
  readonly maxBytes: number;
  readonly onDiscard?: (reason: string) => void;
}

const MARK = "NomadPatchFoldMemo";
/** 2: with `OwnStream` (this node's own stream measured); a file of format 1 is discarded and made again. */
const FORMAT = 2;
const NAME = /^([0-9a-f]{64})\.(b[a-z2-7]+)\.fold$/;

interface Shelved {
  readonly file: string;
  readonly cid: CID;
  readonly size: number;
}

export async function openFoldShelf(dir: string, options: FoldShelfOptions): Promise<FoldShelfHandle> {
  await mkdir(dir, { recursive: true });
  /** By key hash, oldest first. */
  const index = new Map<string, Shelved>();
  let total = 0;
  let discarded = 0;
  let writing: Promise<void> = Promise.resolve();
  const maxFileBytes = Math.floor(options.maxBytes / 2);

  const found: { hash: string; shelved: Shelved; mtime: number }[] = [];
  for (const file of await readdir(dir)) {
    const match = NAME.exec(file);
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
    options.onDiscard?.(`the remembered fold ${shelved.file} is not used (${reason}); it is made again`);
    await drop(hash, shelved);
    return undefined;
  }

  async function write(fold: RememberedFold): Promise<void> {
    const { cid, bytes } = await encodeBlock(encodeFold(fold));
    if (bytes.byteLength > maxFileBytes) return;
    const hash = keyHash(fold.key);
    const file = `${hash}.${cid.toString()}.fold`;
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
        bytes = await readFile(join(dir, shelved.file));
      } catch (error) {
        return discard(hash, shelved, (error as Error).message);
      }
      if (bytes.byteLength > maxFileBytes) return discard(hash, shelved, "too large");
      if (!hashMatches(shelved.cid, bytes)) return discard(hash, shelved, "its bytes do not match its CID");
      try {
        return decodeFold(dagCbor.decode(bytes), key);
      } catch (error) {
        return discard(hash, shelved, (error as Error).message);
      }
    },
    put(fold) {
      writing = writing.then(() =>
        write(fold).catch((error: unknown) => {
          options.onDiscard?.(`a remembered fold could not be written (${(error as Error).message})`);
        }),
      );
    },
    flush: () => writing,
    stats: () => ({ folds: index.size, bytes: total, discarded }),
  };
}

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

function hashMatches(cid: CID, bytes: Uint8Array): boolean {
  if (cid.code !== dagCbor.code || cid.multihash.code !== 0x12) return false;
  const actual = createHash("sha256").update(bytes).digest();
  const digest = cid.multihash.digest;
  return Buffer.compare(actual, Buffer.from(digest.buffer, digest.byteOffset, digest.byteLength)) === 0;
}

function encodeFold(fold: RememberedFold): Record<string, unknown> {
  return {
    [MARK]: FORMAT,
    Key: fold.key,
    Visited: fold.visited.map((v) => ({
      Source: v.source,
      Depth: v.depth,
      Stream: v.streamCid ?? null,
      Entries: v.entryCount,
    })),
    Sources: [...fold.sources],
    Unreachable: fold.unreachable.map((u) => ({ Id: u.id, Via: u.via })),
    State: fold.state,
    FoldedCid: fold.foldedCid,
    StateBytes: fold.stateBytes,
    MatchesPublished: fold.matchesPublished ?? null,
    Warnings: [...fold.warnings],
    EntryCount: fold.entryCount,
    NewestTicks: fold.newestTicks.toString(),
    OwnStream: fold.ownStream
      ? {
          Cid: fold.ownStream.cid,
          Entries: fold.ownStream.entries,
          Bytes: fold.ownStream.bytes,
          LinkBytes: fold.ownStream.linkBytes,
        }
      : null,
    BytesRead: fold.bytesRead,
    RejectedHistory: {
      Count: fold.rejectedHistory.count,
      Entries: fold.rejectedHistory.entries.map((e) => ({
        Cid: e.cid,
        TargetId: e.targetId,
        EventId: e.eventId,
        Reason: e.reason,
        Skipped: e.skipped,
      })),
    },
  };
}

/** The file's value as a fold, every field checked: anything else throws (and the file is dropped). */
function decodeFold(value: unknown, key: string): RememberedFold {
  const map = asMap(value, "the file");
  if (map[MARK] !== FORMAT) throw new Error("not this shelf's file, or another format");
  if (map.Key !== key) throw new Error("the fold of another key");
  const state = map.State;
  if (!isIpldMap(state)) throw new Error("State is not a map");
  const ticks = str(map.NewestTicks, "NewestTicks");
  if (!/^\d+$/.test(ticks)) throw new Error("NewestTicks is not a number");
  const visited = list(map.Visited, "Visited").map((item) => {
    const v = asMap(item, "a visited source");
    const stream = v.Stream === null ? undefined : cid(v.Stream, "Stream");
    return {
      source: str(v.Source, "Source"),
      depth: num(v.Depth, "Depth"),
      streamCid: stream,
      entryCount: num(v.Entries, "Entries"),
    };
  });
  return {
    key,
    visited,
    sources: list(map.Sources, "Sources").map((s) => str(s, "a source")),
    unreachable: list(map.Unreachable, "Unreachable").map((item) => {
      const u = asMap(item, "an unreachable source");
      return { id: str(u.Id, "Id"), via: str(u.Via, "Via") };
    }),
    state,
    foldedCid: cid(map.FoldedCid, "FoldedCid"),
    stateBytes: num(map.StateBytes, "StateBytes"),
    matchesPublished:
      map.MatchesPublished === null ? undefined : bool(map.MatchesPublished, "MatchesPublished"),
    warnings: list(map.Warnings, "Warnings").map((w) => str(w, "a warning")),
    entryCount: num(map.EntryCount, "EntryCount"),
    newestTicks: BigInt(ticks),
    ownStream: decodeOwnStream(map.OwnStream, visited),
    bytesRead: num(map.BytesRead, "BytesRead"),
    rejectedHistory: decodeRejected(map.RejectedHistory),
  };
}

/** This node's own stream as measured: one of the streams the fold visited, or none. */
function decodeOwnStream(
  value: unknown,
  visited: readonly { readonly streamCid?: CID }[],
): RememberedFold["ownStream"] {
  if (value === null) return undefined;
  const map = asMap(value, "OwnStream");
  const measured = cid(map.Cid, "OwnStream.Cid");
  if (!visited.some((v) => v.streamCid?.equals(measured)))
    throw new Error("OwnStream is not one of the visited streams");
  return {
    cid: measured,
    entries: num(map.Entries, "OwnStream.Entries"),
    bytes: num(map.Bytes, "OwnStream.Bytes"),
    linkBytes: num(map.LinkBytes, "OwnStream.LinkBytes"),
  };
}

function decodeRejected(value: unknown): RememberedFold["rejectedHistory"] {
  const map = asMap(value, "RejectedHistory");
  return {
    count: num(map.Count, "RejectedHistory.Count"),
    entries: list(map.Entries, "RejectedHistory.Entries").map((item) => {
      const e = asMap(item, "a rejected entry");
      return {
        cid: str(e.Cid, "Cid"),
        targetId: str(e.TargetId, "TargetId"),
        eventId: str(e.EventId, "EventId"),
        reason: str(e.Reason, "Reason"),
        skipped: bool(e.Skipped, "Skipped"),
      };
    }),
  };
}

function asMap(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value) || CID.asCID(value))
    throw new Error(`${what} is not a map`);
  return value as Record<string, unknown>;
}
function list(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new Error(`${what} is not a list`);
  return value;
}
function str(value: unknown, what: string): string {
  if (typeof value !== "string") throw new Error(`${what} is not a string`);
  return value;
}
function num(value: unknown, what: string): number {
  if (!Number.isSafeInteger(value) || (value as number) < 0) throw new Error(`${what} is not a count`);
  return value as number;
}
function bool(value: unknown, what: string): boolean {
  if (typeof value !== "boolean") throw new Error(`${what} is not true or false`);
  return value;
}
function cid(value: unknown, what: string): CID {
  const parsed = CID.asCID(value);
  if (!parsed) throw new Error(`${what} is not a CID`);
  return parsed;
}
