import type { CID } from "multiformats/cid";
import { decodeBlock } from "../../src/ipfs/block-codec.js";
import { delegateStore } from "../../src/ipfs/delegate-store.js";
import type { IpfsStore } from "../../src/ipfs/store.js";
import type { EncodedBlock } from "../../src/nomad/index.js";

/** Reads the blocks just written from memory, everything else from `store`: the set-up's own fold is fast. */
export function withLocalBlocks(store: IpfsStore, blocks: readonly EncodedBlock[]): IpfsStore {
  const byCid = new Map(blocks.map((b) => [b.cid.toString(), b.bytes]));
  const local = (cid: CID) => byCid.get(cid.toString());
  return {
    ...delegateStore(store),
    dagGet: async (cid, o) => {
      const bytes = local(cid);
      return bytes ? decodeBlock(cid, bytes) : store.dagGet(cid, o);
    },
    dagGetSized: async (cid, o) => {
      const bytes = local(cid);
      return bytes ? { value: decodeBlock(cid, bytes), size: bytes.byteLength } : store.dagGetSized(cid, o);
    },
    getBlock: async (cid, o) => local(cid) ?? store.getBlock(cid, o),
  };
}
