import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Block } from "../../../src/ipfs/car.js";
import { encodeCar } from "../../../src/ipfs/car.js";
import type { IpfsStore } from "../../../src/ipfs/store.js";
import { encodeBlock, MAX_BLOCK_BYTES } from "../../../src/nomad/index.js";
import {
  type BlockIndex,
  type BlockPlaces,
  blockPlaces,
  decodeIndex,
  encodeIndex,
  INDEX_FORMAT,
  type Place,
  partOfBlock,
} from "../../../src/service/block-cache-index.js";
import { withBlockCache } from "../../../src/service/caching-store.js";
import { type DiskBlockCache, openDiskBlockCache } from "../../../src/service/disk-block-cache.js";

const values = ["alpha", { beta: 2 }, "gamma".repeat(40)];
let blocks: Block[];
/** Another cache's blocks. */
let otherBlocks: Block[];
let work: string;

beforeAll(async () => {
  blocks = await Promise.all(values.map((v) => encodeBlock(v)));
  otherBlocks = await Promise.all(["delta", "epsilon", { zeta: 6 }].map((v) => encodeBlock(v)));
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

/** Flips a byte of the last block's bytes: the file still parses, only the hash can tell. */
async function flipLastBlockByte(file: string): Promise<void> {
  const bytes = new Uint8Array(await readFile(file));
  bytes[bytes.length - 2]! ^= 0xff;
  await writeFile(file, bytes);
}

async function filled(dir: string, these: readonly Block[] = blocks): Promise<void> {
  const disk = (await openDiskBlockCache(dir, { maxBytes: 1024 * 1024 })) as DiskBlockCache;
  for (const block of these) disk.put(block);
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

  it("a block changed on disk is never used: with the index, it is refused when read, all is dropped and it is fetched again", async () => {
    const dir = join(work, "corrupt-indexed");
    await filled(dir);
    await flipLastBlockByte(join(dir, "blocks.car"));
    const reasons: string[] = [];
    const disk = (await openDiskBlockCache(dir, {
      maxBytes: 1024 * 1024,
      onDiscard: (r) => reasons.push(r),
    })) as DiskBlockCache;
    // The index is whole and of this file: opening does not read the blocks, so it cannot tell yet.
    expect(reasons).toEqual([]);
    const fresh = node();
    const cache = withBlockCache(fresh.store, { maxBlocks: 100, disk });
    expect(await cache.dagGet(blocks[2]!.cid)).toEqual(values[2]);
    expect(fresh.reads).toEqual([blocks[2]!.cid.toString()]);
    await disk.flush();
    expect(reasons).toEqual([expect.stringMatching(/damaged/)]);
    expect(await cache.dagGet(blocks[0]!.cid)).toEqual(values[0]);
    expect(fresh.reads).toHaveLength(2);
    await disk.close();
  });

  it("a block changed on disk is never used: without the index, opening finds it, the cache is dropped and the block fetched again", async () => {
    const dir = join(work, "corrupt-block");
    await filled(dir);
    await rm(join(dir, "blocks.index"));
    await flipLastBlockByte(join(dir, "blocks.car"));
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
    await flipLastBlockByte(join(dir, "blocks.car"));
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

  it("held, it writes nothing until every holder has let go, then on the next turns; a block queued twice or already on disk is written once", async () => {
    const dir = join(work, "held");
    const disk = (await openDiskBlockCache(dir, { maxBytes: 1024 * 1024 })) as DiskBlockCache;
    disk.put(blocks[0]!);
    await disk.flush();
    const written = disk.stats().bytes;
    const first = disk.hold();
    const second = disk.hold();
    for (const block of [...blocks, ...blocks]) disk.put(block);
    // Past the batch's usual delay (200 ms): still held.
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(disk.stats().blocks).toBe(1);
    first();
    first();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(disk.stats().blocks).toBe(1);
    second();
    await vi.waitFor(() => expect(disk.stats().blocks).toBe(3));
    // Two sections appended, not five: the repeats and the block on disk were left out.
    const sections = await Promise.all(blocks.slice(1).map((b) => encodeCar([], [b])));
    const header = encodeCar([], []).byteLength;
    expect(disk.stats().bytes).toBe(written + sections.reduce((n, car) => n + car.byteLength - header, 0));
    for (const block of blocks) expect([...(disk.get(block.cid) ?? [])]).toEqual([...block.bytes]);
    await disk.close();
    const reopened = (await openDiskBlockCache(dir, { maxBytes: 1024 * 1024 })) as DiskBlockCache;
    expect(reopened.stats()).toMatchObject({ blocks: 3, discarded: 0 });
    await reopened.close();
  });

  it("a hold is bounded in bytes: a flood of blocks while held is written anyway, and close writes whatever is held", async () => {
    const dir = join(work, "held-flood");
    const disk = (await openDiskBlockCache(dir, { maxBytes: 64 * 1024 * 1024 })) as DiskBlockCache;
    disk.hold();
    // 17 MiB of distinct blocks, more than a hold keeps queued (16 MiB); the hold is never released.
    const flood = await Promise.all(
      Array.from({ length: 68 }, (_, i) => encodeBlock(`${i} `.padEnd(256 * 1024, "x"))),
    );
    for (const block of flood) disk.put(block);
    await vi.waitFor(() => expect(disk.stats().blocks).toBeGreaterThanOrEqual(60));
    const last = await encodeBlock("after the flood");
    disk.put(last);
    await disk.close();
    const reopened = (await openDiskBlockCache(dir, { maxBytes: 64 * 1024 * 1024 })) as DiskBlockCache;
    expect([...(reopened.get(last.cid) ?? [])]).toEqual([...last.bytes]);
    expect(reopened.stats().blocks).toBe(flood.length + 1);
    await reopened.close();
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

  it("takes over a lock left by a process that is gone, or by an earlier run under this very pid (a restarted container)", async () => {
    const gone = spawnSync(process.execPath, ["-e", ""]).pid;
    for (const [name, pid] of [
      ["dead-owner", gone],
      ["same-pid", process.pid],
    ] as const) {
      const dir = join(work, name);
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, "lock"), String(pid));
      const disk = await openDiskBlockCache(dir, { maxBytes: 1024 });
      expect(disk, name).toBeDefined();
      expect(await readFile(join(dir, "lock"), "utf8")).toBe(String(process.pid));
      await disk?.close();
    }
  });
});

describe("the block cache's saved index", () => {
  const open = (dir: string, reasons: string[] = [], maxBytes = 1024 * 1024) =>
    openDiskBlockCache(dir, { maxBytes, onDiscard: (r) => reasons.push(r) }) as Promise<DiskBlockCache>;

  /** Every block read back as it was, and none asked of the node. */
  async function readsBackWithoutTheNode(disk: DiskBlockCache): Promise<void> {
    const fresh = node();
    const cache = withBlockCache(fresh.store, { maxBlocks: 100, disk });
    expect(await Promise.all(blocks.map((b) => cache.dagGet(b.cid)))).toEqual(values);
    expect(fresh.reads).toEqual([]);
  }

  /** The saved index rewritten with a valid checksum: only what is in it can be wrong. */
  async function rewriteIndex(dir: string, change: (index: BlockIndex) => BlockIndex): Promise<void> {
    const file = join(dir, "blocks.index");
    const index = decodeIndex(await readFile(file), { maxBlockBytes: MAX_BLOCK_BYTES });
    await writeFile(file, encodeIndex(change(index)));
  }

  it("is written on closing and used on opening: the blocks are found, none is refused", async () => {
    const dir = join(work, "index-used");
    await filled(dir);
    const reasons: string[] = [];
    const disk = await open(dir, reasons);
    expect(disk.stats()).toMatchObject({ blocks: 3, discarded: 0 });
    await readsBackWithoutTheNode(disk);
    await disk.close();
    expect(reasons).toEqual([]);
  });

  it("damaged, cut short, foreign, another cache's, of another format, too large or longer than the file: refused whole and rebuilt from the blocks", async () => {
    const other = join(work, "index-other");
    await filled(other);
    const cases: [string, RegExp, (dir: string) => Promise<void>][] = [
      ["damaged", /checksum/, async (dir) => flipByte(join(dir, "blocks.index"), 40)],
      ["cut-short", /cut short/, async (dir) => cutShort(join(dir, "blocks.index"))],
      [
        "foreign",
        /not this cache's index/,
        (dir) => writeFile(join(dir, "blocks.index"), "some other file\n{}"),
      ],
      [
        "another-cache",
        /another file's/,
        async (dir) => writeFile(join(dir, "blocks.index"), await readFile(join(other, "blocks.index"))),
      ],
      [
        // An older version's index (format 2: one checksum over the whole file, checked on opening).
        "another-format",
        /format 2/,
        async (dir) => {
          const file = join(dir, "blocks.index");
          const bytes = await readFile(file);
          // The format in the first line, "NomadPatchBlockIndex 3 <checksum>", made 2.
          bytes[bytes.indexOf(" ") + 1] = "2".charCodeAt(0);
          await writeFile(file, bytes);
        },
      ],
      [
        "too-large",
        /larger than/,
        (dir) => writeFile(join(dir, "blocks.index"), new Uint8Array(256 * 1024 + 1)),
      ],
      [
        "longer-than-the-file",
        /describes/,
        (dir) => rewriteIndex(dir, (index) => ({ ...index, covered: index.covered + 100 })),
      ],
      [
        "a-part-claiming-a-huge-length",
        /not a count within the file/,
        (dir) =>
          editIndex(dir, (header) => {
            (header.Parts as [number, string][])[7]![0] = 2 ** 40;
          }),
      ],
      [
        "parts-not-adding-up",
        /does not match its parts/,
        (dir) =>
          editIndex(dir, (header) => {
            header.Count = (header.Count as number) + 1;
          }),
      ],
    ];
    for (const [name, why, spoil] of cases) {
      const dir = join(work, `index-${name}`);
      await filled(dir);
      await spoil(dir);
      const reasons: string[] = [];
      const disk = await open(dir, reasons);
      expect(reasons, name).toEqual([expect.stringMatching(/index .* is not used/)]);
      expect(reasons[0], name).toMatch(why);
      // The blocks are still there: read from the file itself, each hash-checked.
      expect(disk.stats(), name).toMatchObject({ blocks: 3, discarded: 0 });
      await readsBackWithoutTheNode(disk);
      await disk.close();
      // Rebuilt: the next opening uses it without complaint.
      const again: string[] = [];
      await (await open(dir, again)).close();
      expect(again, name).toEqual([]);
    }
  });

  it("a part that fails its check (a flipped byte, cut short, another cache's, a place out of bounds) is not used: it is rebuilt from the blocks, the other parts are used as they are", async () => {
    const other = join(work, "part-other");
    await filled(other, otherBlocks);
    const target = blocks[2]!;
    const part = partOfBlock(target.cid)!;
    const ENTRY = 46;
    const cases: [string, RegExp, (dir: string) => Promise<void>][] = [
      [
        "flipped-byte",
        /checksum/,
        (dir) =>
          editIndex(dir, (_header, parts) => {
            parts[part]![parts[part]!.length - 1]! ^= 0xff;
          }),
      ],
      [
        // Cut short by one place, its count made to agree and the header's checksum made again.
        "cut-short",
        /checksum/,
        (dir) =>
          editIndex(dir, (header, parts) => {
            parts[part] = parts[part]!.subarray(0, parts[part]!.length - ENTRY);
            (header.Parts as [number, string][])[part]![0] -= 1;
            header.Count = (header.Count as number) - 1;
          }),
      ],
      [
        // The part of that number from another cache's index, with its count and checksum.
        "another-caches",
        /checksum/,
        async (dir) => {
          const theirs = await indexParts(other);
          await editIndex(dir, (header, parts) => {
            const counts = (h: Record<string, unknown>) => (h.Parts as [number, string][])[part]![0];
            header.Count = (header.Count as number) - counts(header) + counts(theirs.header);
            parts[part] = theirs.parts[part]!;
            (header.Parts as unknown[])[part] = (theirs.header.Parts as unknown[])[part];
          });
        },
      ],
      [
        // Checksums made again by the encoder: only the place itself is wrong.
        "out-of-bounds",
        /out of bounds/,
        (dir) =>
          rewriteIndex(dir, (index) => ({
            ...index,
            blocks: replaced(index, (place, i) => (i === 2 ? { ...place, length: index.covered } : place)),
          })),
      ],
    ];
    for (const [name, why, spoil] of cases) {
      const dir = join(work, `part-${name}`);
      await filled(dir);
      await spoil(dir);
      const reasons: string[] = [];
      const disk = await open(dir, reasons);
      // Opening checks the header only: a part is checked when a block is first looked up in it.
      expect(reasons, name).toEqual([]);
      // Never by that part: not found, and the part refused, saying why.
      expect(disk.get(target.cid), name).toBeUndefined();
      expect(reasons, name).toEqual([
        expect.stringMatching(new RegExp(`part ${part} of .*index .* is not used`)),
      ]);
      expect(reasons[0], name).toMatch(why);
      // Rebuilt from the blocks (in turn with the writes): every block is found in the file again.
      await disk.flush();
      expect(disk.stats(), name).toMatchObject({ blocks: 3, discarded: 0 });
      await readsBackWithoutTheNode(disk);
      expect(reasons, name).toHaveLength(1);
      await disk.close();
      // Saved again with the part rebuilt: the next opening finds every block, without complaint.
      const again: string[] = [];
      const reopened = await open(dir, again);
      await readsBackWithoutTheNode(reopened);
      await reopened.close();
      expect(again, name).toEqual([]);
    }
  });

  it("an index that passes its checks but places a block wrongly is caught when the block is read: never trusted", async () => {
    const dir = join(work, "index-lies");
    await filled(dir);
    const first = blocks[0]!.cid.toString();
    await rewriteIndex(dir, (index) => ({
      ...index,
      // The first two blocks placed at each other's bytes.
      blocks: replaced(index, (_place, i) => index.blocks.get(blocks[i === 0 ? 1 : i === 1 ? 0 : i]!.cid)!),
    }));
    const reasons: string[] = [];
    const disk = await open(dir, reasons);
    const fresh = node();
    const cache = withBlockCache(fresh.store, { maxBlocks: 100, disk });
    expect(await cache.dagGet(blocks[0]!.cid)).toEqual(values[0]);
    expect(fresh.reads).toEqual([first]);
    await disk.flush();
    expect(reasons).toEqual([expect.stringMatching(/damaged .*does not match its CID/)]);
    await disk.close();
  });

  it("blocks written after the index was last saved (the process killed before closing) are read from the file, each checked", async () => {
    const dir = join(work, "index-behind");
    const killed = join(work, "index-behind-killed");
    await filled(dir);
    const disk = await open(dir);
    const later = await Promise.all(["later one", "later two"].map((v) => encodeBlock(v)));
    for (const block of later) disk.put(block);
    await disk.flush();
    // What a crash leaves: the blocks appended, the index as it was saved before them.
    await mkdir(killed);
    for (const name of ["blocks.car", "blocks.index"]) await copyFile(join(dir, name), join(killed, name));
    await disk.close();

    const reasons: string[] = [];
    const reopened = await open(killed, reasons);
    expect(reasons).toEqual([]);
    expect(reopened.stats()).toMatchObject({ blocks: 5, discarded: 0 });
    for (const block of later) expect(reopened.get(block.cid)).toEqual(block.bytes);
    await reopened.close();
  });

  it("a DAG held whole is read back in one pass, each block checked; over the caller's bytes it is not read", async () => {
    const dir = join(work, "index-dag");
    const root = blocks[0]!.cid;
    const first = await open(dir);
    for (const block of blocks) first.put(block);
    first.markDag(
      root,
      blocks.map((b) => b.cid),
    );
    await first.close();

    const disk = await open(dir);
    expect(disk.hasDag(root)).toBe(true);
    const read = await disk.readDag(root);
    const asList = (list: readonly Block[] | undefined) => list?.map((b) => [b.cid.toString(), [...b.bytes]]);
    expect(asList(read)).toEqual(asList(blocks));
    const total = blocks.reduce((n, b) => n + b.bytes.byteLength, 0);
    expect(await disk.readDag(root, total - 1)).toBeUndefined();
    expect(await disk.readDag(blocks[1]!.cid)).toBeUndefined();
    await disk.close();

    // One byte changed in the DAG's sections: nothing of it is used, and the cache is dropped.
    await flipLastBlockByte(join(dir, "blocks.car"));
    const reasons: string[] = [];
    const damaged = await open(dir, reasons);
    expect(await damaged.readDag(root)).toBeUndefined();
    await damaged.flush();
    expect(reasons).toEqual([expect.stringMatching(/damaged/)]);
    expect(damaged.hasDag(root)).toBe(false);
    await damaged.close();
  });

  it("a DAG marked whole while a write is under way is held with every block, not only those that write had", async () => {
    const dir = join(work, "mark-during-write");
    const root = blocks[0]!.cid;
    const first = await open(dir);
    first.put(blocks[0]!);
    // A write starts with the first block and waits for the file; the DAG's other blocks arrive meanwhile.
    const writing = first.flush();
    // Past the write's start (a microtask away), not past its append to the file (a round to the disk).
    for (let turn = 0; turn < 3; turn++) await Promise.resolve();
    for (const block of blocks.slice(1)) first.put(block);
    first.markDag(
      root,
      blocks.map((b) => b.cid),
    );
    await writing;
    await first.close();

    const disk = await open(dir);
    expect(disk.hasDag(root)).toBe(true);
    expect((await disk.readDag(root))?.map((b) => b.cid.toString())).toEqual(
      blocks.map((b) => b.cid.toString()),
    );
    await disk.close();
  });
});

/** The index's places of `blocks`, each replaced. */
function replaced(index: BlockIndex, change: (place: Place, i: number) => Place): BlockPlaces {
  const places = blockPlaces();
  for (const [i, block] of blocks.entries()) places.set(block.cid, change(index.blocks.get(block.cid)!, i));
  return places;
}

async function flipByte(file: string, at: number): Promise<void> {
  const bytes = new Uint8Array(await readFile(file));
  bytes[at]! ^= 0xff;
  await writeFile(file, bytes);
}

async function cutShort(file: string): Promise<void> {
  const bytes = await readFile(file);
  await writeFile(file, bytes.subarray(0, Math.floor(bytes.length / 2)));
}

/** The saved index's header (its JSON) and its parts' bytes, as the file lays them out. */
async function indexParts(dir: string): Promise<{ header: Record<string, unknown>; parts: Buffer[] }> {
  const file = await readFile(join(dir, "blocks.index"));
  const body = file.subarray(file.indexOf(0x0a) + 1);
  const length = body.readUInt32LE(0);
  const header = JSON.parse(body.toString("utf8", 4, 4 + length)) as Record<string, unknown>;
  const parts: Buffer[] = [];
  let at = 4 + length;
  for (const [count] of header.Parts as [number, string][]) {
    parts.push(Buffer.from(body.subarray(at, at + count * 46)));
    at += count * 46;
  }
  return { header, parts };
}

/** The saved index edited as an attacker with the format would: the header's checksum made to agree. */
async function editIndex(
  dir: string,
  edit: (header: Record<string, unknown>, parts: Buffer[]) => void,
): Promise<void> {
  const { header, parts } = await indexParts(dir);
  edit(header, parts);
  const json = Buffer.from(JSON.stringify(header));
  const head = Buffer.alloc(4 + json.length);
  head.writeUInt32LE(json.length, 0);
  json.copy(head, 4);
  const line = `NomadPatchBlockIndex ${INDEX_FORMAT} ${createHash("sha256").update(head).digest("hex")}\n`;
  await writeFile(join(dir, "blocks.index"), Buffer.concat([Buffer.from(line), head, ...parts]));
}
