import type { CID } from "multiformats/cid";
import type { IpldValue } from "./ipld.js";
import { type Limiter, mapInWindow } from "./limiter.js";
import type { LoadedEntry, NomadModule } from "./modules/types.js";
import type { EventStreamEntry } from "./records/event-stream-entry.js";

export interface EntryToLoad {
  readonly cid: CID;
  readonly entry: EventStreamEntry;
  readonly source?: string;
}

/**
 * Fetch each entry's content block and the further blocks its module asks for, so the fold can run
 * synchronously. Content the module cannot read asks for nothing more; the reducer will report it.
 */
export async function loadEntries(
  entries: readonly EntryToLoad[],
  module: NomadModule,
  fetchBlock: (cid: CID) => Promise<unknown>,
  limit: Limiter,
): Promise<LoadedEntry[]> {
  return mapInWindow(entries, async (item) => {
    const content = (await limit(() => fetchBlock(item.entry.content))) as IpldValue;
    let links: CID[] = [];
    try {
      links = module.linksToLoad(item.entry, content);
    } catch {
      links = [];
    }
    const fetched = await Promise.all(links.map((cid) => limit(() => fetchBlock(cid))));
    const linked = new Map<string, IpldValue>(
      links.map((cid, i) => [cid.toString(), fetched[i] as IpldValue]),
    );
    return { ...item, content, linked };
  });
}
