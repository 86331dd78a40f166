import type { CID } from "multiformats/cid";
import { NotFoundError } from "../ipfs/errors.js";
import type { IpfsStore, ResolveOptions } from "../ipfs/store.js";
import {
  type CrawledEntry,
  type CrawlLimits,
  chooseModule,
  crawlSources,
  createLimiter,
  decodeRoamingSources,
  FoldBudget,
  type FoldLimits,
  type FoldStep,
  foldFromSeed,
  type IpldMap,
  type IpnsName,
  ipldEqual,
  isIpldMap,
  type LoadedEntry,
  loadEntries,
  localKeyNameFor,
  type NomadModule,
  orderEntries,
  parseIpnsName,
  type SourceEvent,
  type SourceRemoval,
  type Ticks,
  ticksFromMilliseconds,
  type VisitedSource,
} from "../nomad/index.js";
import type { UnreachableSource } from "../patch-request/change-model.js";
import { nomadFetchers } from "./nomad-fetchers.js";

export const defaultCrawlLimits: CrawlLimits = { maxSources: 64, maxEntries: 10_000, maxDepth: 8 };

export interface LoadTargetInput {
  /** The target's roaming key in any accepted form. */
  readonly target: string;
  /** A module name from configuration; otherwise recognised from the roaming value's shape. */
  readonly module?: string;
  /** Sources configured for this target (local IPNS names), on top of the roaming hint and own local key. */
  readonly sources?: readonly string[];
  /** Sources recorded by pairing on this node (`readKnownSources`, known-sources.json), crawled like configured ones. */
  readonly pairedSources?: readonly string[];
  readonly now?: Ticks;
  readonly limits?: Partial<CrawlLimits>;
  readonly concurrency?: number;
  readonly sourceRemoval?: SourceRemoval;
  /** Name resolution options; `nocache` defaults to true, as the C# CLI runs (`UseCache = false`). */
  readonly resolve?: ResolveOptions;
  /** Streams just written by this process (name → stream CID), read instead of resolving the name. */
  readonly knownStreams?: ReadonlyMap<IpnsName, CID>;
  /** The work the fold of the target may do; the defaults fit any real object (docs/decisions.md). */
  readonly foldLimits?: FoldLimits;
}

export interface LoadedTarget {
  readonly targetId: IpnsName;
  readonly module: NomadModule;
  /** What the roaming key points at now, if it resolves. */
  readonly published: { readonly cid: CID; readonly value: IpldMap } | undefined;
  /** The fold of every source's entries from the module's seed. */
  readonly state: IpldMap;
  readonly steps: FoldStep[];
  /** Entries in fold order, content loaded. */
  readonly entries: LoadedEntry[];
  /** Entries dated after `now`, left out. */
  readonly futureEntries: CrawledEntry[];
  /** The handler's sources after the crawl. */
  readonly sources: IpnsName[];
  readonly visited: VisitedSource[];
  /**
   * Sources whose stream did not resolve, and how each was learned: the fold misses their entries, so
   * nothing may be published from it (C# stops loading instead; see crawl.ts).
   */
  readonly unreachable: UnreachableSource[];
  /** Does the fold equal the published roaming value? `undefined` when nothing is published. */
  readonly matchesPublished: boolean | undefined;
  /**
   * This node's local key for the target, when it holds the roaming key and its `.Local.` partner:
   * then the node is one of the target's devices and can write to it.
   */
  readonly ownLocalKey: IpnsName | undefined;
  readonly warnings: string[];
}

/**
 * Load a Nomad object as one of its devices sees it:
 * 1. parse the name and resolve the roaming value (the published state, and the `Sources` hint);
 * 2. choose the module (configured, or by the value's shape);
 * 3. gather the starting sources: roaming hint, this node's own local key for the target, configured ones;
 * 4. crawl them breadth first, drop future entries, order by time;
 * 5. load each entry's content, fold from the module's seed, and compare with what is published.
 */
export async function loadTarget(
  deps: { readonly store: IpfsStore },
  input: LoadTargetInput,
): Promise<LoadedTarget> {
  return crawlAndFold(deps.store, input, await startTarget(deps.store, input));
}

/** Steps 1–3 of `loadTarget`: what the crawl starts from, which a remembered fold is keyed by. */
export interface TargetStart {
  readonly targetId: IpnsName;
  readonly published: { readonly cid: CID; readonly value: IpldMap } | undefined;
  readonly module: NomadModule;
  readonly hint: IpnsName[];
  readonly own: IpnsName | undefined;
  readonly configured: IpnsName[];
  readonly paired: IpnsName[];
  readonly start: IpnsName[];
  readonly resolve: ResolveOptions;
  readonly warnings: string[];
}

export async function startTarget(store: IpfsStore, input: LoadTargetInput): Promise<TargetStart> {
  const targetId = parseIpnsName(input.target, "target");
  const warnings: string[] = [];
  // Kubo's name cache can answer with a record older than one just published; Nomad readers bypass it.
  const resolve: ResolveOptions = { nocache: true, ...input.resolve };

  // The name and the node's keys are independent requests: asked together.
  const [publishedCid, own] = await Promise.all([
    store.resolveName(targetId, resolve),
    ownLocalKeyId(store, targetId),
  ]);
  const publishedValue = publishedCid ? await store.dagGet(publishedCid) : undefined;
  if (publishedValue !== undefined && !isIpldMap(publishedValue)) {
    warnings.push(`The roaming value ${publishedCid} is not a map; it is ignored`);
  }
  const published =
    publishedCid && isIpldMap(publishedValue) ? { cid: publishedCid, value: publishedValue } : undefined;

  const module = chooseModule(published?.value, input.module);
  const hint = published ? decodeRoamingSources(published.value, published.cid.toString()) : [];
  const configured = (input.sources ?? []).map((s, i) => parseIpnsName(s, `sources[${i}]`));
  const paired = (input.pairedSources ?? []).map((s, i) => parseIpnsName(s, `paired sources[${i}]`));
  const start = [...new Set([...hint, ...(own ? [own] : []), ...configured, ...paired])];
  if (!published && start.length === 0) {
    // Kubo's `name resolve` asks the routing (its peers, the DHT) when the name is not its own: a wrong
    // key, an object never published and one whose every node is offline all end here alike.
    throw new NotFoundError(
      `The roaming key ${targetId} does not resolve: this node found no IPNS record for it, on its own or from its peers, and knows none of its devices`,
      {
        hint: "check the key (the object's roaming key id, as `nomad-patch status` or `create` prints it on one of its devices); if it is right, start a node that holds the object, and connect it to this one when they do not find each other (`ipfs swarm connect` with an address from its `ipfs id`)",
      },
    );
  }
  return { targetId, published, module, hint, own, configured, paired, start, resolve, warnings };
}

/** Steps 4–5 of `loadTarget`. */
export async function crawlAndFold(
  store: IpfsStore,
  input: LoadTargetInput,
  begun: TargetStart,
): Promise<LoadedTarget> {
  const { targetId, published, module, hint, own, configured, paired, start, resolve } = begun;
  const warnings = [...begun.warnings];
  const limit = createLimiter(input.concurrency ?? 8);
  const crawl = await crawlSources(start, {
    fetchers: nomadFetchers(store, { resolve, knownStreams: input.knownStreams }),
    limits: { ...defaultCrawlLimits, ...input.limits },
    limit,
    sourceRemoval: input.sourceRemoval,
  });
  warnings.push(...crawl.warnings);
  const via = sourceOrigins({ hint, own, configured, paired }, crawl.sourceEvents);
  const unreachable = crawl.visited
    .filter((visit) => visit.streamCid === undefined)
    .map((visit) => ({ id: visit.source, via: via.get(visit.source) ?? "discovered" }));
  const now = input.now ?? ticksFromMilliseconds(Date.now());
  const { ordered, future } = orderEntries(crawl.entries, now);
  if (future.length > 0) warnings.push(`${future.length} entries are dated in the future and were left out`);
  for (const item of ordered) {
    if (item.entry.timestampForm !== "utc") {
      warnings.push(
        `Entry ${item.cid} has a timestamp without Newtonsoft's Z form (${item.entry.timestampUtc}); read as UTC`,
      );
    }
  }

  const entries = await loadEntries(ordered, module, (cid) => store.dagGet(cid), limit);
  // The root keeps the roaming value's own Sources (as C# does); sub-objects get the handler's.
  const seedSources = published ? hint : start;
  const name =
    typeof published?.value.StorableItemName === "string" ? published.value.StorableItemName : undefined;
  const folded = await foldFromSeed(module, { id: targetId, sources: seedSources, name }, entries, {
    rootId: targetId,
    sources: crawl.sources,
    budget: new FoldBudget(input.foldLimits, "target"),
  });
  const matchesPublished = published ? ipldEqual(folded.state, published.value) : undefined;
  if (matchesPublished === false)
    warnings.push(`The fold of all sources differs from the published roaming value ${published?.cid}`);

  return {
    targetId,
    module,
    published,
    state: folded.state,
    steps: folded.steps,
    entries,
    futureEntries: future,
    sources: crawl.sources,
    visited: crawl.visited,
    unreachable,
    matchesPublished,
    ownLocalKey: own,
    warnings,
  };
}

/** How each source was learned, for the message that names an unreachable device. */
function sourceOrigins(
  start: { hint: IpnsName[]; own: IpnsName | undefined; configured: IpnsName[]; paired: IpnsName[] },
  events: readonly SourceEvent[],
): Map<IpnsName, string> {
  const via = new Map<IpnsName, string>();
  const note = (name: IpnsName, how: string) => {
    if (!via.has(name)) via.set(name, how);
  };
  if (start.own) note(start.own, "this node's own local key");
  for (const name of start.configured) note(name, "configured in the target's sources");
  for (const name of start.paired) note(name, "paired with this node");
  for (const name of start.hint) note(name, "listed in the roaming value's Sources");
  for (const event of events) if (event.kind === "add") note(event.name, `added by ${event.in}`);
  return via;
}

/** The local key this node writes for the target: the partner of the roaming key it holds, if any. */
async function ownLocalKeyId(store: IpfsStore, targetId: IpnsName): Promise<IpnsName | undefined> {
  const keys = await store.listKeys();
  const roaming = keys.find((k) => k.id === targetId);
  const localName = roaming ? localKeyNameFor(roaming.name) : undefined;
  const local = localName ? keys.find((k) => k.name === localName) : undefined;
  return local ? parseIpnsName(local.id) : undefined;
}
