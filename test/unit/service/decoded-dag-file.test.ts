import { createHash } from "node:crypto";
import * as dagCbor from "@ipld/dag-cbor";
import fc from "fast-check";
import { CID } from "multiformats/cid";
import { create as digestOf } from "multiformats/hashes/digest";
import { describe, expect, it } from "vitest";
import { decodeDagCbor } from "../../../src/ipfs/cid-decoding.js";
import { encodeDecodedDag } from "../../../src/service/decoded-dag-shelf.js";

function block(value: unknown): { cid: CID; bytes: Uint8Array; value: unknown } {
  const bytes = dagCbor.encode(value);
  const digest = digestOf(0x12, createHash("sha256").update(bytes).digest());
  return { cid: CID.createV1(dagCbor.code, digest), bytes, value: dagCbor.decode(bytes) };
}

/** The file as it was written before: the whole value encoded by `@ipld/dag-cbor`. */
function encodedWhole(key: string, blocks: readonly ReturnType<typeof block>[]): Uint8Array {
  return dagCbor.encode({
    NomadPatchDecodedDag: 1,
    Key: key,
    Blocks: blocks.map((b) => [b.cid, b.bytes.byteLength, b.value]),
  });
}

/** Values as Nomad's blocks hold them: maps, lists, text, integers, links, bytes, null, booleans. */
const ipldValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.string(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.uint8Array({ maxLength: 40 }),
    fc.string().map((text) => block(text).cid),
    fc.array(tie("value"), { maxLength: 5 }),
    fc.dictionary(fc.string({ maxLength: 8 }), tie("value"), { maxKeys: 5 }),
  ),
})).value;

describe("the decoded DAG's file, written from the blocks' own bytes", () => {
  it("is byte for byte the DAG-CBOR encoding of the same file, for blocks in DAG-CBOR's form", () => {
    fc.assert(
      fc.property(fc.array(ipldValue, { minLength: 1, maxLength: 30 }), (values) => {
        const blocks = values.map(block);
        const key = blocks[0]!.cid.toString();
        expect(
          Buffer.from(encodeDecodedDag(key, blocks)).equals(Buffer.from(encodedWhole(key, blocks))),
        ).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it("writes every length's head in its shortest form, as DAG-CBOR does (block sizes and counts)", () => {
    // Text of these lengths crosses each of CBOR's head sizes (1, 2, 3 and 5 bytes) in the block's size.
    const blocks = [0, 20, 23, 24, 255, 256, 65_535, 65_536, 70_000].map((n) => block("x".repeat(n)));
    // More blocks than one byte of head can count, and than two can.
    const many = Array.from({ length: 300 }, (_, i) => block(i));
    for (const set of [blocks, many, [...many, ...blocks]]) {
      const key = set[0]!.cid.toString();
      expect(Buffer.from(encodeDecodedDag(key, set)).equals(Buffer.from(encodedWhole(key, set)))).toBe(true);
    }
  });

  it("gives back what decoding each block gives, for a block in another form a decoder accepts", () => {
    // Map keys out of DAG-CBOR's order: a decoder accepts it, an encoder would write other bytes.
    const unordered = new Uint8Array([0xa2, 0x62, 0x7a, 0x7a, 0x01, 0x61, 0x61, 0x02]);
    const digest = digestOf(0x12, createHash("sha256").update(unordered).digest());
    const odd = { cid: CID.createV1(dagCbor.code, digest), bytes: unordered };
    const root = block({ Entries: [odd.cid] });
    const read = decodeDagCbor(encodeDecodedDag(root.cid.toString(), [root, odd])) as {
      Blocks: [CID, number, unknown][];
    };
    expect(read.Blocks).toHaveLength(2);
    const [first, second] = read.Blocks as [[CID, number, { Entries: CID[] }], [CID, number, unknown]];
    expect([first[0].toString(), first[1]]).toEqual([root.cid.toString(), root.bytes.byteLength]);
    expect(String(first[2].Entries)).toBe(odd.cid.toString());
    expect([second[0].toString(), second[1], second[2]]).toEqual([
      odd.cid.toString(),
      unordered.byteLength,
      decodeDagCbor(unordered),
    ]);
  });
});
