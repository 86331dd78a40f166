import type { CID } from "multiformats/cid";
import { describe, expect, it } from "vitest";
import { encodeBlock } from "../../../src/nomad/block.js";
import { crawlSources } from "../../../src/nomad/crawl.js";
import { createLimiter, type Limiter, MAP_WINDOW, mapInWindow } from "../../../src/nomad/limiter.js";
import { loadEntries } from "../../../src/nomad/load-entries.js";
import { wacProjectModule } from "../../../src/nomad/modules/wac-project.js";
import type { EventStreamEntry } from "../../../src/nomad/records/event-stream-entry.js";
import { names } from "./fixtures.js";

/** A limiter that counts the calls waiting for it: what a long loop keeps alive at once. */
function countingLimiter(): { readonly limit: Limiter; readonly mostWaiting: () => number } {
  const inner = createLimiter(8, () => undefined);
  let waiting = 0;
  let most = 0;
  const limit: Limiter = (task) => {
    waiting++;
    most = Math.max(most, waiting);
    return inner(() => {
      waiting--;
      return task();
    });
  };
  return { limit, mostWaiting: () => most };
}

const ENTRIES = 1_000;
const cids: CID[] = await Promise.all(
  Array.from({ length: ENTRIES }, async (_, i) => (await encodeBlock({ i })).cid),
);
const entryOf = (cid: CID): EventStreamEntry => ({
  targetId: names.R,
  eventId: "UpdateNameAsync",
  timestampUtc: "2025-01-01T00:00:00Z",
  ticks: 0n,
  timestampForm: "utc",
  content: cid,
});

describe("long loops keep a window of items in progress, not the whole list", () => {
  it("the crawl of a stream of 1,000 entries has at most a window of reads waiting", async () => {
    const { limit, mostWaiting } = countingLimiter();
    const result = await crawlSources([names.LA], {
      fetchers: {
        loadStream: async () => ({ cid: cids[0]!, stream: { label: "s", entries: cids } }),
        loadEntry: async (cid) => entryOf(cid),
        loadSourceName: async () => names.LB,
      },
      limits: { maxSources: 4, maxEntries: 10_000, maxDepth: 2 },
      limit,
    });
    expect(result.entries.map((e) => e.cid.toString())).toEqual(cids.map(String));
    expect(mostWaiting()).toBeLessThanOrEqual(MAP_WINDOW);
  });

  it("loading the content of 1,000 entries has at most a window of reads waiting", async () => {
    const { limit, mostWaiting } = countingLimiter();
    const loaded = await loadEntries(
      cids.map((cid) => ({ cid, entry: entryOf(cid) })),
      wacProjectModule,
      async (cid) => `content of ${cid}`,
      limit,
    );
    expect(loaded.map((e) => e.content)).toEqual(cids.map((cid) => `content of ${cid}`));
    expect(mostWaiting()).toBeLessThanOrEqual(MAP_WINDOW);
  });

  it("gives the results in the items' order, and starts nothing after a failure", async () => {
    const started: number[] = [];
    const squares = await mapInWindow([3, 1, 2], async (n, i) => {
      started.push(i);
      await new Promise((resolve) => setTimeout(resolve, n));
      return n * n;
    });
    expect(squares).toEqual([9, 1, 4]);
    expect(started).toEqual([0, 1, 2]);

    started.length = 0;
    const failing = mapInWindow(
      Array.from({ length: 10 }, (_, i) => i),
      async (i) => {
        started.push(i);
        if (i === 1) throw new Error("item 1 is bad");
        await new Promise((resolve) => setTimeout(resolve, 5));
        return i;
      },
      2,
    );
    await expect(failing).rejects.toThrow("item 1 is bad");
    expect(started).toEqual([0, 1]);
  });
});
