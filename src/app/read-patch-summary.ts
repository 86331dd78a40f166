import { CID } from "multiformats/cid";
import type { IpfsStore } from "../ipfs/store.js";
import { createLimiter, decodeEventStreamEntry } from "../nomad/index.js";
import { decodePatchRequest } from "../patch-request/patch-request-record.js";
import type { PatchEntrySummary } from "../policy/index.js";

export interface PatchSummaryRead {
  readonly target: string;
  readonly title: string;
  readonly description: string;
  /**
   * Each entry's ids and Content CID; an entry over `maxEntries` is not read (the count alone refuses the
   * patch) and has empty ids.
   */
  readonly entries: readonly (PatchEntrySummary & { readonly content: string })[];
}

/**
 * What the rules look at in one approved version (its target and each entry's EventId and TargetId), and
 * what the revision list compares (its title, description and each entry's content), read by the patch
 * CID (immutable, so no key is resolved). Blocks are bounded by the store's own time and
 * size limits; at most `maxEntries` entries are fetched, a few at a time.
 */
export async function readPatchSummary(
  store: IpfsStore,
  cid: string,
  options: { readonly maxEntries: number; readonly timeoutMs?: number },
): Promise<PatchSummaryRead> {
  const read = { timeoutMs: options.timeoutMs };
  const record = decodePatchRequest(await store.dagGet(CID.parse(cid), read), cid);
  const limit = createLimiter(8);
  const entries = await Promise.all(
    record.entries.map((entryCid, index) => {
      // Past the limit, the patch is refused for its size before any entry is judged.
      if (index >= options.maxEntries) return { index, eventId: "", targetId: "", content: "" };
      return limit(async () => {
        const entry = decodeEventStreamEntry(await store.dagGet(entryCid, read), entryCid.toString());
        return {
          index,
          eventId: entry.eventId,
          targetId: entry.targetId,
          content: entry.content.toString(),
        };
      });
    }),
  );
  return { target: record.target, title: record.title, description: record.description, entries };
}
