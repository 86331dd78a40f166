import type { CID } from "multiformats/cid";
import type { IpfsStore } from "../ipfs/store.js";
import type { Limiter } from "../nomad/limiter.js";
import { loadEntries } from "../nomad/load-entries.js";
import type { NomadModule } from "../nomad/modules/types.js";
import type { ProposedEntry } from "../patch-request/proposed-entry.js";
import { isEntryProblem, withOfflineHint } from "./load-patch-request.js";

/**
 * Loads each decoded entry's content block and the value blocks the target's module will
 * read, so the fold can run without I/O. Content that cannot be fetched is reported on
 * its entry ("content-unreachable"), never silently dropped.
 */
export async function loadProposedContent(
  store: IpfsStore,
  proposed: readonly ProposedEntry[],
  module: NomadModule,
  limit: Limiter,
): Promise<ProposedEntry[]> {
  const fetchBlock = (cid: CID) => store.dagGet(cid);
  return Promise.all(
    proposed.map(async (p): Promise<ProposedEntry> => {
      if (!p.entry || p.problem) return p;
      try {
        const [loaded] = await loadEntries([{ cid: p.cid, entry: p.entry }], module, fetchBlock, limit);
        return { ...p, loaded };
      } catch (error) {
        if (!isEntryProblem(error)) throw error;
        return { ...p, problem: { code: "content-unreachable", message: withOfflineHint(error) } };
      }
    }),
  );
}
