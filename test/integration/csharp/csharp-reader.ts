import { dagGetJsonAsCSharpDoes } from "../nomad/kubo-http.js";

/**
 * A reader that follows OwlCore.Nomad.Kubo 0.17's read path step by step, with raw Kubo RPC calls and
 * none of this project's readers, so a test sees what the bot wrote the way a C# device reads it:
 * - OwlCore.Nomad.Kubo:src/Extensions/NomadKuboEventStreamHandlerExtensions.cs
 *   `ResolveEventStreamEntriesAsync`: breadth-first over the handler's sources; each source's stream
 *   resolved through `ResolveContentPointerAsync` (`name/resolve`, then `Guard.IsNotNull`: a source that
 *   does not resolve throws); its entries kept per source in a dictionary keyed by entry CID; SourceAdd and
 *   SourceRemove handled while crawling; the non-reserved entries emitted source by source;
 * - OwlCore.Nomad.Kubo:src/NomadKuboRepositoryBase.cs `GetAsync`: entries dated after now dropped, a stable
 *   `OrderBy(TimestampUtc)`, and only entries whose `TargetId` is the handler's id applied at the root.
 */

const SOURCE_ADD = "NomadEventStreamSourceAddEvent";
const SOURCE_REMOVE = "NomadEventStreamSourceRemoveEvent";

export interface CSharpReadEntry {
  readonly cid: string;
  readonly source: string;
  readonly TargetId: string;
  readonly EventId: string;
  readonly TimestampUtc: string;
  readonly Content: string;
}

type Link = { readonly "/": string };
const isLink = (value: unknown): value is Link =>
  typeof value === "object" && value !== null && typeof (value as Link)["/"] === "string";

/** `name/resolve` with `recursive=true` and `nocache=true` (the C# CLI's `UseCache = false`), then `dag/get`. */
async function resolveDag(apiUrl: string, name: string): Promise<unknown> {
  const response = await fetch(
    `${apiUrl}/api/v0/name/resolve?arg=/ipns/${name}&recursive=true&nocache=true`,
    { method: "POST" },
  );
  // ResolveContentPointerAsync guards the result: a source that does not resolve fails the whole load.
  if (!response.ok) throw new Error(`source ${name} does not resolve: ${await response.text()}`);
  const path = ((await response.json()) as { Path: string }).Path;
  return dagGetJsonAsCSharpDoes(apiUrl, path.replace(/^\/ipfs\//, ""));
}

function nonBlank(value: unknown, what: string): string {
  if (typeof value !== "string" || value.trim() === "") throw new Error(`Guard: ${what} is blank`);
  return value;
}

/** `ResolveEventStreamEntriesAsync`, with the handler's sources (mutated as C# mutates them). */
export async function resolveEventStreamEntries(
  apiUrl: string,
  handlerSources: string[],
): Promise<CSharpReadEntry[]> {
  if (handlerSources.length === 0) throw new Error("Guard.IsNotEmpty(Sources)");
  const sourceEvents = new Map<string, Map<string, CSharpReadEntry>>();
  for (const source of handlerSources) sourceEvents.set(source, new Map());
  const removedSources = new Set<string>();
  const queue: [string, Map<string, CSharpReadEntry>][] = [...sourceEvents];
  // C# dequeues a source again when a later stream re-adds it; a cycle of SourceAdds never ends there.
  let visits = 0;
  while (queue.length > 0) {
    const [source, entries] = queue.shift() as [string, Map<string, CSharpReadEntry>];
    if (++visits > 100) throw new Error("the C# crawl would not end: a cycle of SourceAdd entries");
    const stream = (await resolveDag(apiUrl, source)) as { Entries?: unknown };
    if (removedSources.has(source)) continue;
    if (!Array.isArray(stream.Entries)) throw new Error(`the stream of ${source} has no Entries list`);
    for (const link of stream.Entries) {
      if (!isLink(link)) throw new Error(`an entry link of ${source} is not a link`);
      const block = (await dagGetJsonAsCSharpDoes(apiUrl, link["/"])) as Record<string, unknown>;
      if (!isLink(block.Content)) throw new Error(`Content was unexpectedly null on ${link["/"]}`);
      const entry: CSharpReadEntry = {
        cid: link["/"],
        source,
        TargetId: nonBlank(block.TargetId, "TargetId"),
        EventId: nonBlank(block.EventId, "EventId"),
        TimestampUtc: nonBlank(block.TimestampUtc, "TimestampUtc"),
        Content: block.Content["/"],
      };
      // A Dictionary's indexer: a CID seen again in the same stream keeps its first place.
      entries.set(entry.cid, entry);
      if (entry.EventId === SOURCE_ADD) {
        const added = nonBlank(await dagGetJsonAsCSharpDoes(apiUrl, entry.Content), "source");
        if (!handlerSources.includes(added)) handlerSources.push(added);
        const fresh = new Map<string, CSharpReadEntry>();
        if (!queue.some(([name]) => name === added)) queue.push([added, fresh]);
        if (!sourceEvents.has(added)) sourceEvents.set(added, fresh);
        removedSources.delete(added);
      } else if (entry.EventId === SOURCE_REMOVE) {
        const removed = nonBlank(await dagGetJsonAsCSharpDoes(apiUrl, entry.Content), "source");
        const at = handlerSources.indexOf(removed);
        if (at >= 0) handlerSources.splice(at, 1);
        // As 0.17 does: the content block's CID is marked, not the source's name.
        removedSources.add(entry.Content);
      }
    }
  }
  const emitted: CSharpReadEntry[] = [];
  for (const [source, entries] of sourceEvents) {
    if (removedSources.has(source)) continue;
    for (const entry of entries.values()) {
      if (entry.EventId !== SOURCE_ADD && entry.EventId !== SOURCE_REMOVE) emitted.push(entry);
    }
  }
  return emitted;
}

/** 100 ns ticks of a Newtonsoft `…Z` timestamp, the only form a C# device writes and the bot must write. */
export function ticksOf(timestampUtc: string): bigint {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,7}))?Z$/.exec(timestampUtc);
  if (!match) throw new Error(`not a Newtonsoft UTC timestamp: ${timestampUtc}`);
  const [, seconds, fraction = ""] = match as unknown as [string, string, string | undefined];
  return BigInt(Date.parse(`${seconds}Z`)) * 10_000n + BigInt(fraction.padEnd(7, "0"));
}

/** `GetAsync`'s step after the crawl: drop entries after now, stable sort by time, keep the root's own. */
export function orderAsRepository(
  entries: readonly CSharpReadEntry[],
  handlerId: string,
  now: Date = new Date(),
): CSharpReadEntry[] {
  const nowTicks = BigInt(now.getTime()) * 10_000n;
  return entries
    .filter((entry) => ticksOf(entry.TimestampUtc) <= nowTicks)
    .sort((a, b) => {
      const [x, y] = [ticksOf(a.TimestampUtc), ticksOf(b.TimestampUtc)];
      return x < y ? -1 : x > y ? 1 : 0;
    })
    .filter((entry) => entry.TargetId === handlerId);
}

/**
 * The project events these tests write, replayed as WindowsAppCommunity.Sdk replays them from a seed
 * (the SDK CLI resets to the seed before replaying): `UpdateNameAsync` sets `Name`
 * (src/Nomad/ModifiableEntity.cs `ApplyEntryUpdateAsync`), `AddFeatureAsync` appends to `Features`
 * (src/Nomad/ModifiableProject.cs `ApplyFeatureAddEntryUpdateAsync`). Any other event throws, as the
 * SDK's switch does for an EventId it does not know.
 */
export async function replayProject(
  apiUrl: string,
  seed: Record<string, unknown>,
  ordered: readonly CSharpReadEntry[],
): Promise<Record<string, unknown>> {
  const state = structuredClone(seed) as Record<string, unknown> & { Features: string[] };
  for (const entry of ordered) {
    const update = (await dagGetJsonAsCSharpDoes(apiUrl, entry.Content)) as { Value?: unknown };
    if (!isLink(update.Value)) throw new Error(`Guard.IsNotNull(Value) on ${entry.cid}`);
    const value = await dagGetJsonAsCSharpDoes(apiUrl, update.Value["/"]);
    if (entry.EventId === "UpdateNameAsync") state.Name = value;
    else if (entry.EventId === "AddFeatureAsync") state.Features = [...state.Features, value as string];
    else throw new Error(`NotImplementedException: ${entry.EventId}`);
  }
  return state;
}
