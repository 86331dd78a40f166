import { CID } from "multiformats/cid";
import { identity } from "multiformats/hashes/identity";
import { describe, expect, it } from "vitest";
import { blockKey, cidOfKey } from "../../../src/ipfs/block-key.js";
import { encodeBlock } from "../../../src/nomad/block.js";

/** The key as it was first defined: the CID's bytes read as latin1. */
const latin1 = (cid: CID) => Buffer.from(cid.bytes).toString("latin1");

describe("blockKey", () => {
  it("is the CID's bytes one character each, and gives the CID back", async () => {
    for (const value of ["a", { b: 1 }, "c".repeat(300)]) {
      const { cid } = await encodeBlock(value);
      expect(blockKey(cid)).toBe(latin1(cid));
      expect(cidOfKey(blockKey(cid)).equals(cid)).toBe(true);
    }
  });

  it("keys a long identity CID the same way (its bytes are not passed as arguments)", () => {
    const inline = new Uint8Array(200_000).map((_, i) => i % 256);
    const cid = CID.createV1(0x55, identity.digest(inline));
    expect(blockKey(cid)).toBe(latin1(cid));
    expect(cidOfKey(blockKey(cid)).equals(cid)).toBe(true);
  });
});
