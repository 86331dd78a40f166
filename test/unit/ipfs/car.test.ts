import * as dagCbor from "@ipld/dag-cbor";
import { describe, expect, it, vi } from "vitest";
import { type Block, CarReader, encodeCar, readCar, varint } from "../../../src/ipfs/car.js";
import { encodeBlock } from "../../../src/nomad/index.js";

const blocks: Block[] = await Promise.all(
  ["a", { b: 1 }, "c".repeat(300), { nested: ["x", "y"] }].map((v) => encodeBlock(v)),
);

async function* chunked(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function readAll(bytes: Uint8Array, size: number, maxSectionBytes = 1_000): Promise<Block[]> {
  const out: Block[] = [];
  for await (const block of readCar(chunked(bytes, size), { maxSectionBytes })) out.push(block);
  return out;
}

describe("CARv1", () => {
  const car = encodeCar([blocks[0]!.cid], blocks);

  it("reads back every block written, however the stream is cut into chunks", async () => {
    for (const size of [1, 2, 7, 64, car.length]) {
      const read = await readAll(car, size);
      expect(read.map((b) => b.cid.toString())).toEqual(blocks.map((b) => b.cid.toString()));
      expect(read.map((b) => [...b.bytes])).toEqual(blocks.map((b) => [...b.bytes]));
    }
  });

  it("copies each byte of a block a bounded number of times, however small the chunks", async () => {
    // Kubo sends an export in small writes (18,000 chunks of 1 to 24,000 bytes for 4 MB): a large block
    // joined again with every chunk would be copied once per chunk, quadratic in its size.
    const big = await encodeBlock("x".repeat(16 * 1024));
    const bigCar = encodeCar([big.cid], [big]);
    let copied = 0;
    const set = Uint8Array.prototype.set;
    const spy = vi.spyOn(Uint8Array.prototype, "set").mockImplementation(function (
      this: Uint8Array,
      source: ArrayLike<number>,
      offset?: number,
    ) {
      copied += source.length;
      set.call(this, source, offset);
    });
    try {
      const read = await readAll(bigCar, 16, 32 * 1024);
      expect(read.map((b) => b.cid.toString())).toEqual([big.cid.toString()]);
    } finally {
      spy.mockRestore();
    }
    expect(copied).toBeLessThanOrEqual(3 * bigCar.length);
  });

  it("refuses a stream that ends in the middle of a block", async () => {
    await expect(readAll(car.subarray(0, car.length - 3), 16)).rejects.toMatchObject({ code: "DECODE" });
  });

  it("refuses a section over the limit before reading it", async () => {
    await expect(readAll(car, 16, 100)).rejects.toMatchObject({ code: "LIMIT" });
  });

  it("refuses what is not a CARv1 stream", async () => {
    const notCar = new TextEncoder().encode('\u0010{"Message":"nope"}');
    await expect(readAll(notCar, 4)).rejects.toMatchObject({ code: "DECODE" });
    await expect(readAll(new Uint8Array(0), 4)).rejects.toMatchObject({ code: "DECODE" });
  });

  it("writes the bytes the CARv1 layout gives, section lengths of one to three varint bytes", async () => {
    // 16 KiB needs a three-byte length; the others one or two.
    const big = await encodeBlock("x".repeat(16 * 1024));
    const mid = await encodeBlock("y".repeat(200));
    const all = [...blocks, mid, big];
    const header = dagCbor.encode({ roots: [big.cid], version: 1 });
    const expected = [varint(header.length), header];
    for (const { cid, bytes } of all)
      expected.push(varint(cid.bytes.length + bytes.length), cid.bytes, bytes);
    expect([...encodeCar([big.cid], all)]).toEqual(expected.flatMap((part) => [...part]));
  });

  it("gives the same blocks at the same offsets when chunks are pushed in and drained", async () => {
    const fromGenerator: { cid: string; offset: number }[] = [];
    for await (const block of readCar(chunked(car, 5), { maxSectionBytes: 1_000 }))
      fromGenerator.push({ cid: block.cid.toString(), offset: block.offset });
    const reader = new CarReader({ maxSectionBytes: 1_000 });
    const pushed: { cid: string; offset: number }[] = [];
    for (let i = 0; i < car.length; i += 3) {
      reader.push(car.subarray(i, i + 3));
      for (let block = reader.next(); block; block = reader.next())
        pushed.push({ cid: block.cid.toString(), offset: block.offset });
    }
    reader.end();
    expect(pushed).toEqual(fromGenerator);
    expect(pushed.map((b) => b.cid)).toEqual(blocks.map((b) => b.cid.toString()));
    // Each offset is where the block's bytes start in the stream.
    for (const [i, b] of pushed.entries())
      expect([...car.subarray(b.offset, b.offset + blocks[i]!.bytes.length)]).toEqual([...blocks[i]!.bytes]);
  });

  it("refuses, at its end, a stream pushed in that stopped in the middle of a block", () => {
    const reader = new CarReader({ maxSectionBytes: 1_000 });
    reader.push(car.subarray(0, car.length - 3));
    while (reader.next()) {}
    expect(() => reader.end()).toThrow(/ended in the middle/);
  });
});
