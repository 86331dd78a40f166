import type { CID } from "multiformats/cid";
import { NomadPatchError } from "../errors.js";
import { IpfsTimeoutError, NotFoundError } from "../ipfs/errors.js";
import type { IpfsStore } from "../ipfs/store.js";
import { type IpnsName, parseIpnsName } from "../nomad/ipns-name.js";
import type { Limiter } from "../nomad/limiter.js";
import { decodeEventStreamEntry } from "../nomad/records/event-stream-entry.js";
import { decodePatchRequest, type PatchRequestRecord } from "../patch-request/patch-request-record.js";
import type { ProposedEntry } from "../patch-request/proposed-entry.js";
import { PatchMovedError } from "./apply-errors.js";

export interface LoadedPatchRequest extends PatchRecord {
  /** Entry blocks decoded (content not loaded yet: that needs the target's module). */
  readonly proposed: ProposedEntry[];
}

export interface LoadPatchRequestOptions {
  readonly resolveTimeoutMs?: number;
  readonly maxEntries: number;
  readonly limit: Limiter;
  readonly onProgress?: (message: string) => void;
  /** The approved version: a key that now resolves elsewhere fails with PatchMovedError. */
  readonly expectCid?: string;
}

/** A posted key resolved, and the patch request record it points at (its entries not read yet). */
export interface PatchRecord {
  readonly key: IpnsName;
  /** What the key resolved to: the exact version under review. */
  readonly cid: CID;
  readonly record: PatchRequestRecord;
}

/**
 * Resolves a posted key and reads the patch request behind it (docs/design.md §4, checks 1, 2 and
 * the entry decoding of 4). A key that is not a name, does not resolve, or does not hold a
 * patch request fails with a typed error; an unreadable entry is kept as a problem for
 * validation to report, so one bad entry does not hide the others.
 */
export async function loadPatchRequest(
  store: IpfsStore,
  rawKey: string,
  options: LoadPatchRequestOptions,
): Promise<LoadedPatchRequest> {
  return loadPatchEntries(store, await readPatchRecord(store, rawKey, options), options);
}

/**
 * The first half of `loadPatchRequest`: the key resolved and the record read, one block, which names
 * the target, so a review can start on the target while the patch's entries are read.
 */
export async function readPatchRecord(
  store: IpfsStore,
  rawKey: string,
  options: Pick<LoadPatchRequestOptions, "resolveTimeoutMs" | "onProgress" | "expectCid">,
): Promise<PatchRecord> {
  const key = parseIpnsName(rawKey, "patch request key");
  options.onProgress?.(`resolving ${key}…`);
  // Always ask the network: the approval must bind to what the key points at now, not to a cached answer.
  const cid = await store.resolveName(key, { timeoutMs: options.resolveTimeoutMs, nocache: true });
  if (!cid) {
    throw new NotFoundError(
      `The patch request key ${key} does not resolve: it was never published, or no node that has it is online`,
    );
  }
  if (options.expectCid !== undefined && cid.toString() !== options.expectCid) {
    throw new PatchMovedError(key, options.expectCid, cid.toString());
  }
  options.onProgress?.(`reading patch request ${cid}…`);
  const record = decodePatchRequest(await store.dagGet(cid).catch(contributorOffline), cid.toString());
  return { key, cid, record };
}

/** The second half of `loadPatchRequest`: the record's entries, read and decoded. */
export async function loadPatchEntries(
  store: IpfsStore,
  { key, cid, record }: PatchRecord,
  options: Pick<LoadPatchRequestOptions, "maxEntries" | "limit" | "onProgress">,
): Promise<LoadedPatchRequest> {
  // Over the limit: validation refuses it, and nothing more is fetched.
  if (record.entries.length > options.maxEntries) return { key, cid, record, proposed: [] };
  // Its entries and their content in one request, when this node already has them.
  await store.prefetchDag(cid);
  options.onProgress?.(`reading ${record.entries.length} proposed entries…`);
  const proposed = await Promise.all(
    record.entries.map((entryCid, index) =>
      options.limit(async (): Promise<ProposedEntry> => {
        try {
          const entry = decodeEventStreamEntry(await store.dagGet(entryCid), entryCid.toString());
          return { index, cid: entryCid, entry };
        } catch (error) {
          if (!isEntryProblem(error)) throw error;
          return {
            index,
            cid: entryCid,
            problem: { code: "entry-unreadable", message: withOfflineHint(error) },
          };
        }
      }),
    ),
  );
  return { key, cid, record, proposed };
}

/** What a reader can do when a patch's blocks do not arrive: they live on the node that proposed it. */
export const CONTRIBUTOR_OFFLINE =
  "the contributor's node is probably offline: a patch request's blocks live on the node that proposed it until the operator fetches them; ask the contributor to keep it online, then try again";

function contributorOffline(error: unknown): never {
  if (error instanceof IpfsTimeoutError)
    throw new IpfsTimeoutError(error.operation, error.timeoutMs, { cause: error, hint: CONTRIBUTOR_OFFLINE });
  throw error;
}

/** An entry's problem message, with the likely reason when its block did not arrive in time. */
export function withOfflineHint(error: NomadPatchError): string {
  return error instanceof IpfsTimeoutError ? `${error.message} (${CONTRIBUTOR_OFFLINE})` : error.message;
}

/**
 * Failures that belong to one entry (bad block, unreachable, not found) are reported on
 * that entry; anything else (Kubo down, a limit reached) stops the whole review.
 */
export function isEntryProblem(error: unknown): error is NomadPatchError {
  return (
    error instanceof NomadPatchError &&
    ["DECODE", "TIMEOUT", "NOT_FOUND", "INVALID_REFERENCE"].includes(error.code)
  );
}
