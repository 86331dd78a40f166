import { createHash } from "node:crypto";
import { appendFile, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeBlock } from "../../../src/nomad/index.js";
import { openFoldShelf } from "../../../src/service/fold-shelf.js";
import type { RememberedFold } from "../../../src/service/target-memo.js";
import { fileDamages } from "../../helpers/file-damage.js";

let work: string;
let fold: RememberedFold;
const KEY = '{"target":"k51-example"}';
const MAX = 1024 * 1024;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "nomad-patch-fold-shelf-"));
  const state = { Name: "Example", Features: ["a", "b"], Link: (await encodeBlock("linked")).cid };
  const stream = (await encodeBlock("stream")).cid;
  fold = {
    key: KEY,
    visited: [
      { source: "k51-one", depth: 0, streamCid: stream, entryCount: 2 },
      { source: "k51-gone", depth: 1, streamCid: undefined, entryCount: 0 },
    ],
    sources: ["k51-one", "k51-gone"],
    unreachable: [{ id: "k51-gone", via: "added by k51-one" }],
    state,
    foldedCid: (await encodeBlock(state)).cid,
    stateBytes: 120,
    matchesPublished: true,
    warnings: ["Source k51-gone did not resolve; its entries are missing from this fold"],
    entryCount: 2,
    newestTicks: 638_000_000_000_000_000n,
    ownStream: { cid: stream, entries: 2, bytes: 120, linkBytes: 41 },
    bytesRead: 4_096,
    rejectedHistory: {
      count: 1,
      skipped: 1,
      entries: [
        { cid: "bafy-entry", targetId: "k51-one", eventId: "Bad", reason: "it throws", skipped: true },
      ],
    },
  };
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const hashOf = (key: string) => createHash("sha256").update(key).digest("hex");

async function shelved(dir: string): Promise<string> {
  const shelf = await openFoldShelf(dir, { maxBytes: MAX });
  shelf.put(fold);
  await shelf.flush();
  const [file] = await readdir(dir);
  return join(dir, file as string);
}

/** A shelf reopened over `dir`: what it gives for the key, and what it said it discarded. */
async function reopened(dir: string) {
  const reasons: string[] = [];
  const shelf = await openFoldShelf(dir, { maxBytes: MAX, onDiscard: (r) => reasons.push(r) });
  const got = await shelf.get(KEY);
  return { got, reasons, shelf, files: await readdir(dir) };
}

/** A file that is well formed and named by its own CID, holding `value`: only the content checks can refuse it. */
async function plant(dir: string, value: unknown): Promise<void> {
  const { cid, bytes } = await encodeBlock(value);
  await writeFile(join(dir, `${hashOf(KEY)}.${cid}.fold`), bytes);
}

describe("remembered folds on disk", () => {
  it("a restarted process reads back the fold an earlier one kept, every field as it was", async () => {
    const dir = join(work, "restart");
    await shelved(dir);
    const { got, reasons, shelf } = await reopened(dir);
    expect(got).toEqual(fold);
    expect(reasons).toEqual([]);
    expect(shelf.stats()).toMatchObject({ folds: 1, discarded: 0 });
    expect(await shelf.get("another key")).toBeUndefined();
  });

  it("a damaged or cut-short file is never used: it is deleted, and the fold kept again afterwards", async () => {
    for (const [name, damage] of fileDamages) {
      const dir = join(work, name);
      const file = await shelved(dir);
      await writeFile(file, damage(new Uint8Array(await readFile(file))));
      const { got, reasons, shelf } = await reopened(dir);
      expect(got).toBeUndefined();
      expect(reasons).toEqual([expect.stringMatching(/do not match its CID/)]);
      expect(await readdir(dir)).toEqual([]);
      shelf.put(fold);
      await shelf.flush();
      expect((await reopened(dir)).got).toEqual(fold);
    }
  });

  it("a file grown after the shelf listed it (8 MiB appended) is refused and deleted, never used", async () => {
    const dir = join(work, "grown");
    const file = await shelved(dir);
    const reasons: string[] = [];
    const shelf = await openFoldShelf(dir, { maxBytes: MAX, onDiscard: (r) => reasons.push(r) });
    await appendFile(file, new Uint8Array(8 * 1024 * 1024));
    expect(await shelf.get(KEY)).toBeUndefined();
    expect(reasons).toEqual([expect.stringMatching(/do not match its CID/)]);
    expect(await readdir(dir)).toEqual([]);
  });

  it("a foreign file, another version's, or another key's fold under this key's name is refused, even with its CID right", async () => {
    const visitedStream = (await encodeBlock("a stream")).cid;
    const encodedFold = {
      NomadPatchFoldMemo: 2,
      Key: KEY,
      Visited: [{ Source: "k51-own", Depth: 0, Stream: visitedStream, Entries: 1 }],
      Sources: [],
      Unreachable: [],
      State: { Name: "x" },
      FoldedCid: fold.foldedCid,
      StateBytes: 1,
      MatchesPublished: null,
      Warnings: [],
      EntryCount: 0,
      NewestTicks: "1",
      OwnStream: { Cid: visitedStream, Entries: 1, Bytes: 80, LinkBytes: 41 },
      BytesRead: 0,
      RejectedHistory: { Count: 0, Skipped: 0, Entries: [] },
    };
    for (const [name, value, reason] of [
      ["foreign", { SomethingElse: true }, /not this shelf's file/],
      ["version", { ...encodedFold, NomadPatchFoldMemo: 3 }, /another format/],
      // The format before the own stream was kept: made again rather than read without it.
      ["older-version", { ...encodedFold, NomadPatchFoldMemo: 1 }, /another format/],
      [
        "own-stream-elsewhere",
        { ...encodedFold, OwnStream: { ...encodedFold.OwnStream, Cid: fold.foldedCid } },
        /OwnStream is not one of the visited streams/,
      ],
      [
        "own-stream-bytes",
        { ...encodedFold, OwnStream: { ...encodedFold.OwnStream, Bytes: -1 } },
        /OwnStream.Bytes is not a count/,
      ],
      ["other-key", { ...encodedFold, Key: "another key" }, /another key/],
      ["bad-field", { ...encodedFold, EntryCount: -1 }, /EntryCount is not a count/],
      // Written before the count of left-out history entries was kept: made again, so none goes unseen.
      [
        "no-skipped-count",
        { ...encodedFold, RejectedHistory: { Count: 0, Entries: [] } },
        /RejectedHistory.Skipped is not a count/,
      ],
      ["bad-state", { ...encodedFold, State: [1, 2] }, /State is not a map/],
    ] as const) {
      const dir = join(work, name);
      await rm(dir, { recursive: true, force: true });
      await openFoldShelf(dir, { maxBytes: MAX });
      await plant(dir, value);
      const { got, reasons } = await reopened(dir);
      expect(got).toBeUndefined();
      expect(reasons).toEqual([expect.stringMatching(reason)]);
      expect(await readdir(dir)).toEqual([]);
    }
    // The same planted value, well formed, is read: the refusals above are the checks, not the planting.
    const dir = join(work, "planted-good");
    await openFoldShelf(dir, { maxBytes: MAX });
    await plant(dir, encodedFold);
    const good = (await reopened(dir)).got;
    expect(good?.state).toEqual({ Name: "x" });
    expect(good?.ownStream).toEqual({ cid: visitedStream, entries: 1, bytes: 80, linkBytes: 41 });
    // And without an own stream (a node that has no key of the target's).
    const none = join(work, "planted-no-own");
    await openFoldShelf(none, { maxBytes: MAX });
    await plant(none, { ...encodedFold, OwnStream: null });
    expect((await reopened(none)).got?.ownStream).toBeUndefined();
  });

  it("files that are not this shelf's are removed on opening", async () => {
    const dir = join(work, "stray");
    await shelved(dir);
    await writeFile(join(dir, "notes.txt"), "someone else's");
    await writeFile(join(dir, `${hashOf(KEY)}.not-a-cid.fold`), "x");
    const { got, files } = await reopened(dir);
    expect(got).toEqual(fold);
    expect(files).toHaveLength(1);
  });

  it("is bounded in bytes: an oversized file is refused, and the oldest folds leave first", async () => {
    const dir = join(work, "bounded");
    const file = await shelved(dir);
    const size = (await readFile(file)).byteLength;
    // Room for two folds: the third put drops the first.
    const shelf = await openFoldShelf(dir, { maxBytes: size * 2 + 10 });
    shelf.put({ ...fold, key: "second" });
    shelf.put({ ...fold, key: "third" });
    await shelf.flush();
    expect(shelf.stats().folds).toBe(2);
    expect(shelf.stats().bytes).toBeLessThanOrEqual(size * 2 + 10);
    expect(await shelf.get(KEY)).toBeUndefined();
    expect((await shelf.get("third"))?.key).toBe("third");
    // A file larger than half the bound is never read, whatever its name says.
    const reasons: string[] = [];
    const small = await openFoldShelf(dir, { maxBytes: size, onDiscard: (r) => reasons.push(r) });
    expect(await small.get("third")).toBeUndefined();
    expect(reasons).toEqual([expect.stringMatching(/too large/)]);
    expect(await readdir(dir)).toEqual([]);
  });
});
