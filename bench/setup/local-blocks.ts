import type { CID } from "multiformats/cid";
import { decodeBlock } from "../../src/ipfs/block-codec.js";
import type { IpfsStore } from "../../src/ipfs/store.js";
import type { EncodedBlock } from "../../src/nomad/index.js";

/** Reads the blocks just written from memory, everything else from `store`: the set-up's own fold is fast. */
export function withLocalBlocks(store: IpfsStore, blocks: readonly EncodedBlock[]): IpfsStore {
  const byCid = new Map(blocks.map((b) => [b.cid.toString(), b.bytes]));
  const local = (cid: CID) => byCid.get(cid.toString());
  return {
    dagPut: (value, o) => store.dagPut(value, o),
    dagGet: async (cid, o) => {
      const bytes = local(cid);
      return bytes ? decodeBlock(cid, bytes) : store.dagGet(cid, o);
    },
    getBlock: async (cid, o) => local(cid) ?? store.getBlock(cid, o),
    addFile: (bytes, o) => store.addFile(bytes, o),
    catFile: (cid, o) => store.catFile(cid, o),
    resolveName: (name, o) => store.resolveName(name, o),
    publishName: (keyName, cid, o) => store.publishName(keyName, cid, o),
    listKeys: (o) => store.listKeys(o),
    generateKey: (name, o) => store.generateKey(name, o),
    importKey: (name, key, o) => store.importKey(name, key, o),
    exportKey: (name, o) => store.exportKey(name, o),
    pin: (cid, o) => store.pin(cid, o),
    id: (o) => store.id(o),
  };
}
