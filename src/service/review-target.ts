import type { CID } from "multiformats/cid";
import type { IpfsStore } from "../ipfs/store.js";
import {
  createLimiter,
  decodeEventStream,
  encodeBlock,
  type IpnsName,
  type Ticks,
  ticksFromMilliseconds,
} from "../nomad/index.js";
import { type EventStreamSize, measureEventStream } from "../nomad/records/event-stream-size.js";
import type { RejectedHistory } from "../patch-request/change-model.js";
import { rejectedHistory } from "../patch-request/rejected-history.js";
import type { ByteBudgetStore } from "./byte-budget-store.js";
import {
  crawlAndFold,
  defaultCrawlLimits,
  type LoadedTarget,
  type LoadTargetInput,
  startTarget,
  type TargetStart,
} from "./load-target.js";
import type { RememberedFold, TargetMemo } from "./target-memo.js";

/**
 * What a review needs of its target: the loaded target without the entries and steps of its fold (a
 * remembered fold keeps neither), with their count, the latest entry's time and the state's CID.
 */
export interface ReviewedTarget extends Omit<LoadedTarget, "entries" | "steps" | "futureEntries"> {
  readonly entryCount: number;
  /** History entries every C# device throws on (`rejectedHistory`), kept since the entries are not. */
  readonly rejectedHistory: RejectedHistory;
  readonly newestTicks: Ticks;
  readonly foldedCid: CID;
}

/**
 * What a review needs of its target beyond `ReviewedTarget`: this node's own stream measured (how large an
 * apply would make it), remembered with the fold so that no review decodes its links again.
 */
export interface TargetForReview extends ReviewedTarget {
  readonly ownStream: EventStreamSize | undefined;
}

/** The format of the memo's keys: a change to what a fold depends on changes it, and old keys miss. */
const KEY_FORMAT = 2;

/**
 * `loadTarget` for a review, through the memo when there is one:
 * 1. resolve the roaming value and list the node's keys (what the crawl starts from);
 * 2. find a fold remembered for exactly that start, and resolve every source it visited again, together;
 * 3. if each resolves to the stream it did then, and no entry is dated after `now`, that fold is this one:
 *    its bytes are charged to the budget and it is returned without reading a block;
 * 4. otherwise crawl and fold as `loadTarget` does (streams just resolved are not resolved again), and
 *    remember the result when no entry was left out as future.
 */
export async function loadReviewedTarget(
  store: ByteBudgetStore,
  memo: TargetMemo | undefined,
  input: LoadTargetInput,
): Promise<TargetForReview> {
  const begun = await startTarget(store, input);
  if (!memo || input.knownStreams) return summarise(store, await crawlAndFold(store, input, begun));
  const key = memoKey(begun, input);
  const now = input.now ?? ticksFromMilliseconds(Date.now());
  const found = await memo.get(key);
  let resolved: Map<IpnsName, CID> | undefined;
  if (found && found.newestTicks <= now) {
    const check = await resolveAgain(store, begun, found);
    if (check.same && found.bytesRead <= store.bytesLeft()) {
      store.spend(found.bytesRead, `the remembered fold of ${begun.targetId}`);
      return fromMemory(begun, found);
    }
    resolved = check.resolved;
  }
  const before = store.bytesRead();
  const loaded = await crawlAndFold(store, { ...input, knownStreams: resolved }, begun);
  const target = await summarise(store, loaded);
  if (loaded.futureEntries.length === 0) {
    memo.set({
      key,
      visited: target.visited,
      sources: target.sources,
      unreachable: target.unreachable,
      state: target.state,
      foldedCid: target.foldedCid,
      stateBytes: target.stateBytes,
      matchesPublished: target.matchesPublished,
      warnings: target.warnings.slice(begun.warnings.length),
      entryCount: target.entryCount,
      rejectedHistory: target.rejectedHistory,
      newestTicks: target.newestTicks,
      ownStream: target.ownStream,
      bytesRead: store.bytesRead() - before,
    });
  }
  return target;
}

/** Everything the crawl and the fold depend on besides the streams the sources resolve to. */
function memoKey(begun: TargetStart, input: LoadTargetInput): string {
  return JSON.stringify({
    format: KEY_FORMAT,
    target: begun.targetId,
    published: begun.published?.cid.toString() ?? null,
    module: begun.module.name,
    own: begun.own ?? null,
    configured: begun.configured,
    paired: begun.paired,
    start: begun.start,
    limits: { ...defaultCrawlLimits, ...input.limits },
    sourceRemoval: input.sourceRemoval ?? "as-csharp",
    fold: input.foldLimits ?? null,
  });
}

/**
 * The remembered sources resolved again, all at once (the crawl resolves them level by level). If every
 * one resolves as it did, the crawl would visit exactly these: the sources of each level are found in the
 * streams of the level before, which are the same blocks.
 */
async function resolveAgain(
  store: IpfsStore,
  begun: TargetStart,
  found: RememberedFold,
): Promise<{ readonly same: boolean; readonly resolved: Map<IpnsName, CID> }> {
  const limit = createLimiter(8);
  const now = await Promise.all(
    found.visited.map((visit) => limit(() => store.resolveName(visit.source, begun.resolve))),
  );
  const resolved = new Map<IpnsName, CID>();
  let same = true;
  for (const [i, visit] of found.visited.entries()) {
    const cid = now[i];
    if (cid) resolved.set(visit.source, cid);
    if (cid?.toString() !== visit.streamCid?.toString()) same = false;
  }
  return { same, resolved };
}

function fromMemory(begun: TargetStart, fold: RememberedFold): TargetForReview {
  return {
    targetId: begun.targetId,
    module: begun.module,
    published: begun.published,
    state: fold.state,
    sources: [...fold.sources],
    visited: [...fold.visited],
    unreachable: [...fold.unreachable],
    matchesPublished: fold.matchesPublished,
    ownLocalKey: begun.own,
    warnings: [...begun.warnings, ...fold.warnings],
    entryCount: fold.entryCount,
    rejectedHistory: fold.rejectedHistory,
    newestTicks: fold.newestTicks,
    foldedCid: fold.foldedCid,
    ownStream: fold.ownStream,
  };
}

async function summarise(
  store: IpfsStore,
  loaded: LoadedTarget,
): Promise<TargetForReview & { readonly stateBytes: number }> {
  const { entries, steps, futureEntries: _future, ...rest } = loaded;
  // The crawl has just read (and decoded) this node's own stream: measured now, never decoded again.
  const own = loaded.visited.find((v) => v.source === loaded.ownLocalKey)?.streamCid;
  const ownStream = own
    ? measureEventStream(own, decodeEventStream(await store.dagGet(own), own.toString()))
    : undefined;
  const folded = await encodeBlock(loaded.state);
  // biome-ignore lint/complexity/useMathMinMax: ticks are bigints, which Math.max does not take
  const newestTicks = entries.reduce<Ticks>((max, e) => (e.entry.ticks > max ? e.entry.ticks : max), 0n);
  return {
    ...rest,
    entryCount: entries.length,
    rejectedHistory: rejectedHistory(loaded.module, loaded.targetId, entries, steps),
    newestTicks,
    foldedCid: folded.cid,
    stateBytes: folded.bytes.byteLength,
    ownStream,
  };
}
