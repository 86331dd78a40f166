import type { CID } from "multiformats/cid";
import { DecodeError, LimitExceededError } from "../errors.js";
import type { IpnsName } from "./ipns-name.js";
import { type Limiter, mapInWindow } from "./limiter.js";
import type { EventStream } from "./records/event-stream.js";
import type { EventStreamEntry } from "./records/event-stream-entry.js";
import { SOURCE_ADD_EVENT_ID, SOURCE_REMOVE_EVENT_ID } from "./records/source-events.js";

/** The I/O the crawl needs, passed in so the algorithm stays pure and testable without a node. */
export interface CrawlFetchers {
  /** Resolve a local IPNS name and decode its stream; `undefined` when the name does not resolve. */
  loadStream(source: IpnsName): Promise<{ readonly cid: CID; readonly stream: EventStream } | undefined>;
  loadEntry(cid: CID): Promise<EventStreamEntry>;
  /** Decode a source event's content block (one IPNS name string). */
  loadSourceName(contentCid: CID): Promise<IpnsName>;
}

export interface CrawlLimits {
  readonly maxSources: number;
  readonly maxEntries: number;
  /** Hops of SourceAdd discovery from the starting sources (which are at depth 0). */
  readonly maxDepth: number;
}

/**
 * `as-csharp`: what OwlCore.Nomad.Kubo 0.17 does: a SourceRemove takes the name out of the handler's
 * sources but marks the content block CID as removed, so the removed source's entries are still emitted.
 * `exclude`: what that code means to do: skip a removed (and not re-added) source's entries.
 */
export type SourceRemoval = "as-csharp" | "exclude";

export interface CrawledEntry {
  readonly cid: CID;
  readonly entry: EventStreamEntry;
  readonly source: IpnsName;
}

export interface VisitedSource {
  readonly source: IpnsName;
  readonly depth: number;
  /** The resolved stream, or `undefined` when the name did not resolve. */
  readonly streamCid: CID | undefined;
  readonly entryCount: number;
}

export interface SourceEvent {
  readonly kind: "add" | "remove";
  readonly name: IpnsName;
  readonly in: IpnsName;
  readonly entryCid: CID;
}

export interface CrawlResult {
  /** Every non-reserved entry, grouped by source in discovery order, then stream order. */
  readonly entries: CrawledEntry[];
  /** The handler's source list after the crawl, mutated by SourceAdd/SourceRemove as C# does. */
  readonly sources: IpnsName[];
  readonly visited: VisitedSource[];
  readonly sourceEvents: SourceEvent[];
  readonly warnings: string[];
}

export interface CrawlOptions {
  readonly fetchers: CrawlFetchers;
  readonly limits: CrawlLimits;
  /** Bounds the concurrent fetches (streams of one level, entries of one stream). */
  readonly limit: Limiter;
  readonly sourceRemoval?: SourceRemoval;
}

/**
 * Breadth-first over event-stream sources, following SourceAdd/SourceRemove entries (docs/format.md).
 * Each level's streams and entries are fetched concurrently, then processed in queue order, so discovery
 * order (which breaks timestamp ties) is exactly the C# sequential BFS order. A source is crawled once:
 * C# may re-enqueue an already crawled source, but the re-crawl's entries are never emitted there.
 */
export async function crawlSources(start: readonly IpnsName[], options: CrawlOptions): Promise<CrawlResult> {
  const { fetchers, limits, limit } = options;
  const removal = options.sourceRemoval ?? "as-csharp";
  const sources = dedupe(start);
  const seen = new Set<IpnsName>(sources);
  const removed = new Set<IpnsName>();
  const perSource = new Map<IpnsName, CrawledEntry[]>(sources.map((s) => [s, []]));
  const visited: VisitedSource[] = [];
  const sourceEvents: SourceEvent[] = [];
  const warnings: string[] = [];
  let entriesFetched = 0;
  checkSourceCount(seen.size, limits);

  let level = [...sources];
  for (let depth = 0; level.length > 0; depth++) {
    if (depth > limits.maxDepth) {
      throw new LimitExceededError(
        `Source discovery went deeper than ${limits.maxDepth} hops (next: ${level.join(", ")})`,
      );
    }
    const streams = await Promise.all(level.map((source) => limit(() => fetchers.loadStream(source))));
    const next: IpnsName[] = [];
    for (const [i, source] of level.entries()) {
      const resolved = streams[i];
      if (!resolved) {
        warnings.push(`Source ${source} did not resolve; its entries are missing from this fold`);
        visited.push({ source, depth, streamCid: undefined, entryCount: 0 });
        continue;
      }
      if (removal === "exclude" && removed.has(source)) {
        visited.push({ source, depth, streamCid: resolved.cid, entryCount: 0 });
        continue;
      }
      const entryCids = dedupeCids(resolved.stream.entries);
      entriesFetched += entryCids.length;
      if (entriesFetched > limits.maxEntries) {
        throw new LimitExceededError(
          `More than ${limits.maxEntries} entries across sources (stopped at ${source})`,
        );
      }
      const entries = await mapInWindow(entryCids, (cid) => limit(() => fetchers.loadEntry(cid)));
      visited.push({ source, depth, streamCid: resolved.cid, entryCount: entries.length });
      const bucket = perSource.get(source) ?? [];
      for (const [j, entry] of entries.entries()) {
        const entryCid = entryCids[j]!;
        if (entry.eventId === SOURCE_ADD_EVENT_ID || entry.eventId === SOURCE_REMOVE_EVENT_ID) {
          const name = await limit(() => fetchers.loadSourceName(entry.content)).catch((cause: unknown) => {
            throw new DecodeError(
              `Source event ${entryCid} in ${source} has unreadable content`,
              String(entry.content),
              { cause },
            );
          });
          const kind = entry.eventId === SOURCE_ADD_EVENT_ID ? "add" : "remove";
          sourceEvents.push({ kind, name, in: source, entryCid });
          if (kind === "add") {
            if (!sources.includes(name)) sources.push(name);
            removed.delete(name);
            if (!seen.has(name)) {
              seen.add(name);
              checkSourceCount(seen.size, limits);
              perSource.set(name, []);
              next.push(name);
            }
          } else {
            const at = sources.indexOf(name);
            if (at >= 0) sources.splice(at, 1);
            if (removal === "exclude") removed.add(name);
            else
              warnings.push(
                `Source ${name} was removed by ${entryCid}, but C# peers still apply its entries, so this fold does too`,
              );
          }
          continue;
        }
        bucket.push({ cid: entryCid, entry, source });
      }
    }
    level = next;
  }

  const entries = [...perSource].filter(([source]) => !removed.has(source)).flatMap(([, list]) => list);
  return { entries, sources, visited, sourceEvents, warnings };
}

function checkSourceCount(count: number, limits: CrawlLimits): void {
  if (count > limits.maxSources)
    throw new LimitExceededError(`More than ${limits.maxSources} event-stream sources`);
}

function dedupe(names: readonly IpnsName[]): IpnsName[] {
  return [...new Set(names)];
}

/** C# keeps a source's entries in a dictionary keyed by entry CID: a repeated link counts once. */
function dedupeCids(cids: readonly CID[]): CID[] {
  const seen = new Set<string>();
  return cids.filter((cid) => {
    const key = cid.toString();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
