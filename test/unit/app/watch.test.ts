import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createPoller } from "../../../src/app/watch/poll-keys.js";
import { openWatchList, type WatchRequest } from "../../../src/app/watch/watch-list.js";

const KEY = `k51${"a".repeat(59)}`;
const keyOf = (i: number) => `k51${i.toString(36).padStart(59, "0")}`;
const MINUTE = 60_000;
const request = (issue: number, key = KEY, cid = "bafyreiversionone"): WatchRequest => ({
  repo: "owner/repo",
  issue,
  key,
  installationId: 7,
  cid,
  intervalMs: 10 * MINUTE,
});

describe("the watch list", () => {
  let dir = "";
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "nomad-patch-watch-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("survives a restart in its file, and forgets an issue's keys at once", async () => {
    const file = join(dir, "watched-keys.json");
    const list = openWatchList({ file, maxKeys: 10 });
    list.watch(request(1), 0);
    list.watch(request(1, keyOf(2)), 0);
    list.watch(request(2), 0);
    list.unwatchIssue("owner/repo", 1);
    await list.flush();
    const again = openWatchList({ file, maxKeys: 10 });
    expect(again.size).toBe(1);
    expect(again.get("owner/repo", 2, KEY)).toMatchObject({ cid: "bafyreiversionone", nextAt: 10 * MINUTE });
  });

  it("refuses pairs beyond its bound", () => {
    const logs: string[] = [];
    const list = openWatchList({ file: undefined, maxKeys: 3, log: (m) => logs.push(m) });
    const accepted = [1, 2, 3, 4, 5].map((issue) => list.watch(request(issue), 0));
    expect(accepted).toEqual([true, true, true, false, false]);
    expect(list.size).toBe(3);
    expect(logs.join("\n")).toContain("watched keys full (3)");
  });

  it.each([
    ["not JSON", "{ nope"],
    ["an unknown version", JSON.stringify({ v: 2, keys: [] })],
    [
      "an entry of the wrong shape",
      JSON.stringify({ v: 1, keys: [{ ...request(1), nextAt: 0, key: "k51 -->" }] }),
    ],
    ["an extra field", JSON.stringify({ v: 1, keys: [{ ...request(1), nextAt: 0, extra: 1 }] })],
  ])("discards a corrupt file (%s) and starts empty", async (_what, text) => {
    const file = join(dir, "watched-keys.json");
    await writeFile(file, text);
    const logs: string[] = [];
    const list = openWatchList({ file, maxKeys: 10, log: (m) => logs.push(m) });
    expect(list.size).toBe(0);
    expect(logs.join("\n")).toContain("corrupt");
    list.watch(request(3), 0);
    await list.flush();
    expect(JSON.parse(await readFile(file, "utf8")).keys).toHaveLength(1);
  });

  it("discards a file far larger than its bound without parsing it", async () => {
    const file = join(dir, "watched-keys.json");
    await writeFile(file, " ".repeat(5 * 1024));
    const logs: string[] = [];
    expect(openWatchList({ file, maxKeys: 4, log: (m) => logs.push(m) }).size).toBe(0);
    expect(logs.join("\n")).toContain("too large");
  });
});

describe("the poller", () => {
  it("resolves at most its cap per minute however many keys are due, the most overdue first", async () => {
    const list = openWatchList({ file: undefined, maxKeys: 2000 });
    for (let i = 1; i <= 1000; i++) list.watch(request(i, keyOf(i)), i);
    const clock = { ms: 0 };
    const resolved: string[] = [];
    const poller = createPoller({
      list,
      resolve: async (key) => {
        resolved.push(key);
        return "bafyreiversionone";
      },
      onMoved: async () => {
        throw new Error("nothing moved");
      },
      resolvesPerMinute: 25,
      now: () => clock.ms,
    });
    clock.ms = 10 * MINUTE + 1000;
    for (let round = 0; round < 4; round++) await poller.tick();
    expect(resolved).toHaveLength(25);
    expect(resolved.slice(0, 3)).toEqual([keyOf(1), keyOf(2), keyOf(3)]);
    // A minute later the budget is back, and the next keys in line go.
    for (let minute = 1; minute <= 10; minute++) {
      clock.ms += MINUTE;
      await poller.tick();
      await poller.tick();
      expect(resolved).toHaveLength(25 * (minute + 1));
    }
    expect(new Set(resolved).size).toBe(resolved.length);
  });

  it("reviews a key republished every second once per interval, and not again while its review is queued", async () => {
    const list = openWatchList({ file: undefined, maxKeys: 10 });
    list.watch(request(1), 0);
    const clock = { ms: 0 };
    let version = 0;
    const moves: string[] = [];
    let finishReview = () => {};
    const poller = createPoller({
      list,
      resolve: async () => `bafyreiversion${++version}`,
      onMoved: (_entry, cid) => {
        moves.push(cid);
        return new Promise<void>((done) => {
          finishReview = done;
        });
      },
      resolvesPerMinute: 1000,
      now: () => clock.ms,
      random: () => 0.5,
    });
    clock.ms = 10 * MINUTE;
    await poller.tick();
    expect(moves).toHaveLength(1);
    // Republished every second for a whole interval: the key is not even resolved again.
    for (let second = 0; second < 600; second++) {
      clock.ms += 1000;
      await poller.tick();
    }
    expect(version).toBe(1);
    // Due again, but its review is still queued: it waits.
    clock.ms += 1000;
    await poller.tick();
    expect(version).toBe(1);
    finishReview();
    await new Promise((resolve) => setImmediate(resolve));
    await poller.tick();
    expect(version).toBe(2);
    expect(moves).toHaveLength(2);
  });
});
