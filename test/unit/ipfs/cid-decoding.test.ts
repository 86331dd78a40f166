import * as dagCbor from "@ipld/dag-cbor";
import fc from "fast-check";
import { CID } from "multiformats/cid";
import { describe, expect, it } from "vitest";
import { decodeCidFirst, decodeDagCbor } from "../../../src/ipfs/cid-decoding.js";

/** An unsigned varint, as multiformats writes one. */
function varint(value: number): number[] {
  const out: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    out.push((rest & 0x7f) | 0x80);
    rest = Math.floor(rest / 128);
  }
  out.push(rest);
  return out;
}

/** Byte strings shaped like CIDs, near the common shape and away from it: versions, codecs, hashes, lengths. */
const cidLike = fc
  .record({
    version: fc.constantFrom(0, 1, 1, 1, 2, 0x12),
    codec: fc.constantFrom(0x55, 0x70, 0x71, 0x0129, 0x7f, 0x80, 0x300),
    hash: fc.constantFrom(0x12, 0x12, 0x00, 0x13, 0x1e),
    length: fc.constantFrom(32, 32, 0, 1, 20, 31, 33, 64),
    digest: fc.uint8Array({ minLength: 0, maxLength: 70 }),
    tail: fc.uint8Array({ minLength: 0, maxLength: 8 }),
    cut: fc.nat({ max: 80 }),
  })
  .map(({ version, codec, hash, length, digest, tail, cut }) => {
    const head = version === 0x12 ? [] : [...varint(version), ...varint(codec)];
    const all = [...head, ...varint(hash), ...varint(length), ...digest, ...tail];
    // Cut short now and then: a section or a link that ends inside its CID.
    return new Uint8Array(cut < 60 ? all : all.slice(0, all.length - (cut - 60)));
  });

/** The common shape itself (CIDv1, a codec of one byte, sha2-256), and beside it, with whatever follows. */
const common = fc
  .record({
    // A byte of 0x80 or more is no codec of one byte: the varint goes on into the bytes after it.
    codec: fc.oneof(fc.nat({ max: 0xff }), fc.constantFrom(0x55, 0x70, 0x71, 0x7f, 0x80, 0x81, 0xff)),
    digest: fc.uint8Array({ minLength: 32, maxLength: 32 }),
    tail: fc.uint8Array({ maxLength: 8 }),
  })
  .map(({ codec, digest, tail }) => new Uint8Array([1, codec, 0x12, 32, ...digest, ...tail]));

const anyCid = fc.oneof(cidLike, common);

function valueOrError(decode: () => unknown): unknown {
  try {
    return { value: decode() };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** What a decoding gave: the CID and the rest, or the error's message. */
function outcome(decode: () => [CID, Uint8Array]): unknown {
  try {
    const [cid, rest] = decode();
    return {
      version: cid.version,
      code: cid.code,
      hash: cid.multihash.code,
      size: cid.multihash.size,
      digest: [...cid.multihash.digest],
      multihash: [...cid.multihash.bytes],
      bytes: [...cid.bytes],
      text: cid.toString(),
      rest: [...rest],
      equals: cid.equals(CID.decode(cid.bytes)),
    };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

describe("CIDs read directly in their common shape", () => {
  it("decodeCidFirst gives what CID.decodeFirst gives, or refuses what it refuses, with the same message", () => {
    fc.assert(
      fc.property(anyCid, (bytes) => {
        expect(outcome(() => decodeCidFirst(bytes))).toEqual(outcome(() => CID.decodeFirst(bytes)));
      }),
      { numRuns: 5_000 },
    );
  });

  it("keeps no view of the buffer it read from: the CID stays the same when that buffer is reused", () => {
    const cid = CID.parse("bafyreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy");
    const buffer = new Uint8Array([...cid.bytes, 1, 2, 3]);
    const [read, rest] = decodeCidFirst(buffer);
    buffer.fill(0);
    expect(read.toString()).toBe(cid.toString());
    expect(read.multihash.digest).toEqual(cid.multihash.digest);
    expect(read.bytes.buffer).not.toBe(buffer.buffer);
    expect(rest.byteLength).toBe(3);
  });

  it("decodeDagCbor gives what dagCbor.decode gives for values with links of every shape", () => {
    const link = anyCid.chain((bytes) => {
      try {
        return fc.constant(CID.decode(bytes));
      } catch {
        return fc.constant(CID.parse("QmdfTbBqBPQ7VNxZEYEj14VmRuZBkqFbiwReogJgS1zR1n"));
      }
    });
    const value = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: "small" },
        link,
        fc.string(),
        fc.integer(),
        fc.boolean(),
        fc.constant(null),
        fc.uint8Array({ maxLength: 40 }),
        fc.array(tie("node"), { maxLength: 4 }),
        fc.dictionary(fc.string({ maxLength: 6 }), tie("node"), { maxKeys: 4 }),
      ),
    })).node;
    fc.assert(
      fc.property(value, (v) => {
        // Some generated CIDs do not read back (multiformats builds them, then refuses their bytes): both
        // decoders must refuse those alike.
        const bytes = dagCbor.encode(v);
        expect(valueOrError(() => decodeDagCbor(bytes))).toEqual(valueOrError(() => dagCbor.decode(bytes)));
      }),
      { numRuns: 2_000 },
    );
  });

  it("refuses what dagCbor.decode refuses, with the same message: hostile tag 42s and blocks that are not DAG-CBOR", () => {
    const cid = CID.parse("bafyreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy");
    const tagged = (content: number[]) => new Uint8Array([0xd8, 42, ...content]);
    const bytesItem = (b: number[]) => (b.length < 24 ? [0x40 + b.length, ...b] : [0x58, b.length, ...b]);
    const hostile = [
      tagged(bytesItem([...cid.bytes])), // no leading 0x00
      tagged(bytesItem([0x01, ...cid.bytes])), // another leading byte
      tagged(bytesItem([0x00, ...cid.bytes, 0x00])), // a byte after the CID
      tagged(bytesItem([0x00, ...cid.bytes.subarray(0, 20)])), // cut short
      tagged(bytesItem([0x00])), // nothing after the 0x00
      tagged([0x63, 0x61, 0x62, 0x63]), // a string, not bytes
      tagged([0x01]), // an integer
      new Uint8Array([0xa2, 0x61, 0x61, 0x01, 0x61, 0x61, 0x02]), // a repeated key
      new Uint8Array([0xf7]), // undefined
      new Uint8Array([0x9f, 0xff]), // indefinite length
      new Uint8Array([0xd8, 43, 0x01]), // another tag
      new Uint8Array([0x01, 0x02]), // bytes after the value
    ];
    for (const bytes of hostile) {
      const expected = outcome(() => [dagCbor.decode(bytes) as CID, new Uint8Array()]);
      expect(outcome(() => [decodeDagCbor(bytes) as CID, new Uint8Array()])).toEqual(expected);
      expect(expected).toHaveProperty("error");
    }
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect(valueOrError(() => decodeDagCbor(bytes))).toEqual(valueOrError(() => dagCbor.decode(bytes)));
      }),
      { numRuns: 5_000 },
    );
  });

  it("refuses a length head far past the bytes that follow without making room for it: a shelf file's huge prefix", () => {
    // Byte string, text, array and map heads claiming 2^64 - 1, 2^40 and 2^31 items, then three bytes.
    const heads = [
      [0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
      [0x7b, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00],
      [0x9b, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00],
      [0xbb, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00],
      [0x9a, 0x7f, 0xff, 0xff, 0xff],
    ];
    const held = () => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
    const before = held();
    for (const head of heads)
      expect(() => decodeDagCbor(new Uint8Array([...head, 0, 0, 0]))).toThrow(/CBOR decode error/);
    // Nothing the size of a claimed length was allocated (2^31 array slots alone would be 16 GiB).
    expect(held() - before).toBeLessThan(64 * 1024 * 1024);
  });
});
