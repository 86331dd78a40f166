import { CID } from "multiformats/cid";
import { LimitExceededError, NomadPatchError } from "../errors.js";
import type { IpfsStore } from "../ipfs/store.js";
import { ContentUnreachableError } from "./apply-errors.js";
import { withByteBudget } from "./byte-budget-store.js";

const DAG_PB = 0x70;
const DAG_CBOR = 0x71;
const DAG_JSON = 0x0129;

export interface FetchBounds {
  /** Most bytes fetched in all (blocks and file contents). */
  readonly maxBytes: number;
  /** Most time for the whole fetch and the pins. */
  readonly timeoutMs: number;
  /** Most blocks visited, whatever their size. */
  readonly maxBlocks?: number;
}

/**
 * Before an apply publishes anything: fetch everything under `roots` (the entries it writes), that is
 * each entry, its content, the blocks that content links to and the files it points at, within a byte
 * budget and one deadline, then pin `pinRoots` (by default the roots) recursively, each a DAG over the
 * roots. The pins then find every block on this node, so they are bounded by the same bytes. Content that cannot be fetched throws ContentUnreachableError.
 */
export async function fetchAndPinReferenced(
  store: IpfsStore,
  roots: readonly CID[],
  bounds: FetchBounds,
  pinRoots: readonly CID[] = roots,
): Promise<{ bytes: number; blocks: number }> {
  const budgeted = withByteBudget(store, bounds.maxBytes);
  const deadline = Date.now() + bounds.timeoutMs;
  const maxBlocks = bounds.maxBlocks ?? 100_000;
  const left = (cid: CID) => {
    const ms = deadline - Date.now();
    if (ms <= 0)
      throw new ContentUnreachableError(cid.toString(), `not all fetched within ${bounds.timeoutMs} ms`);
    return ms;
  };
  const seen = new Set<string>();
  const queue = [...roots];
  for (let cid = queue.shift(); cid; cid = queue.shift()) {
    const key = cid.toString();
    if (seen.has(key)) continue;
    seen.add(key);
    if (seen.size > maxBlocks) {
      throw new LimitExceededError(
        `The patch references more than ${maxBlocks} blocks; nothing was published`,
      );
    }
    try {
      if (cid.code === DAG_PB) {
        // A UnixFS file: reading it whole fetches every block under it, counted against the budget.
        await budgeted.catFile(cid, { timeoutMs: left(cid) });
      } else if (cid.code === DAG_CBOR || cid.code === DAG_JSON) {
        queue.push(...linksIn(await budgeted.dagGet(cid, { timeoutMs: left(cid) })));
      } else {
        await budgeted.getBlock(cid, { timeoutMs: left(cid) });
      }
    } catch (error) {
      throw unreachable(cid, error);
    }
  }
  for (const root of pinRoots) {
    try {
      await store.pin(root, { timeoutMs: left(root) });
    } catch (error) {
      throw unreachable(root, error);
    }
  }
  return { bytes: budgeted.bytesRead(), blocks: seen.size };
}

/** A block that cannot be had (offline, missing, not what its CID says) makes the content unreachable. */
function unreachable(cid: CID, error: unknown): unknown {
  const lost = ["TIMEOUT", "NOT_FOUND", "DECODE", "INVALID_REFERENCE"];
  if (error instanceof NomadPatchError && lost.includes(error.code)) {
    return new ContentUnreachableError(cid.toString(), error.message, { cause: error });
  }
  return error;
}

/** Every CID a decoded DAG-CBOR / DAG-JSON value links to, in document order. */
export function linksIn(value: unknown, out: CID[] = [], depth = 0): CID[] {
  // Most of a decoded block is strings and numbers: they are passed over before any CID test (a prefetch
  // checks every block it keeps this way).
  if (value === null || typeof value !== "object") return out;
  const cid = CID.asCID(value);
  if (cid) {
    out.push(cid);
    return out;
  }
  if (depth > 64 || value instanceof Uint8Array) return out;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) linksIn(value[i], out, depth + 1);
    return out;
  }
  for (const item of Object.values(value)) linksIn(item, out, depth + 1);
  return out;
}
