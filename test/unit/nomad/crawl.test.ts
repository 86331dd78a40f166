import type { CID } from "multiformats/cid";
import { describe, expect, it } from "vitest";
import { LimitExceededError } from "../../../src/errors.js";
import { encodeBlock } from "../../../src/nomad/block.js";
import { type CrawlFetchers, crawlSources } from "../../../src/nomad/crawl.js";
import { createLimiter } from "../../../src/nomad/limiter.js";
import type { EventStream } from "../../../src/nomad/records/event-stream.js";
import type { EventStreamEntry } from "../../../src/nomad/records/event-stream-entry.js";
import { SOURCE_ADD_EVENT_ID, SOURCE_REMOVE_EVENT_ID } from "../../../src/nomad/records/source-events.js";
import { parseTimestamp } from "../../../src/nomad/timestamp.js";
import { fixtureFetchers, names } from "./fixtures.js";

const { R, LA, LB } = names;
const limits = { maxSources: 10, maxEntries: 100, maxDepth: 5 };
const limit = createLimiter(4);

/** An in-memory network of streams: source name → entries (event id + target + source-event name). */
type Spec = Record<string, Array<{ eventId: string; name?: string; label?: string }>>;
async function network(spec: Spec, known = Object.keys(spec)) {
  const entries = new Map<string, EventStreamEntry>();
  const contents = new Map<string, string>();
  const streams = new Map<string, { cid: CID; stream: EventStream }>();
  let t = parseTimestamp("2025-01-01T00:00:00Z");
  for (const [source, list] of Object.entries(spec)) {
    const cids: CID[] = [];
    for (const item of list) {
      const content = await encodeBlock(item.name ?? item.label ?? "x");
      if (item.name) contents.set(content.cid.toString(), item.name);
      t += 1n;
      const entry = {
        targetId: R,
        eventId: item.eventId,
        timestampUtc: "",
        ticks: t,
        timestampForm: "utc" as const,
        content: content.cid,
      };
      const cid = (await encodeBlock({ ...entry, ticks: t.toString(), source, label: item.label ?? null }))
        .cid;
      entries.set(cid.toString(), entry);
      cids.push(cid);
    }
    const stream = { label: "s", entries: cids };
    streams.set(source, { cid: (await encodeBlock({ source })).cid, stream });
  }
  const fetchers: CrawlFetchers = {
    loadStream: async (source) => (known.includes(source) ? streams.get(source) : undefined),
    loadEntry: async (cid) => entries.get(cid.toString())!,
    loadSourceName: async (cid) => contents.get(cid.toString())!,
  };
  return fetchers;
}

const A = LA;
const B = LB;
const C = "k51qzi5uqu5dh0b977vhvmrl8f8xivun0fojxria3arhf8dnmf6ekbjvq60dap";
const D = "k51qzi5uqu5dl108b3m0fq96k0ctiurwgxxf3944vv0iwxby0940iaz1070ggw";

describe("crawlSources", () => {
  it("discovers LB from LA's SourceAdd entry and emits non-reserved entries by source", async () => {
    const calls: string[] = [];
    const fetchers = fixtureFetchers({ [LA]: names.streams.LA, [LB]: names.streams.LB }, calls);
    const result = await crawlSources([LA], { fetchers, limits, limit });
    expect(result.sources).toEqual([LA, LB]);
    expect(result.entries.map((e) => [e.source, e.entry.eventId])).toEqual([
      [LA, "CreateFileInFolderEvent"],
      [LA, "FileUpdateEvent"],
      [LB, "CreateFolderInFolderEvent"],
    ]);
    expect(result.sourceEvents).toMatchObject([{ kind: "add", name: LB, in: LA }]);
    expect(result.visited.map((v) => [v.source, v.depth, v.entryCount])).toEqual([
      [LA, 0, 3],
      [LB, 1, 1],
    ]);
    expect(calls.filter((c) => c.startsWith("stream"))).toEqual([`stream ${LA}`, `stream ${LB}`]);
  });

  it("keeps C#'s sequential breadth-first discovery order while fetching a level at once", async () => {
    const fetchers = await network({
      [A]: [
        { eventId: SOURCE_ADD_EVENT_ID, name: B },
        { eventId: SOURCE_ADD_EVENT_ID, name: C },
      ],
      [B]: [
        { eventId: SOURCE_ADD_EVENT_ID, name: D },
        { eventId: "E", label: "b" },
      ],
      [C]: [
        { eventId: SOURCE_ADD_EVENT_ID, name: A },
        { eventId: "E", label: "c" },
      ],
      [D]: [{ eventId: "E", label: "d" }],
    });
    const result = await crawlSources([A], { fetchers, limits, limit });
    expect(result.sources).toEqual([A, B, C, D]);
    expect(result.visited.map((v) => v.source)).toEqual([A, B, C, D]);
    expect(result.entries.map((e) => e.source)).toEqual([B, C, D]);
  });

  it("as C# does, a SourceRemove drops the name from the sources but its entries are still emitted", async () => {
    const fetchers = await network({
      [A]: [
        { eventId: SOURCE_ADD_EVENT_ID, name: B },
        { eventId: SOURCE_REMOVE_EVENT_ID, name: B },
      ],
      [B]: [{ eventId: "E", label: "from B" }],
    });
    const result = await crawlSources([A], { fetchers, limits, limit });
    expect(result.sources).toEqual([A]);
    expect(result.entries.map((e) => e.source)).toEqual([B]);
    expect(result.warnings.join("\n")).toMatch(/removed .* C# peers still apply its entries/);
  });

  it("with sourceRemoval 'exclude', a removed source is neither crawled nor emitted, unless re-added", async () => {
    const removedOnly = await network({
      [A]: [
        { eventId: SOURCE_ADD_EVENT_ID, name: B },
        { eventId: SOURCE_REMOVE_EVENT_ID, name: B },
      ],
      [B]: [{ eventId: "E", label: "from B" }],
    });
    const excluded = await crawlSources([A], {
      fetchers: removedOnly,
      limits,
      limit,
      sourceRemoval: "exclude",
    });
    expect(excluded.entries).toEqual([]);
    expect(excluded.visited.find((v) => v.source === B)?.entryCount).toBe(0);

    const reAdded = await network({
      [A]: [
        { eventId: SOURCE_ADD_EVENT_ID, name: B },
        { eventId: SOURCE_REMOVE_EVENT_ID, name: B },
        { eventId: SOURCE_ADD_EVENT_ID, name: B },
      ],
      [B]: [{ eventId: "E", label: "from B" }],
    });
    const back = await crawlSources([A], { fetchers: reAdded, limits, limit, sourceRemoval: "exclude" });
    expect(back.entries.map((e) => e.source)).toEqual([B]);
    expect(back.sources).toEqual([A, B]);
  });

  it("warns about a source that does not resolve and goes on", async () => {
    const fetchers = await network(
      { [A]: [{ eventId: SOURCE_ADD_EVENT_ID, name: B }, { eventId: "E" }], [B]: [] },
      [A],
    );
    const result = await crawlSources([A], { fetchers, limits, limit });
    expect(result.entries).toHaveLength(1);
    expect(result.warnings).toEqual([`Source ${B} did not resolve; its entries are missing from this fold`]);
  });

  it("counts a repeated entry link once per source", async () => {
    const base = fixtureFetchers({ [LB]: names.streams.LB });
    const fetchers: CrawlFetchers = {
      ...base,
      loadStream: async (s) => {
        const r = await base.loadStream(s);
        return (
          r && { cid: r.cid, stream: { ...r.stream, entries: [...r.stream.entries, ...r.stream.entries] } }
        );
      },
    };
    expect((await crawlSources([LB], { fetchers, limits, limit })).entries).toHaveLength(1);
  });

  it("stops with LimitExceededError beyond max sources, entries or depth", async () => {
    const chain = await network({
      [A]: [{ eventId: SOURCE_ADD_EVENT_ID, name: B }],
      [B]: [{ eventId: SOURCE_ADD_EVENT_ID, name: C }],
      [C]: [{ eventId: "E" }, { eventId: "E", label: "2" }],
    });
    await expect(
      crawlSources([A], { fetchers: chain, limits: { ...limits, maxSources: 2 }, limit }),
    ).rejects.toThrow(/More than 2 event-stream sources/);
    await expect(
      crawlSources([A], { fetchers: chain, limits: { ...limits, maxEntries: 3 }, limit }),
    ).rejects.toThrow(LimitExceededError);
    await expect(
      crawlSources([A], { fetchers: chain, limits: { ...limits, maxDepth: 1 }, limit }),
    ).rejects.toThrow(/deeper than 1 hops/);
    expect(
      (await crawlSources([A], { fetchers: chain, limits: { ...limits, maxDepth: 2 }, limit })).entries,
    ).toHaveLength(2);
  });

  it("never runs more fetches at once than the limiter allows", async () => {
    let running = 0;
    let peak = 0;
    const base = fixtureFetchers({ [LA]: names.streams.LA, [LB]: names.streams.LB });
    const slow =
      <T>(f: () => Promise<T>) =>
      async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 5));
        running--;
        return f();
      };
    const fetchers: CrawlFetchers = {
      loadStream: (s) => slow(() => base.loadStream(s))(),
      loadEntry: (c) => slow(() => base.loadEntry(c))(),
      loadSourceName: (c) => slow(() => base.loadSourceName(c))(),
    };
    await crawlSources([LA], { fetchers, limits, limit: createLimiter(2) });
    expect(peak).toBe(2);
  });
});
