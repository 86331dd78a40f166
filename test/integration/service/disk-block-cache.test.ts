import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Block } from "../../../src/ipfs/car.js";
import { encodeCar } from "../../../src/ipfs/car.js";
import type { IpfsStore } from "../../../src/ipfs/store.js";
import { encodeBlock } from "../../../src/nomad/index.js";
import { withBlockCache } from "../../../src/service/caching-store.js";
import { type DiskBlockCache, openDiskBlockCache } from "../../../src/service/disk-block-cache.js";

const values = ["alpha", { beta: 2 }, "gamma".repeat(40)];
let blocks: Block[];
let work: string;

beforeAll(async () => {
  blocks = await Promise.all(values.map((v) => encodeBlock(v)));
  work = await mkdtemp(join(tmpdir(), "nomad-patch-disk-cache-"));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** A node that serves `blocks` and counts the reads that reach it. */
function node() {
  const reads: string[] = [];
  const byCid = new Map(blocks.map((b) => [b.cid.toString(), b.bytes]));
  const store = {
    getBlock: async (cid: { toString(): string }) => {
      reads.push(cid.toString());
      const bytes = byCid.get(cid.toString());
      if (!bytes) throw new Error("not found");
      return bytes;
    },
  } as unknown as IpfsStore;
  return { store, reads };
}

async function filled(dir: string): Promise<void> {
  const disk = (await openDiskBlockCache(dir, { maxBytes: 1024 * 1024 })) as DiskBlockCache;
  const cache = withBlockCache(node().store, { maxBlocks: 100, disk });
  for (const block of blocks) await cache.dagGet(block.cid);
  await disk.close();
}

describe("the block cache on disk", () => {
  it("a restarted process reads back what an earlier one fetched, without asking the node", async () => {
    const dir = join(work, "restart");
    await filled(dir);
    const disk = (await openDiskBlockCache(dir, { maxBytes: 1024 * 1024 })) as DiskBlockCache;
    const fresh = node();
    const cache = withBlockCache(fresh.store, { maxBlocks: 100, disk });
    expect(await Promise.all(blocks.map((b) => cache.dagGet(b.cid)))).toEqual(values);
    expect(fresh.reads).toEqual([]);
    expect(disk.stats()).toMatchObject({ blocks: 3, discarded: 0 });
    await disk.close();
  });

  it("a block changed on disk is never used: the cache is dropped and the block fetched again", async () => {
    const dir = join(work, "corrupt-block");
    await filled(dir);
    const file = join(dir, "blocks.car");
    const bytes = new Uint8Array(await readFile(file));
    // Flip a byte of the last block's bytes (the file still parses: only the hash can tell).
    bytes[bytes.length - 2]! ^= 0xff;
    await writeFile(file, bytes);
    const reasons: string[] = [];
    const disk = (await openDiskBlockCache(dir, {
      maxBytes: 1024 * 1024,
      onDiscard: (r) => reasons.push(r),
    })) as DiskBlockCache;
    expect(reasons).toEqual([expect.stringMatching(/damaged/)]);
    expect(disk.stats()).toMatchObject({ blocks: 0, discarded: 1 });
    const fresh = node();
    const cache = withBlockCache(fresh.store, { maxBlocks: 100, disk });
    expect(await cache.dagGet(blocks[2]!.cid)).toEqual(values[2]);
    expect(fresh.reads).toEqual([blocks[2]!.cid.toString()]);
    await disk.close();
  });

  it("a block damaged after the file was opened is refused when read back, and everything is dropped", async () => {
    const dir = join(work, "corrupt-later");
    await filled(dir);
    const disk = (await openDiskBlockCache(dir, { maxBytes: 1024 * 1024 })) as DiskBlockCache;
    const file = join(dir, "blocks.car");
    const bytes = new Uint8Array(await readFile(file));
    bytes[bytes.length - 2]! ^= 0xff;
    await writeFile(file, bytes);
    const fresh = node();
    const cache = withBlockCache(fresh.store, { maxBlocks: 100, disk });
    expect(await cache.dagGet(blocks[2]!.cid)).toEqual(values[2]);
    expect(fresh.reads).toEqual([blocks[2]!.cid.toString()]);
    await disk.flush();
    // Dropped whole: a block that was intact is not trusted from that file either.
    expect(await cache.dagGet(blocks[0]!.cid)).toEqual(values[0]);
    expect(fresh.reads).toHaveLength(2);
    expect(disk.stats().discarded).toBe(1);
    await disk.close();
  });

  it("a foreign file in its place (a CAR of other blocks, or not a CAR at all) is discarded, never used", async () => {
    for (const [name, content] of [
      ["foreign-car", encodeCar([blocks[0]!.cid], blocks)],
      ["foreign-text", new TextEncoder().encode("some other program's file\n")],
    ] as const) {
      const dir = join(work, name);
      await filled(dir);
      await writeFile(join(dir, "blocks.car"), content);
      const disk = (await openDiskBlockCache(dir, { maxBytes: 1024 * 1024 })) as DiskBlockCache;
      expect(disk.stats()).toMatchObject({ blocks: 0, discarded: 1 });
      const fresh = node();
      const cache = withBlockCache(fresh.store, { maxBlocks: 100, disk });
      await cache.dagGet(blocks[0]!.cid);
      expect(fresh.reads).toEqual([blocks[0]!.cid.toString()]);
      await disk.close();
      // Rebuilt: the next process finds the block it just fetched.
      const again = (await openDiskBlockCache(dir, { maxBytes: 1024 * 1024 })) as DiskBlockCache;
      expect(again.stats()).toMatchObject({ blocks: 1, discarded: 0 });
      await again.close();
    }
  });

  it("stays within its bound on disk", async () => {
    const dir = join(work, "bounded");
    const disk = (await openDiskBlockCache(dir, { maxBytes: 400 })) as DiskBlockCache;
    const many = await Promise.all(Array.from({ length: 40 }, (_, i) => encodeBlock(`block number ${i}`)));
    for (const block of many) {
      disk.put(block);
      await disk.flush();
    }
    expect((await stat(join(dir, "blocks.car"))).size).toBeLessThanOrEqual(400);
    expect(disk.get(many.at(-1)!.cid)).toEqual(many.at(-1)!.bytes);
    await disk.close();
  });

  it("opened and closed again and again, it leaves no listener behind", async () => {
    const dir = join(work, "reopened");
    await (await openDiskBlockCache(dir, { maxBytes: 1024 }))?.close();
    const listeners = process.listenerCount("exit");
    for (let i = 0; i < 12; i++) await (await openDiskBlockCache(dir, { maxBytes: 1024 }))?.close();
    expect(process.listenerCount("exit")).toBe(listeners);
  });

  it("is used by one process at a time: a second opener runs without it", async () => {
    const dir = join(work, "locked");
    const first = await openDiskBlockCache(dir, { maxBytes: 1024 });
    expect(first).toBeDefined();
    expect(await openDiskBlockCache(dir, { maxBytes: 1024 })).toBeUndefined();
    await first?.close();
    const after = await openDiskBlockCache(dir, { maxBytes: 1024 });
    expect(after).toBeDefined();
    await after?.close();
  });
});
