import * as dagCbor from "@ipld/dag-cbor";
import type { CID } from "multiformats/cid";
import { isIpldMap } from "../nomad/index.js";
import { asMap, bool, cid, list, num, openCheckedShelf, str } from "./checked-shelf.js";
import type { FoldShelf, RememberedFold } from "./target-memo.js";

/**
 * Remembered folds kept on disk, one file each (`checked-shelf.ts`), so that the first review after a
 * restart finds the fold of its target as a warm one does. Nothing read back is used before its bytes
 * hash to the CID in its name, it carries this shelf's mark and format and the very key asked for, and
 * every field has its type; a file that fails any of it (damaged, cut short, foreign, of another
 * version, too large) is deleted and the fold is made again. Bounded in bytes: the oldest files go first.
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

export async function openFoldShelf(dir: string, options: FoldShelfOptions): Promise<FoldShelfHandle> {
  const shelf = await openCheckedShelf<RememberedFold>(dir, {
    ...options,
    suffix: "fold",
    what: "remembered fold",
    encode: (fold) => dagCbor.encode(encodeFold(fold)),
    decode: decodeFold,
  });
  return {
    get: (key) => shelf.get(key),
    put: (fold) => shelf.put(fold.key, fold),
    flush: () => shelf.flush(),
    stats: () => {
      const { items, ...rest } = shelf.stats();
      return { folds: items, ...rest };
    },
  };
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
      Skipped: fold.rejectedHistory.skipped,
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
    // A file written before this count was kept has none: it is dropped, and the fold made again.
    skipped: num(map.Skipped, "RejectedHistory.Skipped"),
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
