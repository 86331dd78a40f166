import type { CID } from "multiformats/cid";
import { type IpfsStore, MAX_BLOCK_BYTES } from "../ipfs/store.js";
import type { Limiter } from "../nomad/limiter.js";
import { loadEntries } from "../nomad/load-entries.js";
import type { LoadedEntry, NomadModule } from "../nomad/modules/types.js";
import { EMPTY_FILE_CID } from "../patch-request/csharp-compatibility.js";
import type { ProposedEntry } from "../patch-request/proposed-entry.js";
import { ContentUnreachableError } from "./apply-errors.js";
import { linksIn } from "./fetch-referenced.js";
import { isEntryProblem, withOfflineHint } from "./load-patch-request.js";

/**
 * Loads each decoded entry's content block and the value blocks the target's module will
 * read, so the fold can run without I/O, and checks that every further block the content
 * links to (a file's content, an image) can be fetched: an apply would have to fetch and pin
 * it. Content that cannot be fetched is reported on its entry ("content-unreachable"), never
 * silently dropped.
 */
export async function loadProposedContent(
  store: IpfsStore,
  proposed: readonly ProposedEntry[],
  module: NomadModule,
  limit: Limiter,
  options: { readonly timeoutMs?: number } = {},
): Promise<ProposedEntry[]> {
  const fetchBlock = (cid: CID) => store.dagGet(cid);
  return Promise.all(
    proposed.map(async (p): Promise<ProposedEntry> => {
      if (!p.entry || p.problem) return p;
      try {
        const [loaded] = await loadEntries([{ cid: p.cid, entry: p.entry }], module, fetchBlock, limit);
        if (!loaded) return p;
        await checkLinkedReachable(store, loaded, limit, options.timeoutMs);
        return { ...p, loaded };
      } catch (error) {
        if (error instanceof ContentUnreachableError) {
          return { ...p, problem: { code: "content-unreachable", message: error.message } };
        }
        if (!isEntryProblem(error)) throw error;
        return { ...p, problem: { code: "content-unreachable", message: withOfflineHint(error) } };
      }
    }),
  );
}

/** The first block of everything the content links to beyond what was loaded: enough to know it is there. */
async function checkLinkedReachable(
  store: IpfsStore,
  loaded: LoadedEntry,
  limit: Limiter,
  timeoutMs: number | undefined,
): Promise<void> {
  const known = new Set([loaded.entry.content.toString(), ...loaded.linked.keys()]);
  const links = [loaded.content, ...loaded.linked.values()].flatMap((value) => linksIn(value));
  // The empty file's CID names known content, and the C# compatibility check refuses every entry that
  // links it with the reason that matters (C# throws on it); "cannot be fetched" would hide that reason.
  const unknown = [...new Map(links.map((cid) => [cid.toString(), cid])).values()].filter(
    (cid) => !known.has(cid.toString()) && cid.toString() !== EMPTY_FILE_CID,
  );
  await Promise.all(
    unknown.map((cid) =>
      limit(async () => {
        try {
          await store.getBlock(cid, { timeoutMs, maxBytes: MAX_BLOCK_BYTES });
        } catch (error) {
          if (!isEntryProblem(error)) throw error;
          throw new ContentUnreachableError(cid.toString(), error.message, { cause: error });
        }
      }),
    ),
  );
}
