import { CID } from "multiformats/cid";
import { InternalError, NomadPatchError, PolicyRefusal } from "../errors.js";
import type { Block } from "../ipfs/car.js";
import type { IpfsStore } from "../ipfs/store.js";
import {
  encodeBlock,
  encodeEventStream,
  encodeEventStreamEntry,
  formatTimestamp,
  type IpldMap,
  type IpnsName,
  MAX_BLOCK_BYTES,
  parseIpnsName,
  parseTimestamp,
  type Ticks,
  ticksFromMilliseconds,
} from "../nomad/index.js";
import type { ApplyOutcome } from "../patch-request/apply-outcome.js";
import { hasConflicts, type PatchReview } from "../patch-request/change-model.js";
import { decodePatchRequest } from "../patch-request/patch-request-record.js";
import {
  BlockTooLargeError,
  ConflictError,
  ReadOnlyTargetError,
  SourceUnreachableError,
  TargetMovedError,
  UnfinishedApplyError,
} from "./apply-errors.js";
import {
  type ApplyJournal,
  isClosedUnpublished,
  type JournalIssue,
  type JournalRecord,
  type PlannedEntry,
} from "./apply-journal.js";
import { fetchAndPinReferenced } from "./fetch-referenced.js";
import { findDeviceKeys } from "./find-device-keys.js";
import { readKnownSources } from "./known-sources.js";
import { loadTarget } from "./load-target.js";
import { readOwnStream } from "./own-stream.js";
import { type ReviewedPatch, type ReviewLimits, reviewPatch, type TargetSetting } from "./review-patch.js";
import { throwIfBlocked } from "./throw-if-blocked.js";

export interface ApplyPatchDeps {
  readonly store: IpfsStore;
  readonly journal: ApplyJournal;
}

export interface ApplyPatchInput {
  readonly key: string;
  /** The patch CID the approver saw (the review's `patch.cid`). */
  readonly expectPatchCid: string;
  /** The result the approver saw (the review's `predictedResultCid`). */
  readonly expectResultCid: string;
  readonly targets?: readonly TargetSetting[];
  readonly limits: ReviewLimits;
  /** The data directory, where pairing records the target's other devices (`readKnownSources`, known-sources.json). */
  readonly dataDir?: string;
  /** Accept a divergent publish whatever the target's setting says (the CLI's flag). */
  readonly allowDivergentPublish?: boolean;
  /** Apply even though what the patch writes changed after its base (an admin, or the CLI's flag). */
  readonly overrideConflicts?: boolean;
  readonly now?: () => Date;
  /** Who approved, kept in the plan's journal record (`JournalRecord.approvedBy`). */
  readonly approvedBy?: string;
  /** The GitHub issue whose approval this is, kept in the plan's journal record (`JournalRecord.issue`). */
  readonly issue?: JournalIssue;
  /** When the approval was given, by GitHub's clock, kept in the plan's record (`JournalRecord.approvedAt`). */
  readonly approvedAt?: string;
  /** Fault injection for tests: called between publishing the local stream and the roaming value. */
  readonly afterLocalPublish?: () => void | Promise<void>;
}

/**
 * docs/design.md §6, as one of the operator's devices. An approval means exactly the state the
 * approver saw, and an apply never writes twice:
 * 1. with the target locked (in this process and across processes), look the patch CID up
 *    in the journal: done → "already applied"; half done → finish it (no re-checks, the
 *    entries are already out);
 * 2. otherwise review the approved version again: the key must still resolve to it, nothing
 *    may refuse it, this node must be a device of the target, every known source must be
 *    readable, the publish may change nothing the patch does not (unless the target allows
 *    it), nothing it writes may have changed since its base (unless overridden), and folding must
 *    still give the approved result;
 * 3. plan: fresh, strictly increasing timestamps above every entry of the target, entry
 *    blocks rebuilt byte for byte from the journal if needed; record the plan;
 * 4. before publishing anything: write the entries and the bot's stream with them appended in one
 *    import (unless a crash left them there), fold all sources with it (all readable, or nothing is published), check the roaming value fits a block, fetch
 *    everything the entries reference, bounded by bytes and time, and pin the stream over it all; a refusal or
 *    a failed write here records `failed` when the stream is known not to hold the entries (nothing was
 *    published, the next approval plans again), `local-published` when it holds them already;
 * 5. publish the local key; record it; put and publish the roaming value, then pin it; record the outcome.
 */
export async function applyPatch(deps: ApplyPatchDeps, input: ApplyPatchInput): Promise<ApplyOutcome> {
  const patchCid = CID.parse(input.expectPatchCid);
  // The approved version is immutable: its target is known without resolving the key.
  const targetId =
    (await deps.journal.get(patchCid.toString()))?.targetId ??
    decodePatchRequest(await deps.store.dagGet(patchCid), patchCid.toString()).target;
  return deps.journal.exclusive(targetId, async () => {
    const known = await deps.journal.get(patchCid.toString());
    // A failed or held apply published nothing: it starts over from a fresh review, like a first approval.
    if (known && !isClosedUnpublished(known.state)) return complete(deps, known, input, { fresh: false });
    await throwIfAnotherUnfinished(deps.journal, targetId, patchCid.toString());
    const planned = await plan(deps, input);
    const outcome = await complete(deps, planned.record, input, { fresh: true });
    // Said in the outcome: whoever reads it must learn that later changes were replaced on purpose.
    return planned.overriddenConflicts.length > 0 && outcome.status === "applied"
      ? { ...outcome, overriddenConflicts: planned.overriddenConflicts }
      : outcome;
  });
}

/** What became of an unfinished apply resumed under a hold or a rejection (`closeUnpublished`). */
export type HeldApply =
  /** Nothing of it was published: the journal closed it as `held` or `rejected`. */
  | { readonly held: true }
  /** The bot's stream holds its entries (or it was past that): it must be finished. */
  | { readonly held: false; readonly state: JournalRecord["state"] };

/** How a begun apply with nothing published is closed: under a hold, or under a rejection given at `at`. */
export type UnpublishedClose =
  | { readonly state: "held" }
  | { readonly state: "rejected"; readonly at: string };

/**
 * Closes the apply of `patchCid` as `held` or `rejected` when nothing of it was published: it is `planned` and
 * the event stream the bot's local key publishes now holds none of its entries (a stop before the local
 * publish). A `planned` apply whose stream holds them (a stop after the publish and before the journal
 * recorded it) is recorded `local-published`, as resuming it would, and is not closed (nor is one whose
 * stream holds some): the target's devices already fold its entries, and only finishing it makes the roaming
 * value agree. A record closed already the same way answers as closed (a replay). With the target locked, as
 * an apply is: no apply of the target runs meanwhile, in this process or another. A stream that cannot be
 * read throws, and the record stays as it was.
 */
export async function closeUnpublished(
  deps: ApplyPatchDeps,
  patchCid: string,
  close: UnpublishedClose,
): Promise<HeldApply> {
  const first = await deps.journal.get(patchCid);
  if (!first) throw new InternalError(`no apply of ${patchCid} in the journal`);
  return deps.journal.exclusive(first.targetId, async () => {
    const record = (await deps.journal.get(patchCid)) ?? first;
    if (record.state === close.state) return { held: true };
    if (record.state !== "planned") return { held: false, state: record.state };
    const keys = await findDeviceKeys(deps.store, record.targetId);
    const { cid: streamCid, stream } = await readOwnStream(
      deps.store,
      record.targetId,
      parseIpnsName(keys.local.id),
    );
    const present = new Set(stream.entries.map((c) => c.toString()));
    const out = record.entries.filter((entry) => present.has(entry.cid)).length;
    if (out > 0 && out === record.entries.length) {
      const published = { ...record, state: "local-published" as const, streamCid: streamCid.toString() };
      await deps.journal.put({ ...published, updatedAt: now() });
      return { held: false, state: "local-published" };
    }
    // Some out and some not is no stream this app writes (one import, one publish); resuming appends the rest.
    if (out > 0) return { held: false, state: "planned" };
    const closed =
      close.state === "held"
        ? { ...record, state: "held" as const }
        : { ...record, state: "rejected" as const, rejectedAt: close.at };
    await deps.journal.put({ ...closed, updatedAt: now() });
    return { held: true };
  });
}

/**
 * A new plan goes on top of finished applies only. Another patch's unfinished apply may have its entries in
 * the bot's stream already: planned on top of it, this patch would publish those entries too (unreviewed
 * here: the review would report the difference as a divergent publish, without saying why), and the other
 * patch, finished later, would put its entries under this one's with timestamps from before them.
 */
async function throwIfAnotherUnfinished(journal: ApplyJournal, targetId: string, patchCid: string) {
  const others = (await journal.unfinished(targetId)).filter((r) => r.patchCid !== patchCid);
  if (others.length > 0) throw new UnfinishedApplyError(targetId, others);
}

async function reviewApproved(deps: ApplyPatchDeps, input: ApplyPatchInput): Promise<ReviewedPatch> {
  const reviewed = await reviewPatch(deps, {
    key: input.key,
    expectPatchCid: input.expectPatchCid,
    targets: input.targets,
    limits: input.limits,
    dataDir: input.dataDir,
    allowDivergentPublish: input.allowDivergentPublish,
    now: input.now?.(),
  });
  const { review } = reviewed;
  if (review.refusals.length > 0) {
    throw new PolicyRefusal(
      `The patch is refused:\n${review.refusals.map((r) => `- ${r.message}`).join("\n")}`,
    );
  }
  if (!review.target.canApply) throw new ReadOnlyTargetError(review.target.id);
  throwIfBlocked(review);
  throwIfConflicted(review, input.overrideConflicts === true);
  if (review.predictedResultCid !== input.expectResultCid) {
    throw new TargetMovedError(review.target.id, input.expectResultCid, review.predictedResultCid);
  }
  return reviewed;
}

/** A lost update is applied only on purpose (docs/decisions.md): the CLI checks it before asking too. */
export function throwIfConflicted(review: PatchReview, override: boolean): void {
  if (override || !hasConflicts(review)) return;
  throw new ConflictError(review.patch.key, review.conflicts?.conflicts.map((c) => c.path) ?? []);
}

async function plan(
  deps: ApplyPatchDeps,
  input: ApplyPatchInput,
): Promise<{ readonly record: JournalRecord; readonly overriddenConflicts: readonly string[] }> {
  const { patch, target, review } = await reviewApproved(deps, input);
  const keys = await findDeviceKeys(deps.store, target.targetId);
  // Above every entry the target has, so the patch lands on top of the state the diff showed.
  const newest = target.newestTicks;
  const clock = ticksFromMilliseconds((input.now?.() ?? new Date()).getTime());
  let ticks = clock > newest ? clock : newest + 1n;
  const entries: PlannedEntry[] = [];
  for (const proposed of patch.proposed) {
    if (!proposed.entry) continue; // validation already refused unreadable entries
    const planned = {
      targetId: proposed.entry.targetId,
      eventId: proposed.entry.eventId,
      contentCid: proposed.entry.content.toString(),
      timestampUtc: formatTimestamp(ticks),
    };
    ticks += 1n;
    entries.push({ ...planned, cid: (await encodeBlock(entryBlock(planned))).cid.toString() });
  }
  const record: JournalRecord = {
    version: 1,
    patchKey: patch.key,
    patchCid: patch.cid.toString(),
    targetId: target.targetId,
    expectResultCid: input.expectResultCid,
    localKeyName: keys.local.name,
    roamingKeyName: keys.roaming.name,
    state: "planned",
    entries,
    ...(input.approvedBy === undefined ? {} : { approvedBy: input.approvedBy }),
    ...(input.approvedAt === undefined ? {} : { approvedAt: input.approvedAt }),
    ...(input.issue === undefined ? {} : { issue: { ...input.issue } }),
    updatedAt: new Date().toISOString(),
  };
  await deps.journal.put(record);
  const overriddenConflicts = hasConflicts(review)
    ? (review.conflicts?.conflicts.map((conflict) => conflict.path) ?? [])
    : [];
  return { record, overriddenConflicts };
}

function entryBlock(entry: Omit<PlannedEntry, "cid">) {
  return encodeEventStreamEntry({
    targetId: entry.targetId,
    eventId: entry.eventId,
    timestampUtc: entry.timestampUtc,
    content: CID.parse(entry.contentCid),
  });
}

async function complete(
  deps: ApplyPatchDeps,
  start: JournalRecord,
  input: ApplyPatchInput,
  /** The plan was made by this very call: nothing of it can have been published by an earlier run. */
  { fresh }: { readonly fresh: boolean },
): Promise<ApplyOutcome> {
  const { store, journal } = deps;
  if (start.state === "done" && start.outcome) return { ...start.outcome, status: "already-applied" };
  let record = start;
  const keys = await findDeviceKeys(store, record.targetId);
  const localId = parseIpnsName(keys.local.id);

  if (record.state === "planned") {
    let staged: StagedStream | undefined;
    try {
      staged = await stageLocalStream(store, record, localId);
      if (!staged.alreadyPublished) await writeStagedStream(store, staged);
      // Everything is checked and fetched before the first publish, so a refusal leaves nothing out.
      await foldResult(store, record, input, localId, staged.streamCid);
      // One recursive pin of the stream keeps the entries and everything they reference.
      await fetchAndPinReferenced(
        store,
        record.entries.map((e) => CID.parse(e.cid)),
        { maxBytes: input.limits.maxBytes, timeoutMs: input.limits.resolveTimeoutMs ?? 60_000 },
        [staged.streamCid],
      );
    } catch (error) {
      // The record says what is known. Only when the stream is known not to hold the entries (read and
      // found without them, or a plan of this call) may the next approval plan again: `failed`. A resumed
      // plan whose stream could not be read may have been published before a crash: it stays `planned`,
      // and approving it again finishes it.
      const failed = staged?.alreadyPublished
        ? { ...record, state: "local-published" as const, streamCid: staged.streamCid.toString() }
        : staged || fresh
          ? { ...record, state: "failed" as const, ...failureOf(error) }
          : undefined;
      if (failed) await journal.put({ ...failed, updatedAt: now() });
      throw error;
    }
    if (!staged.alreadyPublished) {
      await store.publishName(keys.local.name, staged.streamCid, { lifetime: "24h" });
    }
    record = {
      ...record,
      state: "local-published",
      streamCid: staged.streamCid.toString(),
      updatedAt: now(),
    };
    await journal.put(record);
  }
  await input.afterLocalPublish?.();

  const streamCid = CID.parse(record.streamCid as string);
  // Folded again: a device lost since the check holds the roaming value back instead of being dropped.
  let roaming = await foldResult(store, record, input, localId, streamCid);
  let roamingCid: CID;
  for (let round = 0; ; round++) {
    // Pinned once published, not before: a publish that fails, then a retry that folds another value (a
    // device changed meanwhile), would leave a pin of a value never published, which nothing takes back.
    roamingCid = await store.dagPut(roaming.value);
    // Every device of the owner publishes under the roaming key, each node numbering its own records: the
    // value goes out numbered above the network's best, or a device that published more often would win.
    await store.publishName(keys.roaming.name, roamingCid, { lifetime: "24h", sharedName: keys.roaming.id });
    // A device that published its stream between the fold and this publish is missing from the value just
    // published, which outranks the device's own: fold and publish again (a bounded number of times).
    if (round >= MAX_REFOLDS || !(await streamsMoved(store, roaming.streams, input))) break;
    const again = await foldResult(store, record, input, localId, streamCid).catch((error: unknown) => {
      // A device gone since: the value published was folded with it, and stands.
      if (error instanceof SourceUnreachableError) return undefined;
      throw error;
    });
    if (again === undefined) break;
    roaming = again;
  }
  // The same put again, pinning: the pin Kubo takes for a put, without fetching what the value links to.
  await store.dagPut(roaming.value, { pin: true });

  const outcome: ApplyOutcome = {
    status: "applied",
    patchKey: record.patchKey,
    patchCid: record.patchCid,
    targetId: record.targetId,
    roamingCid: roamingCid.toString(),
    localStreamCid: streamCid.toString(),
    localKey: keys.local.id,
    entryCids: record.entries.map((e) => e.cid),
    appliedAt: now(),
  };
  await journal.put({ ...record, state: "done", outcome, updatedAt: now() });
  return outcome;
}

/** What the journal keeps of a failed apply's error: enough to say it again as it was said live. */
function failureOf(error: unknown): Pick<JournalRecord, "failure" | "failureCode" | "failureHint"> {
  const message = error instanceof Error ? error.message : String(error);
  if (!(error instanceof NomadPatchError)) return { failure: message };
  return {
    failure: message,
    failureCode: error.code,
    ...(error.hint === undefined ? {} : { failureHint: error.hint }),
  };
}

type EncodedBlock = { readonly value: IpldMap; readonly bytes: number };

/** How many times an apply folds and publishes again when a device published while it did (see `streamsMoved`). */
const MAX_REFOLDS = 2;

/**
 * Whether any source's stream now resolves to another CID than the fold read: a device published while the
 * apply folded and published. A source that does not resolve now counts as unmoved (what it had is in the
 * fold). One resolve per source, as the crawl made.
 */
async function streamsMoved(
  store: IpfsStore,
  streams: ReadonlyMap<string, string>,
  input: ApplyPatchInput,
): Promise<boolean> {
  const resolved = await Promise.all(
    [...streams].map(async ([source, cid]) => {
      const now = await store.resolveName(source, {
        nocache: true,
        timeoutMs: input.limits.resolveTimeoutMs ?? 60_000,
      });
      return now !== undefined && now.toString() !== cid;
    }),
  );
  return resolved.some(Boolean);
}

interface FoldedRoaming extends EncodedBlock {
  /** The stream CID the fold read for each source it resolved. */
  readonly streams: ReadonlyMap<string, string>;
}

/** The roaming value the apply publishes: every source folded with the bot's stream as staged. */
async function foldResult(
  store: IpfsStore,
  record: JournalRecord,
  input: ApplyPatchInput,
  localId: IpnsName,
  streamCid: CID,
): Promise<FoldedRoaming> {
  const target = await loadTarget(
    { store },
    {
      target: record.targetId,
      module: moduleOf(input, record.targetId),
      sources: input.targets?.find((t) => parseIpnsName(t.id) === record.targetId)?.sources,
      pairedSources: input.dataDir ? await readKnownSources(input.dataDir, record.targetId) : undefined,
      knownStreams: new Map([[localId, streamCid]]),
      now: maxTicks(record),
      foldLimits: input.limits.fold,
    },
  );
  // A device lost since the review: the roaming value waits (before the local publish, nothing goes out;
  // after it, the journal resumes here on a retry).
  if (target.unreachable.length > 0) throw new SourceUnreachableError(record.targetId, target.unreachable);
  const { bytes } = await encodeBlock(target.state);
  if (bytes.byteLength > MAX_BLOCK_BYTES) {
    throw new BlockTooLargeError("The target's new roaming value", bytes.byteLength, MAX_BLOCK_BYTES);
  }
  const streams = new Map<string, string>();
  for (const visited of target.visited) {
    if (visited.streamCid) streams.set(visited.source, visited.streamCid.toString());
  }
  return { value: target.state, bytes: bytes.byteLength, streams };
}

interface StagedStream {
  /** The bot's stream holding the entries: the one published now, or the one to import. */
  readonly streamCid: CID;
  /** The stream published now holds them already (a crash after an earlier run's publish). */
  readonly alreadyPublished: boolean;
  /** The entry blocks and the new stream, to import (none when already published). */
  readonly blocks: readonly Block[];
}

/**
 * The entry blocks and the bot's stream with them appended, publishing and writing nothing. A crash after
 * an earlier run's publish left them in the stream already: then that stream is used as it is. The stream
 * appended to is the one the bot's key publishes now; while that does not resolve, nothing is written
 * (`readOwnStream`).
 */
async function stageLocalStream(
  store: IpfsStore,
  record: JournalRecord,
  localId: IpnsName,
): Promise<StagedStream> {
  const blocks = await Promise.all(
    record.entries.map(async (entry) => {
      const block = await encodeBlock(entryBlock(entry));
      if (block.cid.toString() !== entry.cid) {
        throw new InternalError(`entry block ${block.cid} does not match the plan's ${entry.cid}`);
      }
      return block;
    }),
  );
  const { cid: current, stream } = await readOwnStream(store, record.targetId, localId);
  const present = new Set(stream.entries.map((c) => c.toString()));
  const missing = blocks.map((b) => b.cid).filter((c) => !present.has(c.toString()));
  if (missing.length === 0) return { streamCid: current, alreadyPublished: true, blocks: [] };
  const next = await encodeBlock(
    encodeEventStream({ label: stream.label, entries: [...stream.entries, ...missing] }),
  );
  return { streamCid: next.cid, alreadyPublished: false, blocks: [...blocks, next] };
}

/** The staged blocks in one request (a CAR through `dag/import`), unpinned: the pin comes once all is checked. */
async function writeStagedStream(store: IpfsStore, staged: StagedStream): Promise<void> {
  const stream = staged.blocks.at(-1);
  if (stream && stream.bytes.byteLength > MAX_BLOCK_BYTES) {
    throw new BlockTooLargeError("The bot's event stream", stream.bytes.byteLength, MAX_BLOCK_BYTES);
  }
  await store.importBlocks(staged.blocks);
}

function moduleOf(input: ApplyPatchInput, targetId: string): string | undefined {
  const module = input.targets?.find((t) => parseIpnsName(t.id) === targetId)?.module;
  return module === "auto" ? undefined : module;
}

/** "Now" for the fold: never before the entries just written, whatever the clock says. */
function maxTicks(record: JournalRecord): Ticks {
  const clock = ticksFromMilliseconds(Date.now());
  const last = record.entries.at(-1);
  const newest = last ? parseTimestamp(last.timestampUtc) : clock;
  // biome-ignore lint/complexity/useMathMinMax: ticks are bigints, which Math.max does not take
  return newest > clock ? newest : clock;
}

function now(): string {
  return new Date().toISOString();
}
