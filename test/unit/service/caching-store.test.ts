import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { CID } from "multiformats/cid";
import { sha256 } from "multiformats/hashes/sha2";
import { describe, expect, it } from "vitest";
import { blockKey } from "../../../src/ipfs/block-key.js";
import type { Block } from "../../../src/ipfs/car.js";
import type { ExportOptions, IpfsStore } from "../../../src/ipfs/store.js";
import { encodeBlock } from "../../../src/nomad/index.js";
import { withByteBudget } from "../../../src/service/byte-budget-store.js";
import { withBlockCache } from "../../../src/service/caching-store.js";

const blocks = await Promise.all(
  ["zero", "one", "two", { big: "x".repeat(2_000) }].map((v) => encodeBlock(v)),
);
const cids = blocks.map((b) => b.cid);
const bytesOf = new Map(blocks.map((b) => [b.cid.toString(), b.bytes]));

/** A UnixFS-coded block (dag-pb), as a file's root would be. */
async function filePart(text: string): Promise<Block> {
  const bytes = new TextEncoder().encode(text);
  return { cid: CID.createV0(await sha256.digest(bytes)), bytes };
}

function countingStore(exported: Block[] = []) {
  const calls: string[] = [];
  const exports: ExportOptions[] = [];
  let fail = false;
  const store = {
    getBlock: async (cid: CID) => {
      calls.push(`getBlock ${cid}`);
      await new Promise((r) => setTimeout(r, 1));
      if (fail) throw new Error("offline");
      return bytesOf.get(cid.toString());
    },
    exportDag: async (_root: CID, visit: (block: Block) => boolean, options: ExportOptions = {}) => {
      exports.push(options);
      let bytes = 0;
      for (const block of exported) {
        if (bytes + block.bytes.byteLength > (options.maxBytes ?? Infinity))
          return { bytes, complete: false };
        bytes += block.bytes.byteLength;
        if (!visit(block)) return { bytes, complete: false };
      }
      return { bytes, complete: true };
    },
    resolveName: async (name: string) => {
      calls.push(`resolve ${name}`);
      return cids[0];
    },
  } as unknown as IpfsStore;
  return { store, calls, exports, setFail: (f: boolean) => (fail = f) };
}

describe("withBlockCache", () => {
  it("fetches an immutable block once, even when asked concurrently", async () => {
    const { store, calls } = countingStore();
    const cached = withBlockCache(store, { maxBlocks: 10 });
    const values = await Promise.all([
      cached.dagGet(cids[0]!),
      cached.dagGet(cids[0]!),
      cached.getBlock(CID.parse(cids[0]!.toString())),
    ]);
    expect(values.slice(0, 2)).toEqual(["zero", "zero"]);
    expect(values[2]).toEqual(bytesOf.get(cids[0]!.toString()));
    expect(calls).toEqual([`getBlock ${cids[0]}`]);
    expect(cached.cacheStats()).toMatchObject({ hits: 2, misses: 1 });
  });

  it("decodes a block once and gives its size with the value", async () => {
    const { store } = countingStore();
    const cached = withBlockCache(store, { maxBlocks: 10 });
    const first = await cached.dagGetSized(cids[3]!);
    const second = await cached.dagGetSized(cids[3]!);
    // The same object: the second read did not decode the bytes again.
    expect(second.value).toBe(first.value);
    expect(second.size).toBe(bytesOf.get(cids[3]!.toString())!.byteLength);
  });

  it("never caches names", async () => {
    const { store, calls } = countingStore();
    const cached = withBlockCache(store, { maxBlocks: 10 });
    await cached.resolveName("k51x");
    await cached.resolveName("k51x");
    expect(calls).toEqual(["resolve k51x", "resolve k51x"]);
  });

  it("evicts the least recently used block beyond its bound", async () => {
    const { store, calls } = countingStore();
    const cached = withBlockCache(store, { maxBlocks: 2 });
    await cached.dagGet(cids[0]!);
    await cached.dagGet(cids[1]!);
    await cached.dagGet(cids[0]!); // 0 is now the most recent
    await cached.dagGet(cids[2]!); // evicts 1
    await cached.dagGet(cids[0]!);
    await cached.dagGet(cids[1]!);
    expect(calls.filter((c) => c.endsWith(cids[1]!.toString()))).toHaveLength(2);
    expect(calls.filter((c) => c.endsWith(cids[0]!.toString()))).toHaveLength(1);
  });

  it("stays within its bound in bytes, whatever the number of blocks", async () => {
    const { store, calls } = countingStore();
    const cached = withBlockCache(store, { maxBlocks: 100, maxBytes: 3_000 });
    await cached.getBlock(cids[0]!);
    await cached.getBlock(cids[3]!); // about 2 KB: the small one still fits beside it
    expect(cached.cacheStats().size).toBe(2);
    expect(cached.cacheStats().bytes).toBeLessThanOrEqual(3_000);
    await cached.dagGet(cids[3]!); // decoded, it counts several times its size: the older block goes
    expect(cached.cacheStats().size).toBe(1);
    await cached.getBlock(cids[3]!);
    await cached.getBlock(cids[0]!);
    expect(calls).toEqual([`getBlock ${cids[0]}`, `getBlock ${cids[3]}`, `getBlock ${cids[0]}`]);
  });

  it("still refuses a cached block larger than the caller's limit", async () => {
    const { store } = countingStore();
    const cached = withBlockCache(store, { maxBlocks: 10 });
    await cached.getBlock(cids[3]!);
    await expect(cached.getBlock(cids[3]!, { maxBytes: 100 })).rejects.toMatchObject({ code: "LIMIT" });
  });

  it("forgets a failed fetch so the next call tries again", async () => {
    const { store, calls, setFail } = countingStore();
    const cached = withBlockCache(store, { maxBlocks: 2 });
    setFail(true);
    await expect(cached.dagGet(cids[0]!)).rejects.toThrow("offline");
    setFail(false);
    await expect(cached.dagGet(cids[0]!)).resolves.toBe("zero");
    expect(calls).toHaveLength(2);
  });
});

describe("prefetchDag", () => {
  it("keeps a DAG read in one export, local blocks only, so the reads that follow fetch nothing", async () => {
    const { store, calls, exports } = countingStore(blocks.slice(0, 3));
    const cached = withBlockCache(store, { maxBlocks: 10 });
    const read = await cached.prefetchDag(cids[0]!);
    expect(read.map((b) => b.key)).toEqual(cids.slice(0, 3).map(blockKey));
    expect(exports).toEqual([expect.objectContaining({ localOnly: true })]);
    expect(await Promise.all(cids.slice(0, 3).map((cid) => cached.dagGet(cid)))).toEqual([
      "zero",
      "one",
      "two",
    ]);
    expect(calls).toEqual([]);
  });

  it("without a disk cache, keeps no CID of an export's blocks while the export runs", async () => {
    // The CIDs an export decodes (one per block, 33,000 in the largest review) are garbage once visited
    // unless something keeps them: kept to the export's end they are promoted to the old generation and
    // raise the peak heap; only a disk cache needs the list (to mark the DAG it holds whole).
    setFlagsFromString("--expose-gc");
    const collect = runInNewContext("gc") as () => void;
    const alive: WeakRef<CID>[] = [];
    const store = {
      exportDag: async (_root: CID, visit: (block: Block) => boolean) => {
        for (const block of blocks) {
          // A fresh CID per block, as the CAR reader decodes one: nothing but the visitor can keep it.
          const cid = CID.decode(block.cid.bytes.slice());
          alive.push(new WeakRef(cid));
          visit({ cid, bytes: block.bytes });
          await new Promise((resolve) => setImmediate(resolve));
        }
        collect();
        // The last one may still sit in this suspended function's registers: the ones before it count.
        const kept = alive.slice(0, -1).filter((ref) => ref.deref() !== undefined).length;
        return { bytes: kept, complete: true };
      },
    } as unknown as IpfsStore;
    let keptDuringExport = -1;
    const counting = {
      ...store,
      exportDag: async (...args: Parameters<IpfsStore["exportDag"]>) => {
        const summary = await store.exportDag(...args);
        keptDuringExport = summary.bytes;
        return summary;
      },
    } as IpfsStore;
    const read = await withBlockCache(counting, { maxBlocks: 10 }).prefetchDag(cids[0]!);
    expect(read).toHaveLength(blocks.length);
    expect(alive).toHaveLength(blocks.length);
    expect(keptDuringExport).toBe(0);
  });

  it("does not export a DAG again once it has read it (a warm review asks the node for names only)", async () => {
    const file = await filePart("file bytes");
    for (const exported of [blocks.slice(0, 3), [blocks[1]!, file, blocks[2]!]]) {
      const { store, exports } = countingStore(exported);
      const cached = withBlockCache(store, { maxBlocks: 10 });
      await cached.prefetchDag(exported[0]!.cid);
      await cached.prefetchDag(exported[0]!.cid);
      expect(exports).toHaveLength(1);
    }
  });

  it("exports a DAG again once its root has left the cache", async () => {
    const { store, exports } = countingStore(blocks.slice(0, 2));
    const cached = withBlockCache(store, { maxBlocks: 2 });
    await cached.prefetchDag(cids[0]!);
    await cached.getBlock(cids[2]!); // evicts the root
    await cached.prefetchDag(cids[0]!);
    expect(exports).toHaveLength(2);
  });

  it("passes over a file of one block without keeping it, and goes on to the next block", async () => {
    const file = await filePart("file bytes");
    const { store } = countingStore([blocks[0]!, file, blocks[1]!]);
    const cached = withBlockCache(store, { maxBlocks: 10 });
    const read = await cached.prefetchDag(cids[0]!);
    expect(read.map((b) => b.key)).toEqual([blockKey(cids[0]!), blockKey(cids[1]!)]);
    expect(cached.cacheStats().size).toBe(2);
  });

  it("stops at a file of several blocks (dag-pb links come first: byte 0x12): its chunks are never streamed", async () => {
    const root = await filePart("\u0012 links, then data");
    const { store } = countingStore([blocks[0]!, root, blocks[1]!]);
    const cached = withBlockCache(store, { maxBlocks: 10 });
    const read = await cached.prefetchDag(cids[0]!);
    expect(read.map((b) => b.key)).toEqual([blockKey(cids[0]!)]);
    expect(cached.cacheStats().size).toBe(1);
  });

  it("is only a hint: a failing export fails nothing, and the read after it fetches the block", async () => {
    const { store, calls } = countingStore();
    (store as { exportDag: unknown }).exportDag = async () => {
      throw new Error("node gone");
    };
    const cached = withBlockCache(store, { maxBlocks: 10 });
    await expect(cached.prefetchDag(cids[0]!)).resolves.toEqual([]);
    expect(await cached.dagGet(cids[0]!)).toBe("zero");
    expect(calls).toEqual([`getBlock ${cids[0]}`]);
  });
});

describe("withByteBudget over the cache", () => {
  it("counts a prefetch against the budget, gives it only what is left, and counts each block once", async () => {
    const { store, exports } = countingStore(blocks);
    const total = blocks.reduce((n, b) => n + b.bytes.byteLength, 0);
    const budgeted = withByteBudget(withBlockCache(store, { maxBlocks: 10 }), total + 10);
    await budgeted.dagGet(cids[0]!);
    await budgeted.prefetchDag(cids[0]!);
    expect(exports[0]?.maxBytes).toBe(total + 10 - blocks[0]!.bytes.byteLength);
    expect(budgeted.bytesRead()).toBe(total);
    for (const cid of cids) await budgeted.dagGet(cid);
    expect(budgeted.bytesRead()).toBe(total);
  });

  it("a prefetch cannot carry reads past the budget: the block over it is refused", async () => {
    const { store } = countingStore(blocks);
    const small = blocks.slice(0, 3).reduce((n, b) => n + b.bytes.byteLength, 0);
    const budgeted = withByteBudget(withBlockCache(store, { maxBlocks: 10 }), small + 100);
    const read = await budgeted.prefetchDag(cids[0]!);
    expect(read).toHaveLength(3);
    await expect(budgeted.dagGet(cids[3]!)).rejects.toMatchObject({ code: "LIMIT" });
  });
});

describe("withByteBudget, prefetches in parallel", () => {
  it("refuses the review when prefetches running together read past the budget, each given what was left at its start", async () => {
    // Two DAGs of about 1,000 bytes each, under a budget of 1,500: either fits alone, not both.
    const dags = await Promise.all(["a", "b"].map((tag) => encodeBlock({ tag, pad: "x".repeat(1_000) })));
    const byRoot = new Map(dags.map((d) => [d.cid.toString(), [d]]));
    let exporting = 0;
    let bothAtOnce = false;
    const store = {
      exportDag: async (root: CID, visit: (block: Block) => boolean, options: ExportOptions = {}) => {
        exporting++;
        if (exporting === 2) bothAtOnce = true;
        await new Promise((r) => setTimeout(r, 5));
        let bytes = 0;
        for (const block of byRoot.get(root.toString()) ?? []) {
          if (bytes + block.bytes.byteLength > (options.maxBytes ?? Infinity)) break;
          bytes += block.bytes.byteLength;
          visit(block);
        }
        exporting--;
        return { bytes, complete: true };
      },
    } as unknown as IpfsStore;
    const budgeted = withByteBudget(withBlockCache(store, { maxBlocks: 10 }), 1_500);
    const both = Promise.all(dags.map((d) => budgeted.prefetchDag(d.cid)));
    await expect(both).rejects.toMatchObject({ code: "LIMIT" });
    // The block over the budget is named by its CID, as a reader would look it up.
    await expect(both).rejects.toThrow(new RegExp(`\\(block (${dags.map((d) => d.cid).join("|")})\\)`));
    expect(bothAtOnce).toBe(true);
  });
});
