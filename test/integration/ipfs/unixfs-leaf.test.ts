import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SINGLE_BLOCK_FILE_BYTES, unixFsLeaf } from "../../../src/ipfs/unixfs-leaf.js";
import { type KuboNode, startKubo } from "../../helpers/kubo.js";

describe("unixFsLeaf: a small file's block, as Kubo's add writes it", () => {
  let node: KuboNode;
  beforeAll(async () => {
    node = await startKubo();
  });
  afterAll(async () => {
    await node?.stop();
  });

  it("gives the CID Kubo gives for files of one chunk, the empty file and a full chunk included", async () => {
    const sizes = [0, 1, 127, 128, 1000, 70_000, SINGLE_BLOCK_FILE_BYTES];
    for (const size of sizes) {
      const bytes = new Uint8Array(size).map((_, i) => (i * 7 + size) % 256);
      const local = await unixFsLeaf(bytes);
      const added = await node.store.addFile(bytes);
      expect(local?.cid.toString(), `${size} bytes`).toBe(added.toString());
      // And the block Kubo stored is byte for byte the one computed here.
      expect([...(await node.store.getBlock(added))]).toEqual([...local!.bytes]);
    }
  });

  it("gives nothing for a file of more than one chunk, which Kubo splits", async () => {
    expect(await unixFsLeaf(new Uint8Array(SINGLE_BLOCK_FILE_BYTES + 1))).toBeUndefined();
  });
});
