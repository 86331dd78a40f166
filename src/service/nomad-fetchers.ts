import type { CID } from "multiformats/cid";
import type { IpfsStore, ResolveOptions } from "../ipfs/store.js";
import type { CrawlFetchers, IpnsName } from "../nomad/index.js";
import { decodeEventStream, decodeEventStreamEntry, decodeSourceEventContent } from "../nomad/index.js";

export interface FetcherOptions {
  readonly resolve?: ResolveOptions;
  /** Streams this process has just written, used instead of resolving their (possibly cached) names. */
  readonly knownStreams?: ReadonlyMap<IpnsName, CID>;
}

/** The crawl's fetchers over the store: resolve a local name, get and decode blocks (errors name the CID). */
export function nomadFetchers(store: IpfsStore, options: FetcherOptions = {}): CrawlFetchers {
  return {
    loadStream: async (source) => {
      const cid = options.knownStreams?.get(source) ?? (await store.resolveName(source, options.resolve));
      if (!cid) return undefined;
      // The stream, its entries and their content in one request, into the cache the reads below use.
      await store.prefetchDag(cid);
      return { cid, stream: decodeEventStream(await store.dagGet(cid), cid.toString()) };
    },
    loadEntry: async (cid) => decodeEventStreamEntry(await store.dagGet(cid), cid.toString()),
    loadSourceName: async (cid) => decodeSourceEventContent(await store.dagGet(cid), cid.toString()),
  };
}
