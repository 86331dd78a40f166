import { CID } from "multiformats/cid";
import type { IpldMap, IpnsName, Ticks, VisitedSource } from "../nomad/index.js";
import type { EventStreamSize } from "../nomad/records/event-stream-size.js";
import type { RejectedHistory, UnreachableSource } from "../patch-request/change-model.js";

/**
 * What a review learned about a target from its crawl and fold, kept so that the next review of the
 * same data does not crawl and fold 10,000 entries again. It is found by a key naming everything the
 * crawl started from (the published CID among it) and is used only once every source it visited
 * resolves to the same stream CID again: the crawl reads nothing but those streams and the immutable
 * blocks under them, so the same CIDs give the same entries, the same fold and the same state.
 */
export interface RememberedFold {
  readonly key: string;
  /** Every source the crawl resolved, in crawl order, with the stream it resolved to then. */
  readonly visited: readonly VisitedSource[];
  readonly sources: readonly IpnsName[];
  readonly unreachable: readonly UnreachableSource[];
  readonly state: IpldMap;
  readonly foldedCid: CID;
  /** The state's encoded size: what its memory is estimated from. */
  readonly stateBytes: number;
  readonly matchesPublished: boolean | undefined;
  /** The crawl's and the fold's warnings (not those of resolving the roaming value, which are redone). */
  readonly warnings: readonly string[];
  readonly entryCount: number;
  /** History entries every C# device throws on, named in each review. */
  readonly rejectedHistory: RejectedHistory;
  /** The latest entry's time: a review dated before it would leave that entry out, so it cannot use this. */
  readonly newestTicks: Ticks;
  /** This node's own stream among the visited ones, measured: how large an apply would make it. */
  readonly ownStream: EventStreamSize | undefined;
  /** The distinct block bytes the crawl read: a review using this is charged as much against its budget. */
  readonly bytesRead: number;
}

/** Where remembered folds are kept across restarts (`openFoldShelf`). */
export interface FoldShelf {
  get(key: string): Promise<RememberedFold | undefined>;
  put(fold: RememberedFold): void;
}

export interface TargetMemo {
  get(key: string): Promise<RememberedFold | undefined>;
  set(fold: RememberedFold): void;
  stats(): { readonly folds: number; readonly bytes: number };
}

export const DEFAULT_TARGET_MEMO_BYTES = 32 * 1024 * 1024;

/** A decoded state takes several times its encoded size in the heap (as block-lru.ts estimates). */
const DECODED_FACTOR = 5;
const PER_SOURCE = 300;

/** The memory a remembered fold holds, estimated. */
export function foldCost(fold: RememberedFold): number {
  const warnings = fold.warnings.reduce((n, w) => n + 2 * w.length, 0);
  return (
    fold.stateBytes * DECODED_FACTOR + (fold.visited.length + fold.sources.length) * PER_SOURCE + warnings
  );
}

/**
 * Freezes a remembered fold and everything in it, once, as it is kept: every review that finds it reads
 * these same objects, so one that changed them (a bug, a library caller) would change what every later
 * review shows and applies. Frozen, such a change throws where it is made (ESM is strict mode) instead.
 * A CID is left as it is (immutable by contract, and its cached strings are set lazily), and so are byte
 * arrays, which JavaScript cannot freeze; the walk stops at objects already frozen, so a fold read back
 * again is not walked twice.
 */
function freezeDeep(value: unknown): void {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const next = pending.pop();
    if (typeof next !== "object" || next === null || Object.isFrozen(next)) continue;
    if (ArrayBuffer.isView(next) || CID.asCID(next) !== null) continue;
    Object.freeze(next);
    for (const child of Object.values(next)) if (typeof child === "object") pending.push(child);
  }
}

/**
 * Remembered folds in memory, least recently used out first, bounded by their estimated size; a fold
 * larger than the whole bound is not kept. Behind it, optionally, the shelf on disk: read when memory
 * misses, written whenever a fold is remembered. What it keeps is frozen as it is kept (`freezeDeep`).
 */
export function createTargetMemo(options: {
  readonly maxBytes: number;
  readonly shelf?: FoldShelf;
}): TargetMemo {
  const folds = new Map<string, { readonly fold: RememberedFold; readonly cost: number }>();
  let total = 0;

  const keep = (fold: RememberedFold) => {
    freezeDeep(fold);
    const cost = foldCost(fold);
    const old = folds.get(fold.key);
    if (old) {
      total -= old.cost;
      folds.delete(fold.key);
    }
    if (cost > options.maxBytes) return;
    folds.set(fold.key, { fold, cost });
    total += cost;
    while (total > options.maxBytes) {
      const [oldest, held] = folds.entries().next().value as [string, { cost: number }];
      total -= held.cost;
      folds.delete(oldest);
    }
  };

  return {
    async get(key) {
      const held = folds.get(key);
      if (held) {
        folds.delete(key);
        folds.set(key, held);
        return held.fold;
      }
      const shelved = await options.shelf?.get(key);
      if (shelved) keep(shelved);
      return shelved;
    },
    set(fold) {
      keep(fold);
      options.shelf?.put(fold);
    },
    stats: () => ({ folds: folds.size, bytes: total }),
  };
}
