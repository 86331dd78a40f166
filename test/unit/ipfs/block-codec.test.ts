import { CID } from "multiformats/cid";
import { identity } from "multiformats/hashes/identity";
import { describe, expect, it } from "vitest";
import { DecodeError } from "../../../src/errors.js";
import { encodeBlock, verifyBlock } from "../../../src/ipfs/block-codec.js";

describe("verifyBlock", () => {
  it("accepts a block whose sha2-256 hash is its CID's, and answers at once (no promise per block)", async () => {
    const { cid, bytes } = await encodeBlock({ Name: "a block" });
    expect(verifyBlock(cid, bytes)).toBeUndefined();
  });

  it("refuses other bytes under the CID, one byte changed or one byte more, with a DecodeError", async () => {
    const { cid, bytes } = await encodeBlock({ Name: "a block" });
    const changed = bytes.slice();
    changed[changed.length - 1] = (changed.at(-1) ?? 0) ^ 1;
    const longer = new Uint8Array([...bytes, 0]);
    for (const wrong of [changed, longer, new Uint8Array()]) {
      let thrown: unknown;
      try {
        verifyBlock(cid, wrong);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(DecodeError);
      expect(String((thrown as Error).message)).toMatch(/does not match its CID/);
    }
  });

  it("checks an identity CID against the bytes it holds", () => {
    const bytes = new TextEncoder().encode("inline");
    const cid = CID.createV1(0x55, identity.digest(bytes));
    expect(verifyBlock(cid, bytes)).toBeUndefined();
    expect(() => verifyBlock(cid, new TextEncoder().encode("other"))).toThrow(DecodeError);
  });
});
